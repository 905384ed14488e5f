"""The API token: generated once, kept readable by its owner only, required on every endpoint
but /health, the static files, the web page (which takes it once and keeps it in a cookie) and
the compatibility facades' read-only metadata, which LibreTranslate and LanguageTool serve openly
and their clients fetch before anything else."""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from fastapi import Request

from dragoman.chains import InputError

from ..errors import Unauthorized
from ..settings import Settings, config_file_path
from .forms import read_fields
from .security import is_loopback

COOKIE = "dragoman_token"
PUBLIC = ("/health", "/static/", "/favicon.ico", "/dragoman.user.js")  # the script holds no token
# Metadata anyone may read; /download_file/ names are unguessable (a random UUID), as in
# LibreTranslate, whose clients fetch the translated file's URL without a key.
OPEN_METADATA = ("/languages", "/frontend/settings", "/v2/languages", "/v2/info")
OPEN_PREFIXES = ("/download_file/", "/v2/maxtextlength", "/v2/configinfo")
# Where each facade's clients put the key: LibreTranslate's `api_key` (`apiKey` from the npm
# client), LanguageTool's `apiKey` (beside a `username` Dragoman does not need).
LIBRETRANSLATE = ("/translate", "/translate_file", "/detect", "/suggest")
KEY_FIELDS = {"libretranslate": ("api_key", "apiKey"), "languagetool": ("apiKey",)}


def token_path() -> Path:
    """Where the generated token is kept: beside the config file."""
    return config_file_path().parent / "token"


def load_or_create_token(settings: Settings) -> str:
    """The token in force: DRAGOMAN_TOKEN, the stored one, or a new one written with mode 0600."""
    if settings.token is not None:
        return settings.token.get_secret_value()
    path = token_path()
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    return token


def _facade(path: str) -> str | None:
    if path in LIBRETRANSLATE:
        return "libretranslate"
    if path.startswith("/v2/"):
        return "languagetool"
    return None


async def _key_field(request: Request, names: tuple[str, ...]) -> str | None:
    """The key a compatibility client sent in the query or a JSON, urlencoded or multipart body."""
    try:
        fields = await read_fields(request)
    except InputError:
        return None  # the endpoint reports a bad body itself, once the token is right
    for name in names:
        if isinstance(fields.get(name), str):
            return fields[name]
    return None


async def presented_token(request: Request) -> str | None:
    """The token a request carries: Bearer header, the page's cookie or a facade's key field."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    if COOKIE in request.cookies:
        return request.cookies[COOKIE]
    facade = _facade(request.url.path)
    return await _key_field(request, KEY_FIELDS[facade]) if facade else None


def open_without_token(request: Request, settings: Settings) -> bool:
    """Paths anyone on the machine may use: health, static files, the facades' metadata, and
    /v2/check if opened."""
    path = request.url.path
    if path.startswith(PUBLIC) or path == "/" or path in OPEN_METADATA:
        return True
    if path.startswith(OPEN_PREFIXES) and request.method in ("GET", "HEAD"):
        return True
    if path.startswith("/v2/") and settings.open_languagetool:
        return is_loopback(settings.host)  # never without a token beyond this machine
    return False


async def require_token(request: Request) -> None:
    """FastAPI dependency applied to the whole app."""
    settings: Settings = request.app.state.runtime.settings
    if open_without_token(request, settings):
        return
    expected: str = request.app.state.token
    given = await presented_token(request)
    if given is None or not hmac.compare_digest(given.encode(), expected.encode()):
        facade = _facade(request.url.path)
        how = f"`{KEY_FIELDS[facade][0]}` or " if facade else ""
        raise Unauthorized(
            f"a valid API token is required: send it as {how}`Authorization: Bearer <token>` "
            "(see `dragoman token`)"
        )
