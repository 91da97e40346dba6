"""Feedback rehearsal: the assistant plays a senior mentee while the young mentor practises feedback.

Offline, the persona answers with lines from knowledge/rehearsal-personas.md: one section per
attitude, one sub-section per reaction. The reaction follows the mentor's line and its critique (the
``FeedbackCheck.as_contract()`` dict from ``assistant.coaching.feedback``), and the line within a
section is picked by a hash, so a replay of the same conversation gives the same replies.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from assistant.knowledge.sections import MissingGuidelineError, guideline_chunks, guideline_citation
from assistant.llm.gateway import PromptCall
from assistant.llm.prompts import load_prompt

PERSONAS_FILE = "rehearsal-personas.md"
PROMPT_NAME = "rehearsal_persona"
Attitude = Literal["skeptical", "busy", "curious", "defensive"]
ATTITUDES: tuple[Attitude, ...] = get_args(Attitude)
Reaction = Literal["opening", "judgmental", "vague", "specific", "question"]
REACTION_HEADINGS: dict[Reaction, str] = {
    "opening": "Opening line",
    "judgmental": "When the feedback is judgmental",
    "vague": "When the feedback is vague",
    "specific": "When the feedback is specific",
    "question": "When the mentor asks a question",
}
HARSH_FLAGS = {"judgmental", "absolute", "condescending"}
MENTOR, MENTEE = "mentor", "mentee"
QUESTION_START = re.compile(
    r"^(what|how|why|when|where|which|who|could you|would you|can you|do you|did you|are you|is there|"
    r"have you|may i|can i)\b",
    re.IGNORECASE,
)
NUMBER_WORDS = "ten|twelve|fifteen|twenty|twenty-five|thirty|thirty-five|forty"
YEARS_SPAN = re.compile(rf"\b(?:{NUMBER_WORDS}) years\b", re.IGNORECASE)
DEPARTMENT_OF_ROLE = re.compile(r"^(?:head|director|vice president|vp|chief|manager) of (?P<area>.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Persona:
    role: str = "Head of Finance"
    tenure_years: int = 25
    attitude: Attitude = "skeptical"

    def __post_init__(self) -> None:
        if self.attitude not in ATTITUDES:
            raise ValueError(f"unknown attitude {self.attitude[:40]!r}; choose {', '.join(ATTITUDES)}")
        if not self.role.strip() or len(self.role) > 80:
            raise ValueError("the persona's role needs 1 to 80 characters")
        if not 0 <= self.tenure_years <= 60:
            raise ValueError("the persona's tenure must be 0 to 60 years")


@dataclass
class RehearsalState:
    """A rehearsal so far: who is played, what was said, and the critique of each mentor line."""

    persona: Persona
    transcript: list[tuple[str, str]] = field(default_factory=list)
    critiques: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "persona": asdict(self.persona),
            "transcript": [{"speaker": speaker, "text": text} for speaker, text in self.transcript],
            "critiques": [dict(critique) for critique in self.critiques],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RehearsalState:
        try:
            persona = Persona(**data["persona"])
            transcript = [(str(turn["speaker"]), str(turn["text"])) for turn in data.get("transcript", [])]
            critiques = [dict(critique) for critique in data.get("critiques", [])]
        except (KeyError, TypeError) as exc:
            raise ValueError(f"not a rehearsal state: {exc}") from exc
        if any(speaker not in (MENTOR, MENTEE) for speaker, _ in transcript):
            raise ValueError("a rehearsal transcript has only mentor and mentee turns")
        return cls(persona=persona, transcript=transcript, critiques=critiques)

    @property
    def mentor_turns(self) -> int:
        return sum(1 for speaker, _ in self.transcript if speaker == MENTOR)

    def last_reply(self) -> str:
        return next((text for speaker, text in reversed(self.transcript) if speaker == MENTEE), "")


@dataclass(frozen=True)
class RehearsalTurn:
    reply: str
    critique: dict[str, Any]
    reaction: Reaction
    citation: dict[str, Any]


@dataclass(frozen=True)
class _Section:
    lines: tuple[str, ...]
    citation: dict[str, Any]


def start_rehearsal(persona: Persona, knowledge_dir: Path) -> RehearsalState:
    """A new rehearsal whose transcript begins with the persona's opening line."""
    return RehearsalState(persona=persona, transcript=[(MENTEE, opening_line(persona, knowledge_dir))])


def opening_line(persona: Persona, knowledge_dir: Path) -> str:
    section = _section(knowledge_dir, persona.attitude, "opening")
    line = section.lines[_pick(f"{persona.role}|{persona.tenure_years}", 0, len(section.lines))]
    return _personalise(line, persona)


