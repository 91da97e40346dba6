"""Six-line scripted rehearsals, played through the offline persona and scored (part of ``tandem eval conversations``).

Each mentor line carries the act its writer meant (greeting, judgment, SBI line, ...). Measured: persona
lines repeated in a rehearsal, replies that take up the mentor's words, the mood moving down after a
judgment and up after an SBI line, lines that are not feedback scored as feedback, the act read, and
placeholders in the end-of-rehearsal summary.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from assistant.coaching.feedback import check_feedback, summarize_rehearsal
from assistant.coaching.goals import PLACEHOLDER
from assistant.coaching.rehearsal import Persona, respond, start_rehearsal
from assistant.text import word_set
from evals.conversations import rate

FILE = Path(__file__).parent / "datasets" / "conversations" / "rehearsals.jsonl"
NOT_FEEDBACK = {"greeting", "small_talk", "question", "check_in", "closing"}
RESPONDS_TO_ACT = {"greeting", "closing", "check_in", "apology", "small_talk"}
STOP = word_set(
    """
    the a an and or but to of in on at for with by from about
    as is are be was were will would can could should i we you my our
    your it this that these those so if not do does did have has had me
    us them they he she his her their its than then there here what which who
    when where how all any each every more most some no just also only very really
    think know like yeah okay ok well get got bit want going thing things time
    """
)


def stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z][a-z'-]{2,}", text.lower()) if w not in STOP}


def play(script: dict[str, Any], knowledge_dir: Path) -> dict[str, Any]:
    persona = Persona(**{**script["persona"], "tenure_years": script["persona"].get("tenure_years", 20)})
    state = start_rehearsal(persona, knowledge_dir)
    turns = []
    for item in script["lines"]:
        check = check_feedback(item["text"], knowledge_dir)
        critique = {**check.as_contract(), "is_feedback": check.is_feedback}
        turn = respond(state, item["text"], knowledge_dir, critique)
        overlap = bool(stems(item["text"]) & stems(turn.reply))
        turns.append(
            {
                "act": item["act"],
                "read_as": turn.reaction,
                "reply": turn.reply,
                "overlap": overlap,
                "takes_up": overlap or (item["act"] in RESPONDS_TO_ACT and turn.reaction == item["act"]),
                "mood": (turn.mood_before, turn.mood_after),
                "scored_as_feedback": any(critique[p]["met"] for p in ("situation", "behavior", "impact")),
            }
        )
    replies = [text for speaker, text in state.transcript if speaker == "mentee"]
    summary = summarize_rehearsal([item["text"] for item in script["lines"]], knowledge_dir)
    summary_text = " ".join([*summary["rephrasings"], *summary["went_well"]])
    for item in script["lines"]:  # a quotation of the mentor's own line ("Dear [Name]" in a draft) is not a blank
        summary_text = summary_text.replace(item["text"], "")
    return {
        "id": script["id"],
        "repeats": len(replies) - len(set(replies)),
        "turns": turns,
        "summary_placeholder": bool(PLACEHOLDER.search(summary_text)),
    }


def evaluate_rehearsals(knowledge_dir: Path) -> dict[str, Any]:
    scripts = [json.loads(line) for line in FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    runs = [play(script, knowledge_dir) for script in scripts]
    turns = [t for run in runs for t in run["turns"]]
    moved = [
        (t["mood"][1] < t["mood"][0]) if t["act"] == "judgment" else (t["mood"][1] > t["mood"][0])
        for t in turns
        if t["act"] in ("judgment", "sbi")
    ]
    misses = [
        {"id": run["id"], "act": t["act"], "read_as": t["read_as"], "reply": t["reply"]}
        for run in runs
        for t in run["turns"]
        if t["act"] != t["read_as"]
    ]
    return {
        "persona_no_repeats": rate([run["repeats"] == 0 for run in runs]),
        "persona_takes_up": rate([t["takes_up"] for t in turns]),
        "persona_shares_words": rate([t["overlap"] for t in turns]),
        "mood_moves": rate(moved),
        "act_read": rate([t["act"] == t["read_as"] for t in turns]),
        "greetings_not_feedback": rate([not t["scored_as_feedback"] for t in turns if t["act"] in NOT_FEEDBACK]),
        "summary_no_placeholder": rate([not run["summary_placeholder"] for run in runs]),
        "rehearsal_misses": misses[:12],
    }
