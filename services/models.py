"""The language models a running Dragoman talks to: each task's model, servers and slots."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from functools import partial

from langchain_core.language_models import BaseLanguageModel

from dragoman.chains import CallGate, ModelProfile
from dragoman.chains.proofread import Scorer
from dragoman.chains.translate import TokenCounter
from dragoman.prompts import prompt_version

from .catalog import TASKS, Catalog, ResolvedModel, resolve_model, resolve_verifier
from .llm import make_chat_model, make_scorer, make_token_counter, probe_backend, probe_slots
from .llm.dryrun import Recorder
from .llm.factory import Probe
from .llm.pool import ServerPool
from .settings import Settings

_SLOTS_RETRY = 5.0  # seconds between asks for the slots of a server that did not answer
ModelFactory = Callable[
    [ResolvedModel, Settings, Recorder | None, ServerPool | None], BaseLanguageModel
]
ScorerFactory = Callable[[ResolvedModel, Settings], Scorer]


class Models:
    """Each task's model (translate, proofread) and the verifier's: resolved from settings once,
    built on first use, with the pool of servers each one's requests are spread over."""

    def __init__(
        self,
        settings: Settings,
        model_factory: ModelFactory = make_chat_model,
        recorder: Recorder | None = None,
        catalog: Catalog | None = None,
        scorer_factory: ScorerFactory | None = None,
    ) -> None:
        self.settings = settings
        self.resolved = {task: resolve_model(task, settings, catalog) for task in TASKS}
        self.verifying = resolve_verifier(settings, self.resolved["proofread"].preset, catalog)
        self._factory = model_factory
        self._recorder = recorder
        # Injected models verify only with an injected scorer: a fake must not load a real model.
        real = model_factory is make_chat_model and recorder is None
        self._scorer_factory = scorer_factory or (make_scorer if real else None)
        self._scorer: Scorer | None = None
        self._models: dict[str, BaseLanguageModel] = {}
        self._counters: dict[str, TokenCounter | None] = {}
        self._lock = threading.Lock()
        self._slots: dict[str, int] = {}
        self._slots_probed: dict[str, float] = {}
        # The servers of each task that talks to servers: requests go to the least busy one.
        self.pools = {
            task: ServerPool(resolved.base_urls, settings.server_retry)
            for task, resolved in self.resolved.items()
            if resolved.base_urls
        }
        # One gate per task: every request's model calls share the backend's slots.
        self.gates = {task: CallGate(partial(self.slots, task, probe=False)) for task in TASKS}

    def model(self, task: str) -> BaseLanguageModel:
        """The model of `task`, built on first use over the task's server pool."""
        with self._lock:
            if task not in self._models:
                self._models[task] = self._factory(
                    self.resolved[task], self.settings, self._recorder, self.pools.get(task)
                )
            return self._models[task]

    def token_counter(self, task: str) -> TokenCounter | None:
        """Counts tokens as the model of `task` does (its own tokenizer, in process or served)."""
        model = self.model(task)
        with self._lock:
            if task not in self._counters:
                self._counters[task] = make_token_counter(
                    self.resolved[task], model, self.pools.get(task)
                )
            return self._counters[task]

    def scorer(self) -> Scorer | None:
        """The in-process language model that scores proofreading fixes, if one is configured."""
        if self.verifying is None or self._scorer_factory is None:
            return None
        with self._lock:
            if self._scorer is None:
                self._scorer = self._scorer_factory(self.verifying, self.settings)
            return self._scorer

    def profile(self, task: str) -> ModelProfile:
        """Describe the model of `task` to the chains: prompt style, limits, memory fingerprint."""
        resolved = self.resolved[task]
        preset = resolved.preset
        backend = resolved.backend
        wanted = (
            preset.constrained if self.settings.constrained is None else self.settings.constrained
        )
        constrained = wanted and backend.schema_kwargs is not None
        batch_prompt = "translate_batch_json" if constrained else "translate_batch"
        prompts = "+".join(prompt_version(name) for name in ("translate", batch_prompt))
        decoding = [preset.prompt_style, str(preset.temperature)]
        decoding += [json.dumps(preset.samplers), json.dumps(preset.request_body)]
        fingerprint = "|".join([resolved.backend_name, resolved.model, *decoding, prompts])
        # A call's own body fields replace the client's, so every call carries all of them.
        body = {**backend.extra_body, **preset.samplers, **preset.request_body}
        request = {backend.body_kwarg: body} if backend.body_kwarg else {}
        return ModelProfile(
            style=preset.prompt_style,
            system_role=preset.system_role,
            context_window=preset.context_window,
            max_tokens_param="max_tokens" if backend.call_options else None,
            fingerprint=fingerprint,
            request_kwargs=request,
            schema_kwargs=backend.schema_kwargs if constrained else None,
            check_language=preset.check_language,
            proofreads=(
                None
                if preset.proofread_languages is None
                else frozenset(preset.proofread_languages)
            ),
        )

    def slots(self, task: str, probe: bool = True) -> int:
        """Model calls to run at once: `parallel` if set, else the slots of the servers that are
        up (each as its /props says, or `server_slots`, else 1). Asking servers is blocking I/O:
        gates on the event loop read with `probe=False`, and the thread that builds a request's
        translator (or /health) asks for them."""
        if self.settings.parallel is not None:
            return self.settings.parallel
        pool = self.pools.get(task)
        if pool is None:
            return 1
        unknown = [s for s in pool.servers if s.url not in self._slots]
        due = time.monotonic() - self._slots_probed.get(task, -_SLOTS_RETRY) >= _SLOTS_RETRY
        if probe and unknown and due:  # ask servers not heard from at most every few seconds
            self._slots_probed[task] = time.monotonic()
            for server in unknown:
                found = self.settings.server_slots.get(server.url) or probe_slots(
                    self.resolved[task], server.url
                )
                if found:
                    self._slots[server.url] = server.slots = found
        return pool.up_slots()

    def url(self, task: str) -> str:
        """Name where the backend of `task` lives, for error messages."""
        resolved = self.resolved[task]
        return resolved.base_url or f"{resolved.backend_name} ({resolved.model})"

    def warm_up(self) -> None:
        """Load in-process models, build clients and ask servers for their slots now, before the
        first request."""
        for task in self.resolved:
            self.model(task)  # a server's client imports its library: a second, once, not later
            self.slots(task)
        if self.profile("proofread").follows_prompts:
            self.scorer()

    def unreachable(self) -> dict[str, str]:
        """Probe every server (blocking I/O): those that do not answer, and why."""
        return {name: p.detail for name, p in self.probe_servers().items() if not p.reachable}

    def probe_servers(self) -> dict[str, Probe]:
        """Probe each server once (tasks often share them), by URL; one that is away leaves its
        pool for a while."""
        probes: dict[str, Probe] = {}
        for task, resolved in self.resolved.items():
            pool = self.pools.get(task)
            for server in pool.servers if pool else [None]:
                name = server.url if server else self.url(task)
                if name not in probes:
                    probes[name] = probe_backend(
                        resolved, self.settings, server.url if server else None
                    )
                if pool and server and not probes[name].reachable:
                    pool.mark_down(server, probes[name].detail)
        return probes
