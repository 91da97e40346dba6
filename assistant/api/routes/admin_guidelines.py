"""Admin: the guideline documents in ``knowledge_dir`` (list, upload) and re-indexing them with progress."""

from __future__ import annotations

import hashlib
import os
import re
import threading
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from assistant.api.deps import ServicesDep, require_roles
from assistant.db.models import User
from assistant.knowledge.ingest import index_fingerprint
from assistant.knowledge.job import IngestJob, IngestStatus
from assistant.knowledge.loading import SUPPORTED_SUFFIXES, discover_files, display_source
from assistant.services import Services

router = APIRouter(prefix="/admin", tags=["admin"])
AdminUser = Annotated[User, Depends(require_roles("admin"))]
FILENAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,118}[A-Za-z0-9]$")
_job_lock = threading.Lock()


class GuidelineOut(BaseModel):
    name: str
    source: str
    bytes: int
    chunks: int
    index: Literal["indexed", "changed", "not indexed"]


class GuidelinesOut(BaseModel):
    data: list[GuidelineOut]
    count: int


def ingest_job(request: Request) -> IngestJob:
    """The app's one indexing job (the lifespan creates it and starts the start-up run)."""
    with _job_lock:
        job: IngestJob | None = getattr(request.app.state, "ingest_job", None)
        if job is None:
            job = request.app.state.ingest_job = IngestJob()
        return job


IngestJobDep = Annotated[IngestJob, Depends(ingest_job)]


def list_guidelines(services: Services, only: Path | None = None) -> list[GuidelineOut]:
    """Every guideline file with its index state, or only the file ``only`` (an upload reads one file,
    not the whole folder)."""
    knowledge_dir = services.settings.knowledge_dir
    stored = services.store.files()
    files = [(only, knowledge_dir)] if only is not None else discover_files([knowledge_dir])
    result = []
    for path, root in files:
        source = display_source(path, root)
        raw = path.read_bytes()
        indexed = stored.get(source)
        fingerprint = index_fingerprint(hashlib.sha256(raw).hexdigest(), services.embedder.model_id)
        if indexed is None or not indexed.complete:
            state: Literal["indexed", "changed", "not indexed"] = "not indexed"
        else:
            state = "indexed" if indexed.file_hash == fingerprint else "changed"
        result.append(
            GuidelineOut(
                name=path.relative_to(knowledge_dir).as_posix(),
                source=source,
                bytes=len(raw),
                chunks=indexed.chunk_count if indexed and indexed.complete else 0,
                index=state,
            )
        )
    return result


@router.get("/guidelines", response_model=GuidelinesOut)
def guidelines(_: AdminUser, services: ServicesDep) -> GuidelinesOut:
    """The guideline files in ``knowledge_dir`` with their chunk counts and whether the index is current."""
    data = list_guidelines(services)
    return GuidelinesOut(data=data, count=len(data))


def check_upload(filename: str, content: bytes) -> None:
    suffix = Path(filename).suffix.lower()
    if not FILENAME.match(filename) or suffix not in SUPPORTED_SUFFIXES:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"filename: use letters, digits, '.', '-', '_' and one of {', '.join(sorted(SUPPORTED_SUFFIXES))}",
        )
    if not content:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the file is empty")
    if suffix == ".pdf":
        if not content.startswith(b"%PDF-"):
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the file is not a PDF")
        return
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the file is not UTF-8 text") from None
    if b"\x00" in content:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the file looks binary")


def save_guideline(knowledge_dir: Path, filename: str, content: bytes) -> None:
    """Write atomically, so an ingest running meanwhile never reads half a file."""
    knowledge_dir.mkdir(parents=True, exist_ok=True)
    partial = knowledge_dir / f".{filename}.uploading"
    partial.write_bytes(content)
    os.replace(partial, knowledge_dir / filename)


READ_ONLY = (
    "the shipped guidelines are read-only: copy them to DATA_DIR/knowledge (or set KNOWLEDGE_DIR), restart, then upload"
)


@router.post("/guidelines", status_code=status.HTTP_201_CREATED, response_model=GuidelineOut)
async def upload_guideline(
    request: Request,
    _: AdminUser,
    services: ServicesDep,
    job: IngestJobDep,
    filename: Annotated[str, Query(max_length=120)],
) -> GuidelineOut:
    """Store the request body as ``knowledge_dir/<filename>`` (replacing a file of that name) and start
    indexing that one file in the background (poll ``GET /admin/ingest``); if a re-index is already
    running, the file is picked up by the next ``POST /admin/ingest``."""
    if services.settings.shipped_guidelines:
        raise HTTPException(status.HTTP_409_CONFLICT, READ_ONLY)
    content = await request.body()
    check_upload(filename, content)
    path = services.settings.knowledge_dir / filename
    await run_in_threadpool(save_guideline, services.settings.knowledge_dir, filename, content)
    [listed] = await run_in_threadpool(list_guidelines, services, path)
    job.start(lambda progress: services.ingest([path], progress))
    return listed


@router.get("/ingest", response_model=IngestStatus)
def ingest_status(_: AdminUser, job: IngestJobDep) -> IngestStatus:
    return job.status()


@router.post("/ingest", status_code=status.HTTP_202_ACCEPTED, response_model=IngestStatus)
def start_ingest(_: AdminUser, services: ServicesDep, job: IngestJobDep) -> IngestStatus:
    """Re-index ``knowledge_dir`` in the background; poll ``GET /admin/ingest`` for progress."""
    if not job.start(lambda progress: services.ingest(on_progress=progress)):
        raise HTTPException(status.HTTP_409_CONFLICT, "a re-index is already running")
    return job.status()
