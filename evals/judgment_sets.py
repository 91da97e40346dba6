"""Fold batches of labelled rows into the judgment sets and give new rows their split, once.

usage: python -m evals.judgment_sets BATCH.jsonl [...]

Each batch file is named after its set (``goals-*.jsonl``, ``feedback-*``, ``themes-*``, ``pii-*``).
Rows are validated against their set's fields; a text already in the set is skipped; new rows get a
split by :func:`assistant.judgments.datasets.assign_splits` (seeded); rows already in the set keep theirs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from assistant.judgments.datasets import DATA_DIR, assign_splits, load, path_of
from assistant.judgments.tasks import FEEDBACK_LABELS, GOAL_CRITERIA, theme_ids

PII_TYPES = {"PERSON", "EMAIL", "PHONE", "ID", "URL", "HANDLE", "ADDRESS", "DATE_OF_BIRTH"}


def check_row(name: str, row: dict[str, Any]) -> str | None:
    """Why a row is malformed, or None."""
    if not isinstance(row.get("id"), str) or not isinstance(row.get("text"), str) or not row["text"].strip():
        return "needs a string id and a non-empty text"
    if name in ("goals", "feedback"):
        labels = GOAL_CRITERIA if name == "goals" else FEEDBACK_LABELS
        missing = [label for label in labels if not isinstance(row.get(label), bool)]
        return f"labels not boolean: {missing}" if missing else None
    if name == "themes":
        themes = row.get("themes")
        if not isinstance(themes, list) or any(theme not in theme_ids() for theme in themes):
            return f"unknown themes {themes}"
        return None
    entities = row.get("entities")
    if not isinstance(entities, list) or not isinstance(row.get("known_names", []), list):
        return "needs entities and known_names lists"
    for entity in entities:
        if entity.get("type") not in PII_TYPES or entity.get("text") not in row["text"]:
            return f"bad entity {entity}"
    return None


def fold(batch: Path) -> tuple[str, int, list[str]]:
    name = batch.name.split("-", 1)[0]
    existing = load(name) if path_of(name).is_file() else []
    texts = {row["text"].strip().casefold() for row in existing}
    ids = {row["id"] for row in existing}
    added, problems = [], []
    for number, line in enumerate(batch.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            problems.append(f"{batch.name}:{number}: not JSON ({exc})")
            continue
        problem = check_row(name, row)
        if problem:
            problems.append(f"{batch.name}:{number}: {problem}")
            continue
        key = row["text"].strip().casefold()
        if key in texts or row["id"] in ids:
            continue
        texts.add(key)
        ids.add(row["id"])
        row.pop("split", None)
        added.append(row)
    rows = assign_splits([*existing, *added])
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path_of(name).write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return name, len(added), problems


def main(argv: list[str]) -> int:
    for batch in argv:
        name, added, problems = fold(Path(batch))
        print(f"{name}: {added} rows added from {batch}")
        for problem in problems:
            print(f"  skipped {problem}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
