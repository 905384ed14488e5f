"""The built-in web page: translate and proofread in the browser, served locally (no CDN)."""

from __future__ import annotations

import hmac
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse

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
