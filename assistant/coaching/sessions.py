"""Plan one reverse-mentoring session: a timeboxed agenda that follows knowledge/planning-sessions.md.

Every item cites the guideline section it comes from. Minutes are apportioned by weight with
largest-remainder rounding, so they always add up exactly to the session length; items that do
not fit a short session are folded into a neighbour instead of getting a token minute.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, get_args

from assistant.knowledge.sections import guideline_citation

Format = Literal["in-person", "remote", "hybrid"]
SessionType = Literal["first", "regular", "closing"]
FORMATS: tuple[str, ...] = get_args(Format)
SESSION_TYPES: tuple[str, ...] = get_args(SessionType)
MIN_MINUTES = 15
MAX_MINUTES = 120

PLANNING = "planning-sessions.md"
AGREEMENT = "mentoring-agreement.md"
GOALS = "development-goals.md"
FEEDBACK = "feedback-across-generations.md"
FORMAT_SECTIONS = {
    "in-person": "In-person, remote and hybrid sessions > In-person sessions",
    "remote": "In-person, remote and hybrid sessions > Remote sessions",
    "hybrid": "In-person, remote and hybrid sessions > Hybrid pairs",
}
Source = tuple[str, str]  # (guideline file, section heading prefix)


@dataclass(frozen=True)
class GoalBrief:
    """What the planner needs to know about one development goal."""

    id: int | str
    text: str
    target_date: date | None = None

    def label(self) -> str:
        text = f'"{_one_line(self.text)}"'
        return f"{text} (by {self.target_date.isoformat()})" if self.target_date else text


@dataclass
class AgendaItem:
    title: str
    minutes: int
    purpose: str
    citations: list[dict[str, Any]]


@dataclass
class Agenda:
    items: list[AgendaItem]
    format: str
    session: str

    @property
    def total_minutes(self) -> int:
        return sum(item.minutes for item in self.items)

    def timeline(self) -> list[tuple[int, AgendaItem]]:
        """Each item with the minute it starts at, counted from the start of the session."""
        starts, elapsed = [], 0
        for item in self.items:
            starts.append((elapsed, item))
            elapsed += item.minutes
        return starts

    def as_contract(self) -> dict[str, Any]:
        return {
            "items": [
                {
                    "title": item.title,
                    "minutes": item.minutes,
                    "purpose": item.purpose,
                    "citations": [{k: c[k] for k in ("source", "section", "text")} for c in item.citations],
                }
                for item in self.items
            ],
            "total_minutes": self.total_minutes,
        }

    def to_markdown(self) -> str:
        lines = [f"# {self.session.capitalize()} session ({self.format}, {self.total_minutes} minutes)", ""]
        for number, (start, item) in enumerate(self.timeline(), 1):
            clock = f"{_clock(start)}-{_clock(start + item.minutes)}"
            lines.append(f"{number}. **{item.title}** ({item.minutes} min, {clock}): {item.purpose}")
            sources = "; ".join(f"{c['source']} - {c['section']}" for c in item.citations)
            lines.append(f"   - Sources: {sources}")
        return "\n".join(lines) + "\n"


@dataclass
class _ItemSpec:
    """One agenda item before apportionment.

    ``fold_below``: in sessions shorter than this the item is dropped and ``fold_text`` is added to
    the item titled ``fold_into`` (with this item's sources), so nothing agreed in the guideline is lost.
    """

    title: str
    weight: int
    min_minutes: int
    purpose: str
    sources: list[Source]
    fold_below: int = MIN_MINUTES
    fold_into: str = ""
    fold_text: str = ""
    extra: list[str] = field(default_factory=list)


def plan_session(
    *,
    minutes: int,
    format: str,
    session: str,
    goals: Sequence[GoalBrief] = (),
    open_actions: Sequence[str] = (),
    last_notes: str = "",
    knowledge_dir: Path,
) -> Agenda:
    """A timeboxed agenda for one session; raises ValueError for a length or type it cannot plan.

    ``open_actions`` and ``last_notes`` describe the previous session, so the first session ignores them.
    """
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise ValueError(f"minutes must be a whole number from {MIN_MINUTES} to {MAX_MINUTES}, got {minutes!r}")
    if format not in FORMATS:
        raise ValueError(f"unknown format {_shorten(str(format), 40)!r}; choose {', '.join(FORMATS)}")
    if session not in SESSION_TYPES:
        raise ValueError(f"unknown session type {_shorten(str(session), 40)!r}; choose {', '.join(SESSION_TYPES)}")

    goal_labels = [goal.label() for goal in goals if goal.text.strip()]
    actions = [_one_line(action) for action in open_actions if action.strip()]
    builders = {"first": _first_session, "regular": _regular_session, "closing": _closing_session}
    specs = builders[session](goal_labels, actions, _one_line(last_notes))
    _add_format(specs, format, session)
    specs = _fold_for_length(specs, minutes)
    allotted = apportion(minutes, [spec.weight for spec in specs], [spec.min_minutes for spec in specs])
    items = [
        AgendaItem(
            title=spec.title,
            minutes=share,
            purpose=" ".join([spec.purpose, *spec.extra]),
            citations=_citations(knowledge_dir, spec.sources),
        )
        for spec, share in zip(specs, allotted, strict=True)
    ]
    return Agenda(items=items, format=format, session=session)


def apportion(total: int, weights: Sequence[int], minimums: Sequence[int]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights``, none below its minimum, summing to ``total``.

    Largest-remainder rounding; an item whose share falls below its minimum is pinned there and the
    rest is shared again among the others. Ties go to the earlier item.
    """
    if sum(minimums) > total:
        raise ValueError(f"{total} minutes cannot hold {len(weights)} items")
    shares = [0] * len(weights)
    pinned: set[int] = set()
    while True:
        free = [i for i in range(len(weights)) if i not in pinned]
        budget = total - sum(minimums[i] for i in pinned)
        weight_sum = sum(weights[i] for i in free)
        exact = {i: budget * weights[i] / weight_sum for i in free}
        for i in free:
            shares[i] = int(exact[i])
        leftover = budget - sum(shares[i] for i in free)
        for i in sorted(free, key=lambda i: (-(exact[i] - shares[i]), i))[:leftover]:
            shares[i] += 1
        short = [i for i in free if shares[i] < minimums[i]]
        if not short:
            return shares
        for i in short:
            pinned.add(i)
            shares[i] = minimums[i]


def _first_session(goals: list[str], _actions: list[str], _notes: str) -> list[_ItemSpec]:
    goal_purpose = "The mentee shares draft goals; sharpen them with SMART and pick a first milestone."
    if goals:
        goal_purpose = f"Sharpen the mentee's draft goals with SMART and pick a first milestone: {'; '.join(goals)}."
    return [
        _ItemSpec(
            "Introductions and expectations",
            15,
            3,
            "Each partner shares their role, career path, hopes for the program and one thing they are curious "
            "about in the other's world.",
            [(PLANNING, "The first session")],
        ),
        _ItemSpec(
            "Mentoring agreement",
            20,
            5,
            "Fill in the agreement template together: topic scope, confidentiality, mutual expectations and "
            "meeting structure.",
            [(PLANNING, "The first session"), (AGREEMENT, "Agreement template")],
        ),
        _ItemSpec(
            "First development goals",
            20,
            5,
            goal_purpose,
            [(PLANNING, "The first session"), (GOALS, "The SMART goal framework")],
            fold_below=25,
            fold_into="Next steps",
            fold_text="The mentee drafts first goals to sharpen with SMART next time"
            + (f" ({'; '.join(goals)})." if goals else "."),
        ),
        _ItemSpec(
            "Next steps",
            5,
            2,
            "Book the next sessions, agree one small practice task and end on a quick win, such as a shortcut "
            "the mentee can use today.",
            [(PLANNING, "The first session")],
        ),
    ]


def _regular_session(goals: list[str], actions: list[str], notes: str) -> list[_ItemSpec]:
    review = "What the mentee practised since last time, what worked and what got stuck."
    if actions:
        review += f" Open actions: {'; '.join(actions)}."
    if notes:
        review += f" Last notes: {_shorten(notes)}"
    grow = "Goal, Reality, Options, Way forward for the current milestone: the mentee suggests options first."
    if goals:
        grow = f"Goal, Reality, Options, Way forward for {'; '.join(goals)}: the mentee suggests options first."
    return [
        _ItemSpec(
            "Check-in",
            5,
            2,
            "How each partner is doing and anything urgent.",
            [(PLANNING, "A regular session")],
            fold_below=20,
            fold_into="Review of open actions",
            fold_text="Open with a one-line check-in.",
        ),
        _ItemSpec(
            "Review of open actions",
            10,
            3,
            review,
            [(PLANNING, "A regular session"), (PLANNING, "Notes and actions between sessions")],
        ),
        _ItemSpec("GROW on the active goals", 10, 4, grow, [(PLANNING, "The GROW model")]),
        _ItemSpec(
            "Practice and demo",
            20,
            4,
            "Hands-on work on the day's topic, linked to the next milestone: the mentee drives, the mentor guides.",
            [(PLANNING, "A regular session")],
        ),
        _ItemSpec(
            "Two-way exchange",
            7,
            3,
            "The mentor's own learning topic, or trends, perspectives and career questions.",
            [(PLANNING, "A regular session")],
            fold_below=40,
        ),
        _ItemSpec(
            "Actions and next date",
            5,
            2,
            "Agree one or two small practice tasks with an owner and due date, the next session's focus and date.",
            [(PLANNING, "Timeboxing a session"), (PLANNING, "Notes and actions between sessions")],
        ),
    ]


def _closing_session(goals: list[str], actions: list[str], _notes: str) -> list[_ItemSpec]:
    review = "Go through each development goal and its milestones"
    review += f": {'; '.join(goals)}." if goals else "."
    review += " Repeat the 1 to 5 digital skills self-assessment and compare it with the starting ratings."
    if actions:
        review += f" Close out open actions: {'; '.join(actions)}."
    return [
        _ItemSpec(
            "Review progress against goals",
            20,
            4,
            review,
            [(PLANNING, "The closing session"), (GOALS, "Reviewing and adjusting goals")],
        ),
        _ItemSpec(
            "What each side learned",
            12,
            3,
            "Each partner shares the most useful thing they learned from the other and one moment that changed "
            "how they see the other generation.",
            [(PLANNING, "The closing session")],
        ),
        _ItemSpec(
            "Feedback both ways",
            8,
            3,
            "Each partner says what helped and what to change, with specific, respectful examples.",
            [(FEEDBACK, "Receiving feedback from a mentee"), (FEEDBACK, "Giving feedback upward")],
            fold_below=30,
            fold_into="What each side learned",
            fold_text="Add one specific piece of feedback each way.",
        ),
        _ItemSpec(
            "Next steps after the program",
            15,
            3,
            "The mentee picks one skill to keep practising alone and where to get help; decide whether to stay in "
            "informal contact; both complete the end-of-cohort survey.",
            [(PLANNING, "The closing session")],
        ),
        _ItemSpec(
            "Celebrate",
            10,
            2,
            "Thank each other explicitly; many pairs share a coffee or lunch.",
            [(PLANNING, "The closing session")],
        ),
    ]


FORMAT_NOTES: dict[str, dict[str, tuple[str, str]]] = {
    "in-person": {
        "first": (
            "Introductions and expectations",
            "Book a quiet room, sit side by side and have the mentee bring the laptop or phone they will practise on.",
        ),
        "regular": (
            "Practice and demo",
            "In person: on the mentee's own device, side by side, in a quiet room rather than an open office.",
        ),
        "closing": (
            "Review progress against goals",
            "In person: the mentee shows progress on their own laptop or phone.",
        ),
    },
    "hybrid": {
        "first": (
            "Mentoring agreement",
            "Agree which sessions are in person (hands-on topics) and which remote (reviews and discussion), "
            "and one shared place for notes.",
        ),
        "regular": (
            "Actions and next date",
            "Decide whether the next session is in person (hands-on) or remote (review); notes go in the one "
            "shared place.",
        ),
        "closing": (
            "Next steps after the program",
            "Keep the outcomes in the pair's one shared notes place.",
        ),
    },
}


def _add_format(specs: list[_ItemSpec], format: str, session: str) -> None:
    section = (PLANNING, FORMAT_SECTIONS[format])
    if format == "remote":
        specs.insert(
            0,
            _ItemSpec(
                "Tech check",
                2,
                2,
                "Test video, audio and screen sharing; the mentee shares their screen so the mentor can guide "
                "without taking over; cameras on if possible.",
                [section],
            ),
        )
        return
    title, note = FORMAT_NOTES[format][session]
    target = next(spec for spec in specs if spec.title == title)
    target.extra.append(note)
    target.sources.append(section)


def _fold_for_length(specs: list[_ItemSpec], minutes: int) -> list[_ItemSpec]:
    kept = [spec for spec in specs if minutes >= spec.fold_below]
    for spec in specs:
        if minutes >= spec.fold_below or not spec.fold_into:
            continue
        target = next(item for item in kept if item.title == spec.fold_into)
        target.extra.append(spec.fold_text)
        target.sources.extend(source for source in spec.sources if source not in target.sources)
    return kept


def _citations(knowledge_dir: Path, sources: list[Source]) -> list[dict[str, Any]]:
    unique = list(dict.fromkeys(sources))
    return [guideline_citation(knowledge_dir, filename, section) for filename, section in unique]


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _shorten(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _clock(minute: int) -> str:
    return f"{minute // 60}:{minute % 60:02d}"
