from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import text

from assistant.api.deps import ServicesDep
from assistant.api.schemas import HealthOut
from assistant.services import Services

router = APIRouter(tags=["health"])


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
    try:
        services.store.ping()
        checks["vector_store"] = "ok" if services.store.count() > 0 else "empty: run tandem ingest"
    except Exception as exc:  # a stopped Chroma server, a broken local index
        checks["vector_store"] = f"unavailable: {type(exc).__name__}"
    return checks


@router.get("/ready", response_model=HealthOut, responses={503: {"model": HealthOut}})
async def ready(services: ServicesDep) -> HealthOut | JSONResponse:
    """Readiness: database reachable and the guidelines indexed."""
    checks = await run_in_threadpool(_readiness, services)
    if all(v == "ok" for v in checks.values()):
        return HealthOut(status="ready", checks=checks)
    return JSONResponse(status_code=503, content=HealthOut(status="not ready", checks=checks).model_dump())
