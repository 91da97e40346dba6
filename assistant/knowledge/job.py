"""One indexing run at a time, in a thread, with progress others can read and a clean stop.

The server starts one at start-up (so its port opens at once and ``/ready`` says ``indexing`` with
progress until the index is current) and an admin starts one with ``POST /admin/ingest``. A stop
(SIGTERM at shutdown) takes effect between two files: every file already indexed stays complete, the
one not reached is indexed by the next run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel

from assistant.knowledge.ingest import IngestSummary, ProgressCallback

Indexer = Callable[[ProgressCallback], IngestSummary]


class IngestStopped(Exception):
    """Raised from the progress callback, between two files, when the run was asked to stop."""


class IngestStatus(BaseModel):
    state: Literal["idle", "running", "done", "failed", "stopped"] = "idle"
    done: int = 0
    total: int = 0
    current: str | None = None
    summary: str | None = None
    error: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None

    def progress(self) -> str:
        """``indexing 3/12: knowledge/x.md`` while running (for ``/ready`` and the terminal)."""
        where = f": {self.current}" if self.current else ""
        return f"indexing {self.done}/{self.total or '?'}{where}"


class IngestJob:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._status = IngestStatus()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def status(self) -> IngestStatus:
        with self._lock:
            return self._status.model_copy()

    @property
    def running(self) -> bool:
        return self.status().state == "running"

    def start(self, indexer: Indexer) -> bool:
        """Start a run of ``indexer`` unless one is running (then False)."""
        with self._lock:
            if self._status.state == "running":
                return False
            self._status = IngestStatus(state="running", started_at=datetime.now(UTC))
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, args=(indexer,), name="tandem-ingest", daemon=True)
            self._thread.start()
        return True

    def stop(self, timeout: float = 30.0) -> bool:
        """Ask a running run to stop after the file it is on; True once no run is going."""
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def _progress(self, source: str, number: int, total: int) -> None:
        if self._stop.is_set():
            raise IngestStopped
        with self._lock:
            self._status = self._status.model_copy(update={"done": number - 1, "total": total, "current": source})

    def _run(self, indexer: Indexer) -> None:
        update: dict[str, object]
        try:
            summary = indexer(self._progress)
        except IngestStopped:
            update = {"state": "stopped", "current": None}
        except Exception as exc:  # the store or a file failed: report it, keep serving
            update = {"state": "failed", "error": f"{type(exc).__name__}: {exc}"[:300]}
        else:
            update = {"state": "done", "current": None, "summary": summary.line()}
        with self._lock:
            if update["state"] == "done":
                update["done"] = self._status.total
            self._status = self._status.model_copy(update={**update, "finished_at": datetime.now(UTC)})
