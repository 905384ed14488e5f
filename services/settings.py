"""The one settings class: defaults live here and nowhere else."""

from __future__ import annotations

import ipaddress
import json
import os
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from platformdirs import user_cache_dir, user_config_dir, user_data_dir
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

APP_NAME = "dragoman"


def _bracketed_ipv6(value: str) -> bool:
    """Whether `value` starts with an IPv6 address in brackets ([::1], as in a URL's host)."""
    inner = value.strip()[1:].partition("]")[0]
    try:
        ipaddress.IPv6Address(inner)
    except ValueError:
        return False
    return True


def _check_url(url: str) -> str:
    """Refuse what is not an http(s) URL with a host, naming it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http:// or https:// URL with a host")
    return url


def config_file_path() -> Path:
    """Return the TOML config file in effect: $DRAGOMAN_CONFIG or the user config dir."""
    explicit = os.environ.get("DRAGOMAN_CONFIG")
    return Path(explicit) if explicit else Path(user_config_dir(APP_NAME)) / "config.toml"


class Settings(BaseSettings):
    """Dragoman's configuration: init arguments, then DRAGOMAN_* variables, then the TOML file."""

    model_config = SettingsConfigDict(env_prefix="DRAGOMAN_", extra="forbid")

    host: str = Field("127.0.0.1", description="address the HTTP service binds")
    port: int = Field(8787, ge=1, le=65535, description="port the HTTP service binds")
    backend: str | None = Field(None, description="backend for every task (overrides the presets')")
    base_url: str | None = Field(
        None, description="URL of the backend's API (overrides the default)"
    )
    base_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="a pool of servers of one model, comma-separated; overrides base_url",
    )
    server_slots: dict[str, int] = Field(
        default_factory=dict,
        description="requests in flight per server URL, for servers that cannot say (default 1)",
    )
    server_retry: float = Field(
        5.0, gt=0, description="seconds before a server that failed is tried again"
    )
    model: str | None = Field(
        None, description="model name for the backend; for `embedded`, a path to a GGUF file"
    )
    api_key: SecretStr | None = Field(
        None, description="key for OpenAI-compatible servers that need one"
    )
    translate_preset: str | None = Field(None, description="model preset for translation")
    proofread_preset: str | None = Field(None, description="model preset for proofreading")
    proofread_verifier: str | None = Field(
        None,
        description="in-process preset whose language model must prefer each model edit and "
        "spelling fix (default: the proofreading preset's; 'off': none)",
    )
    verify_margin: float = Field(
        2.0, ge=0, description="how much likelier (nats) a fix must make its sentence to show"
    )
    model_dir: Path = Field(
        Path(user_cache_dir(APP_NAME)) / "models", description="where the embedded GGUF is written"
    )
    data_dir: Path = Field(Path(user_data_dir(APP_NAME)), description="translation memory and jobs")
    database_url: SecretStr | None = Field(
        None,
        description="SQLAlchemy URL of the database holding the translation memory and document "
        "jobs, shared by replicas (postgresql+psycopg://user:password@host/db); default: "
        "memory.sqlite3 in the data directory",
    )
    job_lease: float = Field(
        60.0,
        gt=0,
        description="seconds a replica holds a document job without renewing its lease; after "
        "that another replica takes the job over",
    )
    job_attempts: int = Field(
        5,
        ge=1,
        description="times a document job may be started before it is marked failed: by "
        "replicas that then stop without a word (killed, out of memory), or while its model is "
        "unavailable",
    )
    job_backoff: float = Field(
        20.0,
        gt=0,
        description="seconds a document job waits when its model was unavailable before it is "
        "tried again, doubled at each further attempt (it fails after job_attempts)",
    )
    job_poll: float = Field(
        5.0, gt=0, description="seconds between a replica's looks for jobs it may run"
    )
    request_timeout: float = Field(120.0, gt=0, description="seconds to wait for one model call")
    threads: int | None = Field(None, ge=1, description="CPU threads for the embedded model")
    warm_up: bool = Field(True, description="load local models when the service starts")
    malloc_arenas: int = Field(
        2,
        ge=0,
        description="glibc malloc arenas for the service's threads (0: glibc's default of 8 "
        "per core); fewer keep freed memory from piling up per thread",
    )
    parallel: int | None = Field(
        None,
        ge=1,
        le=64,
        description="model requests in flight at once; default: llama-server's slots, else 1",
    )
    batch_segments: int = Field(24, ge=1, description="most segments in one chat request")
    retry_temperature: float = Field(
        0.5, ge=0, le=2, description="sampling temperature of a segment's retry after a bad answer"
    )
    ladder_cost: float = Field(
        4.0,
        ge=1,
        description="most tokens a segment's repairs may cost, in multiples of its first call's",
    )
    constrained: bool | None = Field(
        None,
        description="ask for chat batches as JSON constrained to their ids (default: the preset's)",
    )
    batch_chars: int = Field(2400, ge=100, description="most characters in one chat request")
    memory: bool = Field(True, description="keep finished translations in the translation memory")
    memory_examples: int = Field(
        3,
        ge=0,
        le=10,
        description="remembered segments close to a new one shown to the model as examples "
        "(0: none)",
    )
    memory_match: float = Field(
        0.5,
        ge=0,
        le=1,
        description="how close (0–1, the share of words in common, in order) a remembered "
        "segment must be to serve as an example",
    )
    max_items: int = Field(500, ge=1, description="most texts in one translation request")
    max_chars: int = Field(1_000_000, ge=1, description="most characters in one text to translate")
    max_proofread_chars: int = Field(
        100_000, ge=1, description="most characters to proofread at once"
    )
    dictionary: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="words never flagged as misspelled, besides those added through /v2/words",
    )
    max_alternatives: int = Field(
        3, ge=0, description="most sampled alternatives one LibreTranslate request may ask for"
    )
    download_retention: float = Field(
        1800.0, gt=0, description="seconds a /translate_file result stays downloadable"
    )
    token: SecretStr | None = Field(
        None, description="API token; by default one is generated and kept in the config folder"
    )
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Host names accepted besides localhost, 127.0.0.1, [::1]"
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="origins allowed to call the API from a web page"
    )
    open_languagetool: bool = Field(
        False, description="serve /v2/check without a token (only when bound to loopback)"
    )
    max_body_bytes: int = Field(8_000_000, ge=1024, description="largest request body accepted")
    max_upload_bytes: int = Field(
        64 << 20,
        ge=1024,
        description="largest uploaded document (a book or a Word file with its pictures)",
    )
    max_document_chars: int = Field(
        4_000_000, ge=1, description="most characters of text to translate in one document"
    )
    archive_entries: int = Field(
        10_000, ge=1, description="most entries in a .docx or .epub (a zip container)"
    )
    archive_entry_bytes: int = Field(
        64 << 20, ge=1024, description="largest uncompressed entry of a .docx or .epub"
    )
    archive_total_bytes: int = Field(
        256 << 20, ge=1024, description="most bytes a .docx or .epub inflates to in all"
    )
    archive_ratio: float = Field(
        200.0,
        gt=1,
        description="highest compression ratio of an entry over 1 MiB in a .docx or .epub",
    )
    max_queue: int = Field(16, ge=0, description="requests waiting for the model before 429s")
    grammalecte: str = Field(
        "grammalecte-server",
        description="Grammalecte's server command, which checks French grammar (empty: off)",
    )
    grammalecte_timeout: float = Field(
        60.0, gt=0, description="seconds Grammalecte may take to check one paragraph"
    )
    progress_every: float = Field(
        10.0, gt=0, description="seconds between the CLI's progress lines when not on a terminal"
    )
    request_deadline: float = Field(600.0, gt=0, description="seconds a request may take at most")
    backend_retries: int = Field(2, ge=0, le=10, description="retries after a backend fault")

    @field_validator("base_urls", "dictionary", "allowed_hosts", "cors_origins", mode="before")
    @classmethod
    def _read_list(cls, value: Any) -> Any:
        """A list from the environment: JSON (`["a", "b"]`) or comma-separated (`a,b`)."""
        if not isinstance(value, str):
            return value
        if value.lstrip().startswith(("{", '"')):
            raise ValueError('JSON that is not a list; give ["a", "b"] or a,b')
        if value.lstrip().startswith("["):
            try:
                items = json.loads(value)
            except json.JSONDecodeError as exc:
                if not _bracketed_ipv6(value):  # [::1],example.com is a list of hosts
                    raise ValueError(f"not a JSON list ({exc.msg}); give one or a,b,c") from None
                items = value.split(",")
            if not all(isinstance(item, str) for item in items):
                raise ValueError("a JSON list must hold strings only")
            return [item.strip() for item in items if item.strip()]
        return [item.strip() for item in value.split(",") if item.strip()]

    @field_validator("base_urls")
    @classmethod
    def _urls(cls, urls: list[str]) -> list[str]:
        """Every server of a pool is an http(s) URL with a host."""
        for url in urls:
            _check_url(url)
        return urls

    @field_validator("base_url")
    @classmethod
    def _url(cls, url: str | None) -> str | None:
        """The backend's URL is an http(s) URL with a host."""
        return url if url is None else _check_url(url)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Read init arguments first, then the environment, then the TOML config file."""
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file_path())
        return (init_settings, env_settings, toml)


def load_settings(**overrides: Any) -> Settings:
    """Build settings; non-None keyword overrides (CLI options) win over every other source."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
