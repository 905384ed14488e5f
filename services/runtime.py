"""What a running Dragoman holds: settings and each task's model, built once on first use."""

from __future__ import annotations

import threading
from collections.abc import Callable

from langchain_core.language_models import BaseLanguageModel
from langchain_core.runnables import Runnable

from chains.errors import BackendUnavailable
from chains.translate_text import PromptStyle, build_translate_text_chain

from .catalog import TASKS, ResolvedModel, resolve_model
from .llm import make_chat_model, probe_backend
from .llm.dryrun import Recorder
from .settings import Settings

ModelFactory = Callable[[ResolvedModel, Settings, Recorder | None], BaseLanguageModel]


class Runtime:
    """Per-process state: resolves each task's model from settings and builds it lazily, once."""

    def __init__(
        self,
        settings: Settings,
        model_factory: ModelFactory = make_chat_model,
        recorder: Recorder | None = None,
    ) -> None:
        self.settings = settings
        self.resolved = {task: resolve_model(task, settings) for task in TASKS}
        self._factory = model_factory
        self._recorder = recorder
        self._models: dict[str, BaseLanguageModel] = {}
        self._lock = threading.Lock()

    def model(self, task: str) -> BaseLanguageModel:
        """Return the model for `task`, building it on first use."""
        with self._lock:
            if task not in self._models:
                self._models[task] = self._factory(
                    self.resolved[task], self.settings, self._recorder
                )
            return self._models[task]

    def style(self, task: str) -> PromptStyle:
        """Return how the model for `task` wants to be prompted."""
        preset = self.resolved[task].preset
        return PromptStyle(style=preset.prompt_style, system_role=preset.system_role)

    def url(self, task: str) -> str:
        """Name where the backend of `task` lives, for error messages."""
        resolved = self.resolved[task]
        return resolved.base_url or f"{resolved.backend_name} ({resolved.model})"

    def translate_text_chain(self) -> Runnable:
        """Build the plain-text translation chain on the translation model."""
        return build_translate_text_chain(self.model("translate"), self.style("translate"))

    def warm_up(self) -> None:
        """Load in-process models now, so the first request does not pay for it."""
        for task, resolved in self.resolved.items():
            if resolved.driver == "llama-cpp":
                self.model(task)

    def check_backends(self) -> None:
        """Prepare local models and check remote backends answer; raise on the first that fails."""
        self.warm_up()
        for task, resolved in self.resolved.items():
            probe = probe_backend(resolved, self.settings)
            if not probe.reachable:
                raise BackendUnavailable(self.url(task), probe.detail)
