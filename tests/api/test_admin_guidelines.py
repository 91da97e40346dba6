"""Admin guideline management over HTTP: list with chunk counts, upload, re-index with progress."""

from __future__ import annotations

import shutil
import threading
import time
from importlib.resources import files
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.knowledge.ingest import IngestSummary, ProgressCallback
from assistant.retrieval.store import StoreUnavailableError
from assistant.services import Services
from tests.conftest import KNOWLEDGE, Participants, auth

API = "/api/v1/admin"
GUIDELINE = b"# Lunch roulette\n\n## Pairing\n\nOnce a month lunch roulette pairs participants outside their pairing.\n"


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """A copy of the knowledge folder (same name, so the index's sources still match): uploads land there."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    return settings.model_copy(update={"knowledge_dir": knowledge})


def wait_for_ingest(client: TestClient, headers: dict[str, str]) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = client.get(f"{API}/ingest", headers=headers).json()
        if status["state"] != "running":
            return status  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError("the re-index did not finish in 60 s")


def test_only_admins_manage_guidelines(client: TestClient, participants: Participants) -> None:
    for role in ("mentee", "mentor", "hr"):
        person = auth(participants.add(role=role))
        assert client.get(f"{API}/guidelines", headers=person).status_code == 403
        assert client.post(f"{API}/guidelines?filename=x.md", content=b"# x", headers=person).status_code == 403
        assert client.post(f"{API}/ingest", headers=person).status_code == 403


def test_list_upload_and_reindex(client: TestClient, participants: Participants, settings: Settings) -> None:
    admin = auth(participants.add("Ada Admin", "admin"))
    listed = client.get(f"{API}/guidelines", headers=admin).json()
    names = {g["name"]: g for g in listed["data"]}
    assert listed["count"] == len(list(KNOWLEDGE.glob("*.md")))
    assert names["development-goals.md"]["index"] == "indexed" and names["development-goals.md"]["chunks"] > 0

    created = client.post(f"{API}/guidelines?filename=lunch.md", content=GUIDELINE, headers=admin)
    assert created.status_code == 201
    assert created.json() == {
        "name": "lunch.md",
        "source": "knowledge/lunch.md",
        "bytes": len(GUIDELINE),
        "chunks": 0,
        "index": "not indexed",
    }
    assert (settings.knowledge_dir / "lunch.md").read_bytes() == GUIDELINE

    status = wait_for_ingest(client, admin)  # the upload indexes that one file, not the folder
    assert status["state"] == "done" and status["summary"].startswith("1 added, 0 updated, 0 removed")
    assert status["done"] == status["total"] == 1
    lunch = next(g for g in client.get(f"{API}/guidelines", headers=admin).json()["data"] if g["name"] == "lunch.md")
    assert lunch["index"] == "indexed" and lunch["chunks"] == 1

    assert client.post(f"{API}/ingest", headers=admin).status_code == 202  # the whole folder: nothing new
    status = wait_for_ingest(client, admin)
    assert status["state"] == "done" and status["summary"].startswith("0 added, 0 updated, 0 removed")
    assert status["done"] == status["total"] == listed["count"] + 1

    (settings.knowledge_dir / "lunch.md").write_bytes(GUIDELINE + b"\nMore.\n")
    changed = next(g for g in client.get(f"{API}/guidelines", headers=admin).json()["data"] if g["name"] == "lunch.md")
    assert changed["index"] == "changed"


@pytest.mark.parametrize(
    ("filename", "content", "fragment"),
    [
        ("../escape.md", b"# x", "filename"),
        (".hidden.md", b"# x", "filename"),
        ("notes.docx", b"# x", "filename"),
        ("empty.md", b"", "empty"),
        ("latin.md", "café".encode("latin-1"), "UTF-8"),
        ("nul.txt", b"a\x00b", "binary"),
        ("fake.pdf", b"# not a pdf", "not a PDF"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_written(
    client: TestClient, participants: Participants, settings: Settings, filename: str, content: bytes, fragment: str
) -> None:
    admin = auth(participants.add("Ada Admin", "admin"))
    before = sorted(p.name for p in settings.knowledge_dir.iterdir())
    response = client.post(f"{API}/guidelines", params={"filename": filename}, content=content, headers=admin)
    assert response.status_code == 422 and fragment in response.json()["detail"]
    assert sorted(p.name for p in settings.knowledge_dir.iterdir()) == before
    assert not (settings.knowledge_dir.parent / "escape.md").exists()


def test_progress_is_reported_and_a_second_reindex_while_one_runs_is_a_409(
    client: TestClient, participants: Participants, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = auth(participants.add("Ada Admin", "admin"))
    release = threading.Event()

    def held_ingest(paths: object = None, on_progress: ProgressCallback | None = None) -> IngestSummary:
        assert on_progress is not None
        on_progress("knowledge/a.md", 1, 2)
        on_progress("knowledge/b.md", 2, 2)
        release.wait(10)
        return IngestSummary(unchanged=2)

    monkeypatch.setattr(services, "ingest", held_ingest)
    assert client.get(f"{API}/ingest", headers=admin).json()["state"] == "idle"
    assert client.post(f"{API}/ingest", headers=admin).status_code == 202
    deadline = time.monotonic() + 10
    while (status := client.get(f"{API}/ingest", headers=admin).json())["current"] != "knowledge/b.md":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert status["state"] == "running" and (status["done"], status["total"]) == (1, 2)
    second = client.post(f"{API}/ingest", headers=admin)
    assert second.status_code == 409 and second.json()["detail"] == "a re-index is already running"
    release.set()
    finished = wait_for_ingest(client, admin)
    assert finished["state"] == "done" and finished["done"] == 2 and finished["summary"].startswith("0 added")


def test_a_failed_reindex_says_why(
    client: TestClient, participants: Participants, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = auth(participants.add("Ada Admin", "admin"))

    def broken(paths: object = None, on_progress: object = None) -> IngestSummary:
        raise StoreUnavailableError("chroma is down")

    monkeypatch.setattr(services, "ingest", broken)
    assert client.post(f"{API}/ingest", headers=admin).status_code == 202
    status = wait_for_ingest(client, admin)
    assert status["state"] == "failed" and status["error"] == "StoreUnavailableError: chroma is down"


def test_uploading_into_the_guidelines_inside_the_installed_package_is_refused(
    client: TestClient, participants: Participants, services: Services
) -> None:
    packaged = Path(str(files("assistant").joinpath("_resources", "knowledge")))
    services.settings = services.settings.model_copy(update={"knowledge_dir": packaged})
    admin = auth(participants.add("Ada Admin", "admin"))

    response = client.post(f"{API}/guidelines?filename=lunch.md", content=GUIDELINE, headers=admin)

    assert response.status_code == 409 and "DATA_DIR/knowledge" in response.json()["detail"]
    assert not (packaged / "lunch.md").exists()
