"""The API token: generated once, kept readable by its owner only, required on every endpoint
but /health, the static files and the web page (which takes it once and keeps it in a cookie)."""

from __future__ import annotations

import hmac
import json
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qsl

from fastapi import Request

from .errors import Unauthorized
from .security import is_loopback
from .settings import Settings, config_file_path

COOKIE = "dragoman_token"
PUBLIC = ("/health", "/static/", "/favicon.ico")


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


async def _api_key(request: Request) -> str | None:
    """LibreTranslate clients send `api_key` in the query, a form or a JSON body."""
    if "api_key" in request.query_params:
        return request.query_params["api_key"]
    body = await request.body()  # Starlette keeps it, so the endpoint can read it again
    try:
        data = json.loads(body)
        if isinstance(data, dict) and isinstance(data.get("api_key"), str):
            return data["api_key"]
    except ValueError:
        pass
    try:
        return dict(parse_qsl(body.decode("utf-8"))).get("api_key")
    except UnicodeDecodeError:
        return None


async def presented_token(request: Request) -> str | None:
    """The token a request carries: Bearer header, the page's cookie or LibreTranslate's api_key."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    if COOKIE in request.cookies:
        return request.cookies[COOKIE]
    if request.url.path in ("/translate", "/detect", "/languages"):
        return await _api_key(request)
    return None


def open_without_token(request: Request, settings: Settings) -> bool:
    """Paths anyone on the machine may use: health, static files, and /v2/check if opened."""
    path = request.url.path
    if path.startswith(PUBLIC) or path == "/":
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
        raise Unauthorized(
            "a valid API token is required: send `Authorization: Bearer <token>` "
            "(see `dragoman token`)"
        )
