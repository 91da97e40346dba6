"""The goal coach's turn: the offline conversation (:mod:`assistant.coaching.goal_dialogue`), and with a chat
model, its rewording of the draft, shown only when it keeps every detail and passes the same SMART check."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.coaching.goal_dialogue import GoalTurn, coach_turn, render_turn
from assistant.coaching.goal_parts import MEASURE, TOOL
from assistant.coaching.goals import LABELS, PLACEHOLDER, check_goal
from assistant.llm.gateway import PromptCall

if TYPE_CHECKING:
    from assistant.llm.gateway import ModelGateway

log = logging.getLogger(__name__)
MAX_REWRITE_WORDS = 60
REWORDED = ("draft", "answer", "rewrite", "change")


@dataclass(frozen=True)
class GoalCoaching:
    turn: GoalTurn
    source: str  # "offline" or the model's provider, for the draft shown
    note: str = ""

    def as_data(self) -> dict[str, Any]:
        data = self.turn.as_data()
        data["goal_check"]["suggestion_source"] = self.source
        return data

    def render(self) -> str:
        text = render_turn(self.turn)
        return f"{text}\n\n{self.note}" if self.note else text


async def coach_goal(
    message: str,
    knowledge_dir: Path,
    gateway: ModelGateway | None = None,
    state: dict[str, Any] | None = None,
) -> GoalCoaching:
    """The coach's reply to ``message`` given the conversation's ``state``.

    With a chat model, the model rewords the composed draft; its wording is kept only if every detail the
    mentee gave (tool, number, date, the words of each part) is still there, it adds no placeholder and no
    essay, and the SMART check finds it no worse.
    """
    turn = coach_turn(message, state, knowledge_dir)
    offline = GoalCoaching(turn, "offline")
    if gateway is None or turn.intent not in REWORDED or turn.check is None or turn.unknown:
        return offline
    call = PromptCall(
        "goal_rewrite",
        {
            "draft": turn.draft,
            "analysis": "\n".join(
                f"- {LABELS[name]}: {'met' if c.met else 'not met'}" for name, c in turn.check.criteria.items()
            ),
            "guideline": turn.check.citations[0]["text"] if turn.check.citations else "",
        },
        participant=("draft",),
    )
    try:
        rewrite = " ".join((await gateway.complete(call)).strip().strip('"').split())
    except Exception as exc:  # the endpoint failed (timeout, HTTP error, malformed body) or leaked the prompt
        log.warning("goal rewrite by the chat model failed (%s)", type(exc).__name__)
        return replace(offline, note="The language model did not answer, so the offline draft is shown.")
    reason = rewrite_problem(turn, rewrite, knowledge_dir)
    if reason:
        return replace(offline, note=f"The language model's wording was not used: {reason}.")
    return GoalCoaching(replace(turn, draft=rewrite), gateway.provider)


def rewrite_problem(turn: GoalTurn, rewrite: str, knowledge_dir: Path) -> str:
    """Why a model's rewording cannot replace the offline draft ("" when it can)."""
    if not rewrite or len(rewrite.split()) > MAX_REWRITE_WORDS or len(re.findall(r"[.!?](?:\s|$)", rewrite)) > 2:
        return "it was not one or two sentences"
    if PLACEHOLDER.search(rewrite):
        return "it left a part in brackets"
    for detail in details_to_keep(turn.draft):
        if not re.search(rf"(?<![\w.]){re.escape(detail)}(?![\w])", rewrite, re.IGNORECASE):
            return f"it dropped {detail!r}"
    try:
        check = check_goal(rewrite, knowledge_dir)
    except ValueError:
        return "it could not be checked"
    assert turn.check is not None
    before = {n for n, c in turn.check.criteria.items() if c.met}
    after = {n for n, c in check.criteria.items() if c.met}
    return "" if before <= after else "it did not pass the SMART check"


def details_to_keep(draft: str) -> list[str]:
    """The numbers, tools and capitalised words (months, names) of a draft, which a rewording must keep."""
    numbers = [m.group("number") for m in MEASURE.finditer(draft)]
    numbers += re.findall(r"\b\d{1,4}\b", draft)
    tools = [m.group(0) for m in TOOL.finditer(draft)]
    return list(dict.fromkeys([*numbers, *tools]))
