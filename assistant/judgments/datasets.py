"""The labelled sets the judgments learn from and are measured on (``evals/datasets/judgments/*.jsonl``).

Every row carries its ``split`` (train, dev or test), assigned once by :func:`assign_splits` with a
fixed seed and then stored in the file: adding rows later never moves an existing row to another
split, so the test split stays untouched.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.config import PROJECT_ROOT

DATA_DIR = PROJECT_ROOT / "evals" / "datasets" / "judgments"
SPLIT_SEED = 20261204
SPLIT_SHARES = (("train", 0.6), ("dev", 0.2), ("test", 0.2))
SPLITS = tuple(name for name, _ in SPLIT_SHARES)


class DatasetError(ValueError):
    """A labelled set is missing or malformed."""


def path_of(name: str, data_dir: Path | None = None) -> Path:
    return (data_dir or DATA_DIR) / f"{name}.jsonl"


def load(name: str, data_dir: Path | None = None, split: str | None = None) -> list[dict[str, Any]]:
    """The rows of one set (``goals``, ``feedback``, ``themes``, ``pii``), optionally of one split."""
    path = path_of(name, data_dir)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc}") from exc
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise DatasetError(f"{path}:{number}: not JSON ({exc})") from exc
        if row.get("split") not in SPLITS:
            raise DatasetError(f"{path}:{number}: split must be one of {', '.join(SPLITS)}")
        rows.append(row)
    return [row for row in rows if split is None or row["split"] == split]


def assign_splits(rows: Sequence[dict[str, Any]], seed: int = SPLIT_SEED) -> list[dict[str, Any]]:
    """Give every row without a split one, by a seeded shuffle of those rows in id order."""
    pending = sorted((row for row in rows if row.get("split") not in SPLITS), key=lambda row: row["id"])
    random.Random(seed).shuffle(pending)
    cut, start = {}, 0
    for name, share in SPLIT_SHARES:
        count = round(share * len(pending)) if name != SPLITS[-1] else len(pending) - start
        for row in pending[start : start + count]:
            cut[row["id"]] = name
        start += count
    return [{**row, "split": cut.get(row["id"], row.get("split"))} for row in rows]


def fingerprint(rows: Sequence[dict[str, Any]]) -> str:
    """A digest of the rows a model was trained on (ids, texts and labels), to tie weights to data."""
    digest = hashlib.sha256()
    for row in sorted(rows, key=lambda row: row["id"]):
        digest.update(json.dumps(row, sort_keys=True).encode())
    return digest.hexdigest()[:16]