def choose_reaction(mentor_line: str, critique: Mapping[str, Any]) -> Reaction:
    """Which reaction section answers this line.

    Harsh flags (judgmental, absolute, condescending) win, so a loaded question still draws pushback;
    feedback with situation, behaviour and impact and no flags at all is specific, even if it ends by
    inviting a reply; otherwise a question gets the question reaction and anything else is vague.
    """
    kinds = {str(flag.get("kind")) for flag in critique.get("flags", []) if isinstance(flag, Mapping)}
    if kinds & HARSH_FLAGS:
        return "judgmental"
    if not kinds and all(_met(critique, part) for part in ("situation", "behavior", "impact")):
        return "specific"
    if _is_question(mentor_line):
        return "question"
    return "vague"


def respond(state: RehearsalState, mentor_line: str, knowledge_dir: Path, critique: Mapping[str, Any]) -> RehearsalTurn:
    """The persona's reply to ``mentor_line``; the exchange and its critique are appended to ``state``.

    The same state and line always give the same reply, and the persona does not repeat its previous
    reply word for word.
    """
    line = " ".join(mentor_line.split())
    if not line:
        raise ValueError("the mentor's line is empty")
    reaction = choose_reaction(line, critique)
    section = _section(knowledge_dir, state.persona.attitude, reaction)
    turn_number = state.mentor_turns + 1
    index = _pick(line.lower(), turn_number, len(section.lines))
    previous = state.last_reply()
    for step in range(len(section.lines)):
        candidate = _personalise(section.lines[(index + step) % len(section.lines)], state.persona)
        if candidate != previous:
            break
    state.transcript += [(MENTOR, line), (MENTEE, candidate)]
    state.critiques.append(dict(critique))
    return RehearsalTurn(reply=candidate, critique=dict(critique), reaction=reaction, citation=section.citation)


def persona_prompt(
    state: RehearsalState, mentor_line: str, critique: Mapping[str, Any], prompts_dir: Path, recent_turns: int = 8
) -> str:
    """The filled-in ``prompts/rehearsal_persona.md`` for a chat model playing the persona."""
    return load_prompt(prompts_dir, PROMPT_NAME).render(**persona_values(state, mentor_line, critique, recent_turns))


def persona_call(state: RehearsalState, mentor_line: str, critique: Mapping[str, Any]) -> PromptCall:
    """The persona's turn as a gateway call: the transcript and the mentor's line are the participant's words."""
    return PromptCall(
        PROMPT_NAME, persona_values(state, mentor_line, critique), participant=("transcript", "mentor_line")
    )


def persona_values(
    state: RehearsalState, mentor_line: str, critique: Mapping[str, Any], recent_turns: int = 8
) -> dict[str, str]:
    names = {MENTOR: "Mentor", MENTEE: "You"}
    transcript = "\n".join(f"{names[speaker]}: {text}" for speaker, text in state.transcript[-recent_turns:])
    return {
        "role": state.persona.role,
        "tenure_years": str(state.persona.tenure_years),
        "attitude": state.persona.attitude,
        "critique_summary": summarize_critique(critique),
        "transcript": transcript or "(the conversation has not started)",
        "mentor_line": " ".join(mentor_line.split()),
    }


def summarize_critique(critique: Mapping[str, Any]) -> str:
    """One short line per finding, for the persona prompt."""
    lines = [
        f"- {part}: {'present' if _met(critique, part) else 'missing'}" for part in ("situation", "behavior", "impact")
    ]
    for flag in critique.get("flags", []):
        if isinstance(flag, Mapping):
            lines.append(f"- {flag.get('kind', 'flag')}: {flag.get('span', '')!r} ({flag.get('why', '')})")
    return "\n".join(lines)


def _met(critique: Mapping[str, Any], part: str) -> bool:
    value = critique.get(part)
    return isinstance(value, Mapping) and value.get("met") is True


def _is_question(line: str) -> bool:
    return line.rstrip().endswith("?") or bool(QUESTION_START.match(line.strip()))


def _pick(text: str, turn_number: int, size: int) -> int:
    digest = hashlib.sha256(f"{turn_number}|{text}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % size


def _personalise(line: str, persona: Persona) -> str:
    """Fit a guideline line to the persona: its tenure where the line names years, its area where it says department."""
    line = YEARS_SPAN.sub(f"{persona.tenure_years} years", line)
    area = DEPARTMENT_OF_ROLE.match(persona.role.strip())
    if area:
        line = line.replace("this department", area.group("area"))
    return line


def _section(knowledge_dir: Path, attitude: str, reaction: Reaction) -> _Section:
    heading = f"{attitude} senior colleague > {REACTION_HEADINGS[reaction]}"
    chunks = [
        chunk
        for chunk in guideline_chunks(knowledge_dir, PERSONAS_FILE)
        if chunk.section.lower().startswith(heading.lower())
    ]
    lines = tuple(
        dict.fromkeys(
            match.group(1).strip()
            for chunk in chunks
            for match in re.finditer(r'^\s*[-*]\s+["“](.+?)["”]\s*$', chunk.text, re.MULTILINE)
        )
    )
    if not lines:
        raise MissingGuidelineError(f"{PERSONAS_FILE} has no quoted lines under {heading!r}")
    return _Section(lines, guideline_citation(knowledge_dir, PERSONAS_FILE, heading))
