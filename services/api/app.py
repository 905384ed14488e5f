"""The FastAPI app factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from dragoman.chains import DragomanError

from .. import __version__
from ..heap import ReleaseWhenIdle, freeze_loaded, limit_arenas, release_free_memory
from ..jobs import JobRunner
from ..runtime import Runtime
from ..settings import Settings
from ..stores.jobstore import JobStore
from .admission import Admission
from .auth import load_or_create_token, require_token
from .errormap import (
    COMPAT_DIALECTS,
    compat_status,
    error_body,
    http_status,
    libretranslate_body,
    validation_message,
)
from .routes import (
    documents,
    languagetool,
    languagetool_info,
    libretranslate,
    libretranslate_files,
    meta,
    proofread,
    translate,
    web,
    words,
)
from .security import BodyLimit, HostGuard

log = logging.getLogger("dragoman")
STATIC = Path(__file__).parent / "static"


def _dialect(request: Request) -> str:
    """Which API's error dialect the request's route speaks: its facade's, else Dragoman's."""
    tags = getattr(request.scope.get("route"), "tags", ())
    return next((tag for tag in tags if tag in COMPAT_DIALECTS), "Dragoman")


def _error(
    request: Request, code: str, message: str, status: int, headers: Mapping[str, str] | None = None
) -> Response:
    """An error answer in the dialect of the API the client called."""
    dialect = _dialect(request)
    if dialect == "Dragoman":
        return JSONResponse(error_body(code, message), status, headers=headers)
    status = compat_status(status)
    if dialect == languagetool.TAG:  # LanguageTool's server answers errors as plain text
        return PlainTextResponse(f"Error: {message}", status, headers=headers)
    return JSONResponse(libretranslate_body(message), status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error as {"error": {"code", "message"}}, or in the dialect of the facade the
    client called (LibreTranslate's {"error": "message"}, LanguageTool's plain text), never
    with a stack trace."""

    @app.exception_handler(DragomanError)
    async def _typed(request: Request, exc: DragomanError) -> Response:
        retry = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry)} if retry else None
        return _error(request, exc.code, exc.message, http_status(exc), headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return _error(request, "invalid_request", validation_message(exc.errors()), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(request, code, str(exc.detail), exc.status_code, exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return JSONResponse(error_body("internal_error", "internal error; see the server log"), 500)


# The routes that take documents: their bodies may be as large as DRAGOMAN_MAX_UPLOAD_BYTES.
UPLOAD_PATHS = ("/v1/documents", "/translate_file")


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the HTTP app; nothing is loaded until it starts (or, in tests, until first use)."""
    runtime = runtime or Runtime(settings or Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        limit_arenas(runtime.settings.malloc_arenas)  # before the thread pool's first thread
        if runtime.settings.warm_up:
            await run_in_threadpool(runtime.warm_up)
            await run_in_threadpool(freeze_loaded)  # before the first request, off the loop
            await run_in_threadpool(release_free_memory)  # what loading the models left behind
        await app.state.jobs.start()
        yield
        await app.state.jobs.stop()
        await run_in_threadpool(runtime.stores.database.close)  # waits for connections in use

    settings = runtime.settings
    app = FastAPI(
        title="Dragoman",
        version=__version__,
        lifespan=lifespan,
        dependencies=[Depends(require_token)],
    )
    app.state.runtime = runtime
    app.state.token = load_or_create_token(settings)
    # Read without asking servers: never blocking I/O on the event loop.
    slots = partial(runtime.models.slots, "translate", probe=False)
    app.state.admission = Admission(slots, settings.max_queue)
    # Jobs from before the shared database sit in data_dir/jobs; they move in at start.
    store = JobStore(runtime.stores.database, legacy=settings.data_dir / "jobs")
    app.state.jobs = JobRunner(runtime, store)
    install_error_handlers(app)
    app.include_router(meta.router)
    app.include_router(translate.router)
    app.include_router(libretranslate.router)
    app.include_router(libretranslate_files.router)
    app.include_router(proofread.router)
    app.include_router(languagetool.router)
    app.include_router(languagetool_info.router)
    app.include_router(words.router)
    app.include_router(documents.router)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if settings.cors_origins:  # no CORS headers at all unless an origin is configured
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_headers=["*"],
            allow_methods=["*"],
        )
    app.add_middleware(ReleaseWhenIdle)
    app.add_middleware(
        BodyLimit,
        limit=settings.max_body_bytes,
        uploads=settings.max_upload_bytes + 64 * 1024,  # the form's fields around the file
        upload_paths=UPLOAD_PATHS,
    )
    app.add_middleware(HostGuard, allowed=settings.allowed_hosts)
    return app
