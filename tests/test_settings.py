"""Where Tandem keeps its data when nothing is configured, and where an organisation's guidelines go."""

from __future__ import annotations

from pathlib import Path

import pytest
from platformdirs import user_data_dir

from assistant.config import Settings
from assistant.resources import bundled


@pytest.fixture
def no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATA_DIR", "KNOWLEDGE_DIR", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_environment")
def test_the_data_lives_in_the_users_data_dir_by_default() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.data_dir == Path(user_data_dir("tandem", appauthor=False))
    assert settings.sqlalchemy_url == f"sqlite:///{settings.data_dir / 'tandem.db'}"
    assert settings.chroma_path == settings.data_dir / "chroma"


@pytest.mark.usefixtures("no_environment")
def test_an_organisations_guidelines_in_the_data_dir_replace_the_shipped_ones(tmp_path: Path) -> None:
    assert Settings(_env_file=None, data_dir=tmp_path).knowledge_dir == bundled("knowledge")  # type: ignore[call-arg]
    (tmp_path / "knowledge").mkdir()
    assert Settings(_env_file=None, data_dir=tmp_path).knowledge_dir == tmp_path / "knowledge"  # type: ignore[call-arg]
    chosen = tmp_path / "elsewhere"
    assert Settings(_env_file=None, data_dir=tmp_path, knowledge_dir=chosen).knowledge_dir == chosen  # type: ignore[call-arg]
