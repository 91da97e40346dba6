"""Chroma in server mode: answers while it runs, a clear 503 while it is down, recovery by itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.app import create_app
from assistant.config import Settings
from assistant.retrieval.embeddings import MiniLMEmbedder
from assistant.services import build_services
from bench.server import free_port
from tests.conftest import KNOWLEDGE, Participants, auth
from tests.support.chroma_server import ChromaServer

pytestmark = pytest.mark.slow
API = "/api/v1"


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path / "chroma-server", free_port())
    server.start()
    yield server
    server.stop()


def test_store_outage_gives_503_and_recovers(
    tmp_path: Path, chroma_server: ChromaServer, embedder: MiniLMEmbedder
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "data",
        knowledge_dir=KNOWLEDGE,
        chroma_url=f"http://127.0.0.1:{chroma_server.port}",
        rate_limit_per_minute=0,
    )
    services = build_services(settings, embedder=embedder)
    services.ensure_knowledge()
    person = Participants(services).add()
    question = {"content": "What is the GROW model?"}
    with TestClient(create_app(settings, services=services)) as client:
        assert client.post(f"{API}/ask", json=question, headers=auth(person)).status_code == 200
        assert client.get(f"{API}/ready").status_code == 200

        chroma_server.stop()
        services.qa.retriever.embedder.embed(["warm"])  # the outage is the store's, not the model's
        down = client.post(f"{API}/ask", json={"content": "How do I plan a closing session?"}, headers=auth(person))
        assert down.status_code == 503 and "unavailable" in down.json()["detail"]
        ready = client.get(f"{API}/ready")
        assert ready.status_code == 503 and ready.json()["checks"]["vector_store"].startswith("unavailable")

        chroma_server.start()
        again = client.post(f"{API}/ask", json={"content": "How do I plan a closing session?"}, headers=auth(person))
        assert again.status_code == 200 and again.json()["citations"]
        assert client.get(f"{API}/ready").status_code == 200
    services.close()
