"""What a running Dragoman holds: settings and each task's model, built once on first use."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from langchain_core.language_models import BaseLanguageModel

from dragoman.chains import BackendUnavailable, CallGate, ModelProfile, load_detector
from dragoman.chains.proofread import Corrector, Layers, Scorer, Verifier
from dragoman.chains.translate import TokenCounter, TranslateOptions, Translator
from dragoman.prompts import prompt_version

from .catalog import TASKS, Catalog, ResolvedModel, resolve_model, resolve_verifier
from .llm import make_chat_model, make_scorer, make_token_counter, probe_backend, probe_slots
from .llm.dryrun import Recorder
from .llm.factory import Probe
from .llm.faults import as_backend_error
from .llm.pool import ServerPool
from .nlp import english_nlp, errant_annotator, harper_linter
from .settings import Settings
from .stores.db import Database, database_url
from .stores.dictionary import Dictionary
from .stores.memory import TranslationMemory

_SLOTS_RETRY = 5.0  # seconds between asks for the slots of a server that did not answer
ModelFactory = Callable[
    [ResolvedModel, Settings, Recorder | None, ServerPool | None], BaseLanguageModel
]
ScorerFactory = Callable[[ResolvedModel, Settings], Scorer]


def translate_options(
    settings: Settings, profile: ModelProfile, concurrency: int | None = None
) -> TranslateOptions:
    """Batching and concurrency limits for a translator, from settings and the model's window."""
    return TranslateOptions(
        batch_segments=settings.batch_segments,
        # A batch's source and answer must fit the context window (about 3 chars a token).
        batch_chars=min(settings.batch_chars, profile.context_window),
        concurrency=concurrency or settings.parallel or 1,
        retry_temperature=settings.retry_temperature,
        ladder_cost=settings.ladder_cost,
        memory_examples=settings.memory_examples,
        memory_match=settings.memory_match,
    )


class Runtime:
    """Per-process state: resolves each task's model from settings and builds it lazily, once."""

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
        # Injected models verify only with an injected scorer: a fake must not load a real model.
        real = model_factory is make_chat_model and recorder is None
        self._scorer_factory = scorer_factory or (make_scorer if real else None)
        self._scorer: Scorer | None = None
        self._recorder = recorder
        self._models: dict[str, BaseLanguageModel] = {}
        self._lock = threading.Lock()
        self._slots: dict[str, int] = {}
        self._counters: dict[str, TokenCounter | None] = {}
        self._slots_probed: dict[str, float] = {}
        # The servers of each task that talks to servers: requests go to the least busy one.
        self.pools = {
            task: ServerPool(resolved.base_urls, settings.server_retry)
            for task, resolved in self.resolved.items()
            if resolved.base_urls
        }
        # One gate per task: every request's model calls share the backend's slots.
        self.gates = {task: CallGate(partial(self.slots, task, probe=False)) for task in TASKS}
        # The memory and the document jobs share one database, opened on first use.
        self.database = Database(database_url(settings))
        self.memory = TranslationMemory(self.database) if settings.memory else None
        self.dictionary = Dictionary(
            self.database, settings.dictionary, legacy=settings.data_dir / "dictionary.txt"
        )

    def model(self, task: str) -> BaseLanguageModel:
        """Return the model for `task`, building it on first use."""
        with self._lock:
            if task not in self._models:
                self._models[task] = self._factory(
                    self.resolved[task], self.settings, self._recorder, self.pools.get(task)
                )
            return self._models[task]

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

    def translator(
        self, concurrency: int | None = None, progress: Callable[[int], None] | None = None
    ) -> Translator:
        """A translator on the translation model; make one per request, it counts its calls."""
        profile = self.profile("translate")
        options = translate_options(self.settings, profile, concurrency or self.slots("translate"))
        return Translator(
            self.model("translate"),
            profile,
            options,
            memory=self.memory,
            fault_check=partial(as_backend_error, url=self.url("translate")),
            progress=progress,
            retries=self.settings.backend_retries,
            # An explicit concurrency (a CLI batch's --jobs) gets its own gate.
            gate=None if concurrency else self.gates["translate"],
            count_tokens=self._token_counter("translate"),
        )

    def _token_counter(self, task: str) -> TokenCounter | None:
        model = self.model(task)
        with self._lock:
            if task not in self._counters:
                self._counters[task] = make_token_counter(
                    self.resolved[task], model, self.pools.get(task)
                )
            return self._counters[task]

    def corrector(self) -> Corrector:
        """A corrector on the proofreading model, one per request."""
        return Corrector(
            self.model("proofread"),
            self.profile("proofread"),
            fault_check=partial(as_backend_error, url=self.url("proofread")),
            retries=self.settings.backend_retries,
            gate=self.gates["proofread"],
        )

    def verifier(self) -> Verifier | None:
        """The language model that must prefer each model edit and spelling fix, if any."""
        if self.verifying is None or self._scorer_factory is None:
            return None
        if not self.profile("proofread").follows_prompts:
            return None  # no language model proofreads here (the pseudo backend)
        with self._lock:
            if self._scorer is None:
                self._scorer = self._scorer_factory(self.verifying, self.settings)
        return Verifier(self._scorer, self.settings.verify_margin)

    def nlp(self) -> Any:
        """The spaCy English pipeline."""
        return english_nlp()

    def layers(self, dialect: str) -> Layers:
        """Proofreading's checkers for an English dialect, with a corrector for this request."""
        return Layers(
            self.nlp(),
            harper_linter(dialect),
            errant_annotator(),
            self.corrector(),
            self.verifier(),
        )

    def warm_up(self) -> None:
        """Load in-process models and ask servers for their slots now, before the first request."""
        for task, resolved in self.resolved.items():
            if resolved.driver == "llama-cpp":
                self.model(task)
            self.slots(task)
        load_detector()
        self.nlp()
        harper_linter("en-US")
        errant_annotator()
        self.verifier()

    def unreachable(self) -> dict[str, str]:
        """Prepare local models, then probe every server: those that do not answer, and why."""
        self.warm_up()
        return self.unreachable_now()

    def unreachable_now(self) -> dict[str, str]:
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

    def check_backends(self) -> None:
        """Prepare local models and check remote backends answer; raise on the first that fails."""
        for url, detail in self.unreachable().items():
            raise BackendUnavailable(url, detail)
