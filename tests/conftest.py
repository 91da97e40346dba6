"""Shared fixtures: settings on temporary paths, a real index of the shipped guidelines, clients.

The network is blocked by pytest-socket (see pyproject addopts); only localhost is allowed, for the
stub OpenAI-compatible server and PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from assistant.app import create_app
from assistant.config import PROJECT_ROOT, Settings
from assistant.db import crud
from assistant.db.engine import transaction
from assistant.knowledge.ingest import ingest_paths
from assistant.retrieval.embeddings import MiniLMEmbedder, get_embedder
from assistant.retrieval.store import ChromaStore, make_vector_store
from assistant.services import Services, build_services

KNOWLEDGE = PROJECT_ROOT / "knowledge"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    return get_embedder(2)


@pytest.fixture(scope="session")
def indexed_chroma(tmp_path_factory: pytest.TempPathFactory, embedder: MiniLMEmbedder) -> Path:
    """A Chroma folder holding the shipped knowledge base, built once per test session."""
    path = tmp_path_factory.mktemp("chroma")
    store = make_vector_store("", path, "guidelines")
    ingest_paths([KNOWLEDGE], store, embedder)
    return path


@pytest.fixture(scope="session")
def knowledge_store(indexed_chroma: Path) -> ChromaStore:
    return make_vector_store("", indexed_chroma, "guidelines")


@contextmanager
def _fresh_postgres_schema(url: str) -> Iterator[str]:
    """A schema of its own per test session, so runs never see each other's rows; dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:10]}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


DATABASES = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("TEST_DATABASE_URL is not set")
    with _fresh_postgres_schema(POSTGRES_URL) as url:
        yield url


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tandem.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture(params=DATABASES)
def own_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of this test's own, empty (a SQLite file, or a fresh PostgreSQL schema dropped after)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'own.db'}"
        return
    with _fresh_postgres_schema(POSTGRES_URL) as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, indexed_chroma: Path, database_url: str) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copytree(indexed_chroma, data_dir / "chroma")
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        data_dir=data_dir,
        database_url=database_url,
        knowledge_dir=KNOWLEDGE,
        llm_provider="offline",
    )


@pytest.fixture
def services(settings: Settings, embedder: MiniLMEmbedder) -> Iterator[Services]:
    built = build_services(settings, embedder=embedder)
    yield built
    built.close()


@pytest.fixture
def client(settings: Settings, services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(settings, services=services)) as test_client:
        yield test_client


class Participants:
    """Creates users and remembers their tokens."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def add(self, name: str = "Alex Example", role: str = "mentee", cohort: str | None = None) -> dict[str, str]:
        with transaction(self.services.db_factory) as db:
            user, token = crud.create_user(db, name=name, role=role, cohort=cohort)
            return {"id": str(user.id), "token": token, "Authorization": f"Bearer {token}"}


@pytest.fixture
def participants(services: Services) -> Participants:
    return Participants(services)


def auth(person: dict[str, str]) -> dict[str, str]:
    return {"Authorization": person["Authorization"]}
