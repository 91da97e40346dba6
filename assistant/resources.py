"""Where the default guidelines and the prompt templates are: inside the installed package, or the clone.

A wheel carries ``knowledge/`` and ``prompts/`` as ``assistant/_resources/`` (hatchling's
``force-include``), read with :mod:`importlib.resources`; an editable install from a clone reads the
top-level folders, so a developer's edits there take effect at once.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

CLONE_ROOT = Path(__file__).resolve().parent.parent


def _packaged(name: str) -> Path:
    return Path(str(files("assistant").joinpath("_resources", name)))


def bundled(name: str) -> Path:
    """The folder ``name`` ("knowledge" or "prompts") shipped with Tandem."""
    packaged = _packaged(name)
    return packaged if packaged.is_dir() else CLONE_ROOT / name


def is_packaged(path: Path) -> bool:
    """Whether ``path`` is a folder inside the installed package (read-only: an upgrade replaces it)."""
    return path.resolve().is_relative_to(_packaged("").resolve())
