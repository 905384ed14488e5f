"""Build the LangChain model for a resolved preset, and probe whether its backend answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx
from langchain_core.language_models import BaseLanguageModel

from dragoman.chains.translate import TokenCounter, estimate_tokens

from ..catalog import ResolvedModel
from ..settings import Settings
from .dryrun import Recorder, RecordingTransport
from .embedded import LlamaCppCompletion, gguf_path, is_loaded, make_embedded_model
from .pool import PoolTransport, ServerPool
from .pseudo import PseudoLocalizer

# Default cap on generated tokens; chains lower it per call from the input's length.
MAX_TOKENS = 1024


def _transport(
    resolved: ResolvedModel, recorder: Recorder | None, pool: ServerPool | None
) -> PoolTransport | RecordingTransport:
    if recorder is not None:
        return RecordingTransport(recorder)
    # No pooled connections for async calls: the service calls models from more than one event
    # loop (proofreading runs in worker threads), and a pooled socket belongs to the loop that
    # opened it. A loopback connect costs far less than any model call.
    single_use = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_keepalive_connections=0))
    pool = pool or ServerPool(resolved.base_urls, retry_after=0)
    return PoolTransport(pool, resolved.base_url or "", asynchronous=single_use)


def _http_clients(
    resolved: ResolvedModel, settings: Settings, recorder: Recorder | None, pool: ServerPool | None
) -> tuple[httpx.Client, httpx.AsyncClient]:
    transport = _transport(resolved, recorder, pool)
    timeout = httpx.Timeout(settings.request_timeout, connect=5.0)
    return (
        httpx.Client(timeout=timeout, transport=transport),
        httpx.AsyncClient(timeout=timeout, transport=transport),
    )


def _make_openai(
    resolved: ResolvedModel, settings: Settings, recorder: Recorder | None, pool: ServerPool | None
):
    # Base models continue text on /v1/completions; instruct models get chat completions.
    from langchain_openai import ChatOpenAI, OpenAI

    sync_client, async_client = _http_clients(resolved, settings, recorder, pool)
    key = settings.api_key.get_secret_value() if settings.api_key else "no-key"
    common = {
        "model": resolved.model,
        "base_url": resolved.base_url,
        "api_key": key,
        "temperature": resolved.preset.temperature,
        "max_tokens": MAX_TOKENS,
        "extra_body": dict(resolved.backend.extra_body) or None,
        "timeout": settings.request_timeout,
        "max_retries": 0,  # Dragoman retries faults itself, with backoff (backend_retries)
        "http_client": sync_client,
        "http_async_client": async_client,
        "streaming": resolved.backend.stream,
    }
    stop = resolved.preset.stop or None
    if resolved.preset.prompt_style == "completion":
        # The completions client takes `stop` among the request's own fields.
        return OpenAI(**common, model_kwargs={"stop": stop} if stop else {})
    # With streaming, token counts (prompt-cache hits among them) come in a last chunk if asked.
    return ChatOpenAI(**common, stop=stop, stream_usage=True)


def _make_ollama(
    resolved: ResolvedModel, settings: Settings, recorder: Recorder | None, pool: ServerPool | None
):
    from langchain_ollama import ChatOllama

    transport = {"transport": _transport(resolved, recorder, pool)}
    return ChatOllama(
        model=resolved.model,
        base_url=resolved.base_url,
        temperature=resolved.preset.temperature,
        num_ctx=resolved.preset.context_window,
        num_predict=MAX_TOKENS,
        stop=resolved.preset.stop or None,
        client_kwargs={"timeout": settings.request_timeout, **transport},
    )


def _make_embedded(
    resolved: ResolvedModel, settings: Settings, recorder: Recorder | None, pool: ServerPool | None
):
    return make_embedded_model(resolved, settings, recorder)


def _make_pseudo(
    resolved: ResolvedModel, settings: Settings, recorder: Recorder | None, pool: ServerPool | None
):
    return PseudoLocalizer()


Driver = Callable[
    [ResolvedModel, Settings, Recorder | None, "ServerPool | None"], BaseLanguageModel
]
DRIVERS: dict[str, Driver] = {
    "openai": _make_openai,
    "ollama": _make_ollama,
    "llama-cpp": _make_embedded,
    "pseudo": _make_pseudo,
}


def make_chat_model(
    resolved: ResolvedModel,
    settings: Settings,
    recorder: Recorder | None = None,
    pool: ServerPool | None = None,
) -> BaseLanguageModel:
    """Build the model for `resolved`, sending to the pool's servers; with a recorder, requests
    are captured instead of sent."""
    return DRIVERS[resolved.driver](resolved, settings, recorder, pool)


@dataclass(frozen=True)
class Probe:
    """Whether a backend answered, and what was seen."""

    reachable: bool
    detail: str


# llama-server gives each open connection one of a few HTTP threads for as long as its read
# timeout (600 s): an idle kept-alive connection would starve its model calls.
_NO_KEEPALIVE = httpx.Limits(max_keepalive_connections=0)


@cache
def _probe_client() -> httpx.Client:
    """One client for every probe: /health probes each server, and a new client per call costs
    milliseconds of CPU (its TLS set-up)."""
    return httpx.Client(limits=_NO_KEEPALIVE)


def probe_backend(
    resolved: ResolvedModel, settings: Settings, url: str | None = None, timeout: float = 2.0
) -> Probe:
    """Check that the backend of `resolved` (the server at `url`, if given) is there, without
    generating anything."""
    if resolved.driver == "pseudo":
        return Probe(True, "built in")
    if resolved.driver == "llama-cpp":
        path = gguf_path(resolved, settings)
        if is_loaded(path):
            return Probe(True, f"loaded {path}")
        return Probe(path.is_file(), f"{path} {'ready' if path.is_file() else 'not prepared'}")
    url = f"{url or resolved.base_url}{resolved.backend.health_path or ''}"
    try:
        response = _probe_client().get(url, timeout=timeout)
    except httpx.HTTPError as exc:
        return Probe(False, f"{type(exc).__name__}: {exc}".rstrip(": "))
    return Probe(response.status_code < 500, f"HTTP {response.status_code} from {url}")


def probe_slots(
    resolved: ResolvedModel, url: str | None = None, timeout: float = 2.0
) -> int | None:
    """How many requests a server runs at once, where it says (llama-server's /props)."""
    backend = resolved.backend
    url = url or resolved.base_url
    if not backend.slots_path or not url:
        return None
    root = url.removesuffix("/v1")  # /props lives beside the OpenAI API
    try:
        answer = _probe_client().get(f"{root}{backend.slots_path}", timeout=timeout)
        value = answer.json()[backend.slots_field]
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, int) and value > 0 else None


