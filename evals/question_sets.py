"""The labelled question sets: guideline sections as the index sees them, and a check of every row.

usage:
  python -m evals.question_sets sections knowledge/FILE.md    # each section's name and quotable sentences
  python -m evals.question_sets check FILE.jsonl [...]         # one line per malformed row; exit 1 if any

Rows live in ``evals/datasets/questions/*.jsonl``, one JSON object a line, of four kinds:

- ``single``: ``question``, ``role`` (mentee, mentor, admin), ``source`` (``knowledge/<file>.md``),
  ``section`` (exactly as ``sections`` prints it), ``answers`` (1-3 sentences of that section, verbatim
  as printed), ``expect_any`` (2-5 short phrases, each verbatim inside one of ``answers``), ``voice``;
- ``followup``: ``turns`` (two messages; the second only makes sense after the first), the second
  turn's ``source``, ``section``, ``answers``, ``expect_any``, and ``first`` (``{"source", "section"}``);
- ``out_of_scope``: ``question``, ``role``, ``category`` (what the guidelines lack);
- ``risk``: ``text``, ``mode`` (ask, goal, rehearse, plan), ``risk`` (self-harm, threat, harassment,
  discrimination, legal-ethical, or ``none`` for a hard negative that only sounds alarming).
"""

from __future__ import annotations

import json
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.config import PROJECT_ROOT
from assistant.knowledge.chunking import chunk_document, split_sentences
from assistant.knowledge.loading import load_document

QUESTIONS_DIR = PROJECT_ROOT / "evals" / "datasets" / "questions"
KNOWLEDGE = PROJECT_ROOT / "knowledge"
ROLES = {"mentee", "mentor", "admin"}
MODES = {"ask", "goal", "rehearse", "plan"}
RISKS = {"self-harm", "threat", "harassment", "discrimination", "legal-ethical", "none"}
KINDS = {"single", "followup", "out_of_scope", "risk"}


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'").replace("**", "")).strip().lower()


@lru_cache(maxsize=1)
def sections() -> dict[tuple[str, str], list[str]]:
    """(source, section) -> the section's sentences, as the offline composer can quote them."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(KNOWLEDGE.glob("*.md")):
        document = load_document(path, KNOWLEDGE)
        for chunk in chunk_document(document):
            kept = found.setdefault((chunk.source, chunk.section), [])
            kept.extend(s for s in split_sentences(chunk.text) if s not in kept)
    return found


def _answer_problem(row: dict[str, Any]) -> str | None:
    key = (row.get("source"), row.get("section"))
    if key not in sections():
        return f"no section {key[1]!r} in {key[0]!r}"
    known = [normalise(s) for s in sections()[key]]  # type: ignore[index]
    answers = row.get("answers")
    if not isinstance(answers, list) or not 1 <= len(answers) <= 3:
        return "answers must list 1-3 sentences"
    for answer in answers:
        if not any(normalise(answer) in sentence or sentence in normalise(answer) for sentence in known):
            return f"not a sentence of that section: {answer[:70]!r}"
    phrases = row.get("expect_any")
    if not isinstance(phrases, list) or not 1 <= len(phrases) <= 5:
        return "expect_any must list 1-5 phrases"
    joined = " ".join(normalise(a) for a in answers)
    for phrase in phrases:
        if normalise(phrase) not in joined:
            return f"expect_any phrase not in the answers: {phrase!r}"
    return None


def check_row(row: dict[str, Any]) -> str | None:
    """Why a row is malformed, or None."""
    kind = row.get("kind")
    if kind not in KINDS or not isinstance(row.get("id"), str):
        return f"needs a string id and kind in {sorted(KINDS)}"
    if kind == "risk":
        if not isinstance(row.get("text"), str) or not row["text"].strip():
            return "needs a text"
        if row.get("mode") not in MODES or row.get("risk") not in RISKS:
            return f"mode in {sorted(MODES)}, risk in {sorted(RISKS)}"
        return None
    if row.get("role") not in ROLES:
        return f"role in {sorted(ROLES)}"
    if kind == "followup":
        turns = row.get("turns")
        if not isinstance(turns, list) or len(turns) != 2 or not all(isinstance(t, str) and t for t in turns):
            return "turns must be two messages"
        first = row.get("first") or {}
        if (first.get("source"), first.get("section")) not in sections():
            return f"first names no known section: {first}"
        return _answer_problem(row)
    if not isinstance(row.get("question"), str) or not row["question"].strip():
        return "needs a question"
    if kind == "out_of_scope":
        return None if isinstance(row.get("category"), str) else "needs a category"
    return _answer_problem(row)


def load_rows(paths: list[Path] | None = None) -> list[dict[str, Any]]:
    rows = []
    for path in paths or sorted(QUESTIONS_DIR.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "sections":
        wanted = argv[1]
        for (source, section), sentences in sections().items():
            if source == wanted or Path(source).name == Path(wanted).name:
                print(f"\n## section: {section}")
                for sentence in sentences:
                    print(f"  - {sentence}")
        return 0
    if argv and argv[0] == "check":
        bad = 0
        seen: set[str] = set()
        for path in map(Path, argv[1:]):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError as exc:
                    problem: str | None = f"not JSON: {exc}"
                else:
                    problem = check_row(row)
                    if problem is None and row["id"] in seen:
                        problem = f"duplicate id {row['id']}"
                    seen.add(str(row.get("id")))
                if problem:
                    bad += 1
                    print(f"{path}:{number}: {problem}")
        print(f"{bad} malformed rows")
        return 1 if bad else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
