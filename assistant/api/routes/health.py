from __future__ import annotations

import shutil

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import text

from assistant.api.deps import ServicesDep
from assistant.api.schemas import HealthOut
from assistant.knowledge.job import IngestJob
from assistant.services import Services

router = APIRouter(tags=["health"])
MIN_FREE_BYTES = 50_000_000
"""Below this much free space in DATA_DIR, /ready reports the disk as full (writes would start failing)."""


@router.get("/health", response_model=HealthOut)
def health() -> HealthOut:
    """Liveness: the process answers."""
    return HealthOut(status="ok")


def _readiness(services: Services) -> dict[str, str]:
    checks: dict[str, str] = {}
    try:
        with services.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means not ready
        checks["database"] = f"unavailable: {type(exc).__name__}"
    free = shutil.disk_usage(services.settings.data_dir).free if services.settings.data_dir.exists() else 0
    checks["disk"] = "ok" if free >= MIN_FREE_BYTES else f"full: {free // 1_000_000} MB free"
    try:
        services.store.ping()
        checks["vector_store"] = "ok" if services.store.count() > 0 else "empty: run tandem ingest"
    except Exception as exc:  # a stopped Chroma server, a broken local index
        checks["vector_store"] = f"unavailable: {type(exc).__name__}"
    return checks


@router.get("/ready", response_model=HealthOut, responses={503: {"model": HealthOut}})
async def ready(request: Request, services: ServicesDep) -> HealthOut | JSONResponse:
    """Readiness: database reachable and the guidelines indexed. While the start-up (or an admin's)
    indexing runs, ``status`` is ``indexing`` and ``checks.index`` says how far it is (503)."""
    checks = await run_in_threadpool(_readiness, services)
    job: IngestJob | None = getattr(request.app.state, "ingest_job", None)
    indexing = job.status() if job is not None else None
    if indexing is not None and indexing.state == "running":
        checks["index"] = indexing.progress()
        body = HealthOut(status="indexing", checks=checks).model_dump()
        return JSONResponse(status_code=503, content=body, headers={"Retry-After": "2"})
    if all(v == "ok" for v in checks.values()):
        return HealthOut(status="ready", checks=checks)
    return JSONResponse(status_code=503, content=HealthOut(status="not ready", checks=checks).model_dump())
