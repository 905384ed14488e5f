"""The built-in web page: translate and proofread in the browser, served locally (no CDN)."""

from __future__ import annotations

import hmac
import json
import re
from functools import cache
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from dragoman.chains import InputError

from ..auth import COOKIE

router = APIRouter(include_in_schema=False)
INDEX = Path(__file__).resolve().parent.parent / "static" / "index.html"


@router.get("/", response_model=None)
def index(request: Request, token: str | None = None) -> FileResponse | RedirectResponse:
    """The page; opened as `/?token=…` (the link `dragoman serve` prints) it keeps the token
    in a same-site, script-proof cookie and drops it from the address bar."""
    if token is not None and hmac.compare_digest(token.encode(), request.app.state.token.encode()):
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
        return response
    return FileResponse(INDEX, media_type="text/html")


USERSCRIPT = "/dragoman.user.js"
# The script's built-in address, replaced by the one it is served from.
_DEFAULT_URL = 'serviceUrl: "http://127.0.0.1:8787",'
_END_OF_METADATA = "// ==/UserScript=="
_HOST = re.compile(r"[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]")


@cache
def _script() -> str:
    """The userscript as it ships (package data of dragoman.userscripts)."""
    return files("dragoman.userscripts").joinpath("dragoman.user.js").read_text(encoding="utf-8")


def served_userscript(scheme: str, host: str, port: int | None) -> str:
    """The userscript set to talk to this service: its address as the default, leave to connect
    to it, and update and download URLs that point here."""
    if scheme not in ("http", "https") or not _HOST.fullmatch(host):
        raise InputError(f"cannot serve the userscript for the address {host!r}")
    base = f"{scheme}://{host}" + (f":{port}" if port else "")
    script = _script()
    if _DEFAULT_URL not in script or _END_OF_METADATA not in script:
        raise RuntimeError("userscripts/dragoman.user.js lost its default service address")
    metadata = (
        f"// @connect      {host.strip('[]')}\n"
        f"// @updateURL    {base}{USERSCRIPT}\n"
        f"// @downloadURL  {base}{USERSCRIPT}\n"
    )
    script = script.replace(_END_OF_METADATA, metadata + _END_OF_METADATA, 1)
    return script.replace(_DEFAULT_URL, f"serviceUrl: {json.dumps(base)},", 1)


@router.get(USERSCRIPT)
def userscript(request: Request) -> Response:
    """The userscript, for a userscript manager to install (it holds no token)."""
    url = request.url
    script = served_userscript(url.scheme, url.hostname or "", url.port)
    return Response(script, media_type="text/javascript; charset=utf-8")