def make_token_counter(
    resolved: ResolvedModel, model: Any, pool: ServerPool | None = None
) -> TokenCounter | None:
    """Count tokens with the model's own tokenizer: in-process, or a server's (one of the pool
    that is up; blocking I/O, which the translator runs in a worker thread); else None."""
    if isinstance(model, LlamaCppCompletion) and model.llama is not None:
        return model.count_tokens
    path, base = resolved.backend.tokenize_path, resolved.base_url
    if not path or not base:
        return None
    return _ServerTokenizer(path, base, pool)


class _ServerTokenizer:
    """A server's /tokenize, remembered per text; a server that fails it leaves the pool."""

    _REMEMBERED = 4096

    def __init__(self, path: str, base: str, pool: ServerPool | None) -> None:
        self.path, self.base, self.pool = path, base, pool
        self._counts: dict[str, int] = {}
        # One client for every count: building one per call costs milliseconds of CPU (TLS set-up).
        self._client = httpx.Client(timeout=5, limits=_NO_KEEPALIVE)

    def __call__(self, text: str) -> int:
        if text in self._counts:
            return self._counts[text]
        count = self._ask(text)
        if count is None:
            return estimate_tokens(text)  # the server is away: the model call will say so
        if len(self._counts) >= self._REMEMBERED:
            self._counts.clear()
        self._counts[text] = count
        return count

    def _ask(self, text: str) -> int | None:
        server = self.pool.any_up() if self.pool else None
        url = (server.url if server else self.base).removesuffix("/v1") + self.path
        try:
            return len(self._client.post(url, json={"content": text}).json()["tokens"])
        except httpx.TransportError as exc:  # away: the pool asks another server next time
            if self.pool and server:
                self.pool.mark_down(server, f"tokenizer: {type(exc).__name__}: {exc}")
            return None
        except (httpx.HTTPError, ValueError, KeyError, TypeError):  # up, but no tokenizer here
            return None
