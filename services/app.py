"""The FastAPI app factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from chains.errors import DragomanError

from .errormap import error_body, http_status
from .jobs import JobRunner, JobStore
from .routes import documents, languagetool, libretranslate, meta, proofread, translate, web
from .runtime import Runtime
from .settings import Settings

log = logging.getLogger("dragoman")
STATIC = Path(__file__).parent / "static"


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error as {"error": {"code", "message"}}, never with a stack trace."""

    @app.exception_handler(DragomanError)
    async def _typed(request: Request, exc: DragomanError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), status_code=http_status(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'] if p != 'body') or 'body'}: {err['msg']}"
            for err in exc.errors()
        )
        return JSONResponse(error_body("invalid_request", problems), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(
            error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return JSONResponse(error_body("internal_error", "internal error; see the server log"), 500)


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the HTTP app; nothing is loaded until it starts (or, in tests, until first use)."""
    runtime = runtime or Runtime(settings or Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if runtime.settings.warm_up:
            await run_in_threadpool(runtime.warm_up)
        app.state.jobs.start()
        yield
        await app.state.jobs.stop()

    app = FastAPI(title="Dragoman", version="0.1.0", lifespan=lifespan)
    app.state.runtime = runtime
    app.state.jobs = JobRunner(runtime, JobStore(runtime.settings.data_dir / "jobs"))
    install_error_handlers(app)
    app.include_router(meta.router)
    app.include_router(translate.router)
    app.include_router(libretranslate.router)
    app.include_router(proofread.router)
    app.include_router(languagetool.router)
    app.include_router(documents.router)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
