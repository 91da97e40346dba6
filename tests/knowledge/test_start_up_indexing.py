"""The server opens its port before indexing, says how far indexing is, and stops it cleanly."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import assistant.app as app_module
from assistant.app import create_app
from assistant.config import Settings
from assistant.knowledge.ingest import IngestSummary, ProgressCallback
from assistant.knowledge.job import IngestJob, IngestStopped
from assistant.services import Services

API = "/api/v1"
KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


def test_ready_says_indexing_with_progress_until_the_start_up_index_is_done(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    for name in ("mentoring-agreement.md", "program-purpose.md"):
        shutil.copy(KNOWLEDGE / name, knowledge / name)
    settings.knowledge_dir = knowledge
    shutil.rmtree(settings.data_dir / "chroma")  # a first start: nothing indexed yet
    held, release = threading.Event(), threading.Event()
    real = app_module._start_up_index

    def slow_first_file(services: Services, progress: ProgressCallback) -> IngestSummary:
        def holding(source: str, number: int, total: int) -> None:
            progress(source, number, total)
            held.set()
            release.wait(60)

        return real(services, holding)

    monkeypatch.setattr(app_module, "_start_up_index", slow_first_file)
    with TestClient(create_app(settings)) as client:
        assert held.wait(60)
        assert client.get(f"{API}/health").status_code == 200  # the port answers while indexing
        indexing = client.get(f"{API}/ready")
        assert indexing.status_code == 503 and indexing.headers["retry-after"]
        assert indexing.json()["status"] == "indexing"
        assert indexing.json()["checks"]["index"].startswith("indexing 0/2: knowledge/")
        release.set()
        for _ in range(600):
            ready = client.get(f"{API}/ready")
            if ready.status_code == 200:
                break
            time.sleep(0.1)
        assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_a_stop_ends_a_run_between_two_files() -> None:
    job, files_done = IngestJob(), []
    started = threading.Event()

    def indexer(progress: ProgressCallback) -> IngestSummary:
        for number in range(1, 1001):
            progress(f"knowledge/{number}.md", number, 1000)
            files_done.append(number)
            started.set()
            time.sleep(0.01)
        return IngestSummary()

    assert job.start(indexer)
    assert started.wait(10)
    assert job.stop(timeout=30)
    status = job.status()
    assert status.state == "stopped" and status.finished_at is not None
    assert 0 < len(files_done) < 1000
    assert not job.running and job.start(lambda progress: IngestSummary())  # a new run may start


def test_the_stop_exception_is_raised_only_after_a_stop() -> None:
    job = IngestJob()
    job._progress("knowledge/a.md", 1, 2)  # no stop asked: nothing raised
    job._stop.set()
    with pytest.raises(IngestStopped):
        job._progress("knowledge/b.md", 2, 2)
