"""The FastAPI application factory."""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError

from assistant import __version__
from assistant.api.docs import install_docs
from assistant.api.limits import BodySizeLimit, make_rate_limiter
from assistant.api.routes import (
    admin_guidelines,
    ask,
    conversations,
    goals,
    health,
    insights,
    nudges,
    openai_compat,
    pairs,
    plans,
    programs,
    users,
)
from assistant.config import Settings, get_settings
from assistant.knowledge.ingest import IngestSummary, ProgressCallback
from assistant.knowledge.job import IngestJob
from assistant.logs import OutageLog
from assistant.program.cohorts import Conflict, NotFound, ProgramError
from assistant.retrieval.store import StoreUnavailableError
from assistant.services import Services, build_services
from assistant.turns import finish_detached_turns
from assistant.web import install_web, nudges_off, oidc

log = logging.getLogger(__name__)
API_PREFIX = "/api/v1"


def freeze_startup_objects() -> None:
    """Move what start-up built (the embedding model's tokenizer, the index client, several hundred thousand
    objects) out of the garbage collector's view: a full collection no longer walks them, which on this
    stack otherwise pauses a request for a hundred milliseconds or more now and then. Objects built later
    are collected as usual."""
    gc.collect()
    gc.freeze()


def _one_line(exc: RequestValidationError) -> str:
    errors = exc.errors()
    if not errors:
        return "invalid request"
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    if first.get("type") == "json_invalid":
        return "request body is not valid JSON"
    return f"{where}: {message}" if where else message


def install_limits(app: FastAPI, settings: Settings) -> None:
    """Body-size limits, per-user rate limits, and CORS only for configured origins (closed by default)."""
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_request_bytes,
        upload_paths=(f"{API_PREFIX}/admin/",),
        upload_bytes=settings.max_upload_bytes,
    )
    app.state.rate_limiter = make_rate_limiter(
        settings.rate_limit_per_minute, settings.rate_limit_burst, settings.redis_url
    )
    app.state.signin_limiter = make_rate_limiter(
        settings.signin_attempts_per_minute, max(settings.signin_attempts_per_minute, 1), settings.redis_url
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )


def install_error_schema(app: FastAPI) -> None:
    """Document validation errors as they are sent: ``{"detail": "one line"}``, not FastAPI's list."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            schemas = schema.get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                schemas["HTTPValidationError"] = {
                    "title": "HTTPValidationError",
                    "type": "object",
                    "properties": {"detail": {"title": "Detail", "type": "string"}},
                    "required": ["detail"],
                }
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


DISK_FULL = re.compile(r"disk is full|no space left on device|could not extend file", re.I)


def _start_up_index(services: Services, progress: ProgressCallback) -> IngestSummary:
    try:
        summary = services.ingest(on_progress=progress)
    except StoreUnavailableError:
        log.warning("vector store unavailable at start-up; readiness will report it")
        raise
    log.info("knowledge base index: %s", summary.line())
    return summary


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """Build the app; the lifespan builds the services once unless they are given (tests)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = services is None
        app.state.services = services or build_services(settings)
        if owned:
            # Indexed in the background: the port opens at once and /ready says "indexing" until done.
            job = app.state.ingest_job = IngestJob()
            job.start(partial(_start_up_index, app.state.services))
            if settings.theme_worker == "in-process":
                app.state.services.themes.notify()  # messages left in the outbox by a crash are counted now
            freeze_startup_objects()
        try:
            yield
        finally:
            if unfinished := await finish_detached_turns():
                log.warning("%d turns were still being answered at shutdown", unfinished)
            if owned:
                await run_in_threadpool(app.state.ingest_job.stop)  # SIGTERM: stop between two files
                app.state.services.close()

    app = FastAPI(title="Tandem", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None)
    install_docs(app)
    if services is not None:
        app.state.services = services
    install_limits(app, settings)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": _one_line(exc)})

    @app.exception_handler(StoreUnavailableError)
    async def _store_down(_: Request, exc: StoreUnavailableError) -> JSONResponse:
        return JSONResponse(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            content={"detail": "the guideline index is unavailable; try again shortly"},
            headers={"Retry-After": "5"},
        )

    outages = OutageLog(log)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def _database_down(_: Request, exc: Exception) -> JSONResponse:
        """The database is unreachable (503) or its disk is full (507): a status the client can act on,
        one log line, no traceback; the transaction was rolled back, so nothing is half-written."""
        cause = getattr(exc, "orig", exc)
        if DISK_FULL.search(str(cause)):
            outages.failed("database write refused: the disk is full")
            return JSONResponse(
                status_code=status.HTTP_507_INSUFFICIENT_STORAGE,
                content={"detail": "the server's disk is full; nothing was changed, try again once space is freed"},
                headers={"Retry-After": "60"},
            )
        outages.failed(f"database unavailable: {type(cause).__name__}")
        return JSONResponse(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            content={"detail": "the database is unavailable; nothing was changed, try again shortly"},
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(NotFound)
    async def _not_found(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse(status_code=status.HTTP_404_NOT_FOUND, content={"detail": str(exc.args[0])})

    @app.exception_handler(ProgramError)
    async def _refused(_: Request, exc: ProgramError) -> JSONResponse:
        code = status.HTTP_409_CONFLICT if isinstance(exc, Conflict) else status.HTTP_422_UNPROCESSABLE_CONTENT
        return JSONResponse(status_code=code, content={"detail": str(exc)})

    install_error_schema(app)
    for router in (
        health.router,
        ask.router,
        conversations.router,
        goals.router,
        plans.router,
        insights.router,
        users.router,
        programs.router,
        pairs.router,
        nudges.router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(admin_guidelines.router, prefix=API_PREFIX)
    app.include_router(openai_compat.router)  # OpenAI's own paths (/v1/...), for chat front-ends
    app.include_router(oidc.router)
    app.include_router(nudges_off.router)
    install_web(app)
    return app
