"""Fixtures for the eval machinery: a warm index to replay on, recordings made against the stub server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def eval_data_dir(tmp_path_factory: pytest.TempPathFactory, indexed_chroma: Path) -> Path:
    """A data folder holding a copy of the session's index (so a replay embeds no guideline)."""
    data_dir = tmp_path_factory.mktemp("eval-data")
    shutil.copytree(indexed_chroma, data_dir / "chroma")
    return data_dir
