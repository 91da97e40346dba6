"""Scripted coaching conversations, scored: goal dialogues and six-line rehearsals (``tandem eval conversations``).

The scripts in ``evals/datasets/conversations/`` are the repository's own (written by helpers from
``knowledge/`` only). Each is played through the same functions the conversation API calls, offline,
and scored by the measures of issue 27; the figures are targets, and ``--gate`` fails below them.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from assistant.coaching.goal_dialogue import coach_turn
from assistant.coaching.goal_parts import NUMBER_WORDS
from assistant.coaching.goals import CRITERIA, PLACEHOLDER, check_goal
from assistant.judgments.evaluate import wilson

DATA = Path(__file__).parent / "datasets" / "conversations"
GOALS_FILE = DATA / "goal_dialogues.jsonl"
REHEARSALS_FILE = DATA / "rehearsals.jsonl"
TODAY = date(2026, 12, 7)  # the scripts' dates ("end of march") are read from the day they were written
TARGETS = {
    "goal_success": 0.90,
    "requests_answered": 0.90,
    "persona_no_repeats": 1.0,
    "persona_takes_up": 0.90,
    "mood_moves": 0.90,
    "summary_no_placeholder": 1.0,
    "greetings_not_feedback": 0.90,
}


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def has_number(text: str, number: str) -> bool:
    words = {w for w, n in NUMBER_WORDS.items() if str(n) == number}
    return bool(re.search(rf"(?<![\d.,]){re.escape(number)}(?![\d.,]\d)", text)) or any(
        re.search(rf"(?i)\b{re.escape(w)}\b", text) for w in words
    )


def goal_misses(draft: str, expect: dict[str, Any]) -> list[str]:
    """What the final draft lacks of the details the mentee gave (empty when it keeps them all)."""
    lowered = draft.lower()
    misses = []
    if expect.get("tool") and expect["tool"].lower() not in lowered:
        misses.append(f"tool {expect['tool']}")
    if expect.get("number") and not has_number(draft, str(expect["number"])):
        misses.append(f"number {expect['number']}")
    if expect.get("month") and expect["month"].lower() not in lowered:
        month = expect["month"].lower()
        if month[:3] not in re.findall(r"[a-z]+", lowered) and not re.search(rf"\b{month[:3]}\w*", lowered):
            misses.append(f"month {expect['month']}")
    if expect.get("weeks") and not (has_number(draft, str(expect["weeks"])) and "week" in lowered):
        misses.append(f"{expect['weeks']} weeks")
    misses += [f"still says {word!r}" for word in expect.get("absent", []) if word.lower() in lowered]
    return misses


def play_goal(dialogue: dict[str, Any], knowledge_dir: Path) -> dict[str, Any]:
    state: dict[str, Any] = {}
    intents, draft = [], ""
    for turn in dialogue["turns"]:
        reply = coach_turn(turn["text"], state, knowledge_dir, today=TODAY)
        state = reply.state.to_dict()
        intents.append(reply.intent)
        draft = reply.draft
    check = check_goal(draft, knowledge_dir)
    unmet = [c for c in CRITERIA if not check.criteria[c].met]
    misses = goal_misses(draft, dialogue["expect"])
    placeholder = bool(PLACEHOLDER.search(draft))
    requests = [
        (t["request"], intent) for t, intent in zip(dialogue["turns"], intents, strict=True) if t["kind"] == "request"
    ]
    return {
        "id": dialogue["id"],
        "draft": draft,
        "kept": not misses,
        "no_placeholder": not placeholder,
        "all_five": not unmet,
        "success": not misses and not placeholder and not unmet,
        "problems": misses + (["placeholder"] if placeholder else []) + [f"{c} not met" for c in unmet],
        "requests": [{"asked": asked, "read_as": intent, "ok": asked == intent} for asked, intent in requests],
    }


def rate(values: list[bool]) -> dict[str, Any]:
    n = len(values)
    hits = sum(values)
    low, high = wilson(hits, n) if n else (0.0, 0.0)
    return {"rate": round(hits / n, 3) if n else 0.0, "n": n, "low": round(low, 3), "high": round(high, 3)}


def evaluate_goals(knowledge_dir: Path) -> dict[str, Any]:
    runs = [play_goal(d, knowledge_dir) for d in load(GOALS_FILE)]
    requests = [r["ok"] for run in runs for r in run["requests"]]
    return {
        "goal_success": rate([r["success"] for r in runs]),
        "goal_details_kept": rate([r["kept"] for r in runs]),
        "goal_no_placeholder": rate([r["no_placeholder"] for r in runs]),
        "goal_all_five": rate([r["all_five"] for r in runs]),
        "requests_answered": rate(requests),
        "goal_misses": [
            {"id": r["id"], "draft": r["draft"], "problems": r["problems"]} for r in runs if not r["success"]
        ][:12],
        "request_misses": [{"id": run["id"], **r} for run in runs for r in run["requests"] if not r["ok"]][:12],
    }


def evaluate(knowledge_dir: Path, parts: tuple[str, ...] = ("goals", "rehearsals")) -> dict[str, Any]:
    report: dict[str, Any] = {"targets": TARGETS}
    if "goals" in parts:
        report.update(evaluate_goals(knowledge_dir))
    if "rehearsals" in parts:
        from evals.rehearsal_scripts import evaluate_rehearsals

        report.update(evaluate_rehearsals(knowledge_dir))
    return report


def below_target(report: dict[str, Any]) -> list[str]:
    return [
        f"{name} {report[name]['rate']:.3f} < {target:.2f}"
        for name, target in TARGETS.items()
        if name in report and report[name]["rate"] < target
    ]


def render(report: dict[str, Any]) -> str:
    lines = ["Scripted conversations (the repository's own scripts, offline)", ""]
    for name, value in report.items():
        if isinstance(value, dict) and "rate" in value:
            target = TARGETS.get(name)
            mark = "" if target is None else f"  target {target:.2f} {'met' if value['rate'] >= target else 'MISSED'}"
            lines.append(
                f"{name:28} {value['rate']:.3f}  [{value['low']:.3f}, {value['high']:.3f}]  n={value['n']}{mark}"
            )
    for key in ("goal_misses", "request_misses", "rehearsal_misses"):
        if report.get(key):
            lines += ["", f"{key.replace('_', ' ')}:"]
            lines += [f"  {json.dumps(item, ensure_ascii=False)}" for item in report[key]]
    return "\n".join(lines)
