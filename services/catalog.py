"""Backends and model presets, read from presets.toml, and how settings pick one per task."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from pydantic import BaseModel, Field

from .errors import ConfigError
from .settings import Settings

TASKS = ("translate", "proofread")


class Backend(BaseModel, frozen=True):
    """A way to reach a model: which driver talks to it and its defaults."""

    driver: str
    description: str = ""
    base_url: str | None = None
    health_path: str | None = None
    call_options: bool = False
    extra_body: dict[str, object] = Field(default_factory=dict)
    # Stream answers: a server notices a caller that left at once, and frees its slot.
    stream: bool = False
    # The call keyword that carries extra JSON fields of a request ("extra_body" for OpenAI's).
    body_kwarg: str | None = None
    # Call keywords asking for an answer constrained to a JSON schema; "$schema" stands for it.
    schema_kwargs: dict[str, object] | None = None
    # Where the server counts the tokens of a text with the model's own tokenizer.
    tokenize_path: str | None = None
    # Where the server tells how many requests it runs at once, and the field that says so.
    slots_path: str | None = None
    slots_field: str = "total_slots"
    default_presets: dict[str, str]


class Preset(BaseModel, frozen=True):
    """A model and how to prompt it."""

    backend: str
    description: str = ""
    model: str
    models: dict[str, str] = Field(default_factory=dict)
    model_package: str | None = None
    prompt_style: str
    system_role: bool = True
    context_window: int
    temperature: float = 0.0
    stop: list[str] = Field(default_factory=list)
    # llama.cpp's samplers against repetition (repeat_penalty, dry_multiplier…): in the body of
    # every request to a server, and as call options in-process.
    samplers: dict[str, float] = Field(default_factory=dict)
    # Fields added to every request's body; "$source" and "$target" stand for the language codes.
    request_body: dict[str, object] = Field(default_factory=dict)
    # Whether batches ask for JSON constrained to their ids, where the backend can do that.
    constrained: bool = False
    # Whether answers must be in the target language (pseudo-localisation keeps the source's).
    check_language: bool = True
    # An in-process preset whose language model must prefer each edit this model proposes, and
    # each spelling fix, before it is shown (docs/benchmarks.md §4): small models need a critic.
    verifier: str | None = None
    # The languages whose sentences this model corrects when it proofreads (each needs its
    # prompts, prompts/proofread_<language>.*); None: every language that has them.
    proofread_languages: list[str] | None = None


class Catalog(BaseModel, frozen=True):
    """Every backend and preset Dragoman knows."""

    backends: dict[str, Backend]
    presets: dict[str, Preset]

    def with_samplers(self, preset: str, samplers: dict[str, float]) -> Catalog:
        """This catalog with other samplers on one preset (for trying them side by side)."""
        changed = self.presets[preset].model_copy(update={"samplers": samplers})
        return self.model_copy(update={"presets": {**self.presets, preset: changed}})


@cache
def load_catalog() -> Catalog:
    """Read the presets file shipped in this package."""
    text = files(__package__).joinpath("presets.toml").read_text(encoding="utf-8")
    return Catalog.model_validate(tomllib.loads(text))


@dataclass(frozen=True)
class ResolvedModel:
    """The model one task will use once presets and settings are combined."""

    task: str
    preset_name: str
    backend_name: str
    backend: Backend
    preset: Preset
    model: str
    base_url: str | None
    base_urls: tuple[str, ...] = ()  # every server of the pool; base_url is the first

    @property
    def driver(self) -> str:
        """Name of the code that talks to this backend."""
        return self.backend.driver

    def describe(self) -> dict[str, object]:
        """Summarise for /health, /v1/models and `dragoman config`."""
        return {
            "preset": self.preset_name,
            "backend": self.backend_name,
            "model": self.model,
            "url": self.base_url,
            "urls": list(self.base_urls),
            "prompt_style": self.preset.prompt_style,
        }


def _choose(kind: str, name: str, known: dict) -> None:
    if name not in known:
        raise ConfigError(f"unknown {kind} {name!r}; choose one of: {', '.join(sorted(known))}")


def resolve_model(task: str, settings: Settings, catalog: Catalog | None = None) -> ResolvedModel:
    """Pick backend, preset, model name and URL for `task`; raise ConfigError on unknown names."""
    catalog = catalog or load_catalog()
    preset_name = getattr(settings, f"{task}_preset")
    if preset_name is not None:
        _choose("preset", preset_name, catalog.presets)
    backend_name = settings.backend or (
        catalog.presets[preset_name].backend if preset_name else "embedded"
    )
    _choose("backend", backend_name, catalog.backends)
    backend = catalog.backends[backend_name]
    preset_name = preset_name or backend.default_presets[task]
    preset = catalog.presets[preset_name]
    model = settings.model or preset.models.get(backend_name, preset.model)
    urls = [url.rstrip("/") for url in settings.base_urls if url.strip()]
    base_url = (
        urls[0] if urls else (settings.base_url or backend.base_url or "").rstrip("/") or None
    )
    if backend.driver in ("openai", "ollama") and not base_url:
        raise ConfigError(f"backend {backend_name!r} needs a base URL (--base-url)")
    pool = tuple(urls) if urls else (base_url,) if base_url else ()
    return ResolvedModel(task, preset_name, backend_name, backend, preset, model, base_url, pool)


def resolve_verifier(
    settings: Settings, proofread: Preset, catalog: Catalog | None = None
) -> ResolvedModel | None:
    """The in-process model that checks proofreading fixes, or None when there is none."""
    catalog = catalog or load_catalog()
    name = settings.proofread_verifier or proofread.verifier
    if not name or name == "off":
        return None
    _choose("verifier preset", name, catalog.presets)
    preset = catalog.presets[name]
    backend = catalog.backends[preset.backend]
    if backend.driver != "llama-cpp":
        raise ConfigError(
            f"verifier preset {name!r} runs on {preset.backend!r}; a verifier needs each token's "
            "probability, so it must be an in-process (embedded) preset, or 'off'"
        )
    return ResolvedModel("verify", name, preset.backend, backend, preset, preset.model, None)
