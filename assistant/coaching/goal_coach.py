"""Goal drafting: the offline SMART analysis, and optionally a model's rewrite checked by the same analyser."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.coaching.goals import CRITERIA, GoalCheck, check_goal
from assistant.llm.gateway import PromptCall

if TYPE_CHECKING:
    from assistant.llm.gateway import ModelGateway

log = logging.getLogger(__name__)
LABELS = {
    "specific": "Specific",
    "measurable": "Measurable",
    "achievable": "Achievable",
    "relevant": "Relevant",
    "time_bound": "Time-bound",
}


@dataclass
class GoalCoaching:
    check: GoalCheck
    suggestion: str
    suggestion_source: str
    note: str = ""

    def as_data(self) -> dict[str, Any]:
        contract = self.check.as_contract()
        contract["suggestion"] = self.suggestion
        contract["suggestion_source"] = self.suggestion_source
        return contract

    def render(self) -> str:
        lines = ["SMART check of your draft:"]
        for name in CRITERIA:
            criterion = self.check.criteria[name]
            lines.append(f"- {'met' if criterion.met else 'missing'}: {LABELS[name]}: {criterion.why}")
        if self.check.questions:
            lines.append("")
            lines.append("To fill the gaps:")
            lines.extend(f"{n}. {q}" for n, q in enumerate(self.check.questions, 1))
        lines += ["", "A better draft (the parts in [brackets] are yours to decide):", self.suggestion]
        if self.note:
            lines += ["", self.note]
        lines += ["", "Based on the program's goal-setting guideline. [1]"]
        return "\n".join(lines)


def met_criteria(check: GoalCheck) -> set[str]:
    return {name for name, criterion in check.criteria.items() if criterion.met}


async def coach_goal(
    draft: str,
    knowledge_dir: Path,
    gateway: ModelGateway | None = None,
) -> GoalCoaching:
    """Analyse ``draft``; with a chat model, show its rewrite only if the analyser finds it no worse.

    The model gets the analysis as structure. Its rewrite must keep every criterion the draft met and
    meet at least as many as the offline suggestion; otherwise the offline suggestion is shown and
    the reply says why.
    """
    check = check_goal(draft, knowledge_dir)
    offline = GoalCoaching(check, check.suggestion, "offline")
    if gateway is None:
        return offline
    analysis = "\n".join(
        f"- {LABELS[name]}: {'met' if c.met else 'not met'} ({c.why})" for name, c in check.criteria.items()
    )
    call = PromptCall(
        "goal_rewrite",
        {
            "draft": draft.strip(),
            "analysis": analysis,
            "guideline": check.citations[0]["text"] if check.citations else "",
        },
        participant=("draft", "analysis"),
    )
    try:
        rewrite = (await gateway.complete(call)).strip('"')
        rewrite_check = check_goal(rewrite, knowledge_dir)
    except ValueError:
        offline.note = "The language model's rewrite could not be checked, so the offline suggestion is shown."
        return offline
    except Exception as exc:  # the endpoint failed (timeout, HTTP error, malformed body) or leaked the prompt
        log.warning("goal rewrite by the chat model failed (%s)", type(exc).__name__)
        offline.note = "The language model did not answer, so the offline suggestion is shown."
        return offline
    kept = met_criteria(check) <= met_criteria(rewrite_check)
    as_good = len(met_criteria(rewrite_check)) >= len(met_criteria(check_goal(check.suggestion, knowledge_dir)))
    if kept and as_good:
        return GoalCoaching(check, rewrite, gateway.provider)
    offline.note = "The language model's rewrite did not pass the SMART check, so the offline suggestion is shown."
    return offline
