"""Feedback rehearsal: the assistant plays a named senior colleague while the young mentor practises feedback.

Offline, the persona answers from ``knowledge/rehearsal-lines.yaml``: lines per attitude and reaction.
The reaction follows the mentor's line and its critique (the ``FeedbackCheck.as_contract()`` dict from
``assistant.coaching.feedback``): a judgmental word is thrown back, a specific line is answered about
the behaviour it describes (turned round: "you cut me off" -> "I cut you off"), and a vague one draws a
question about the first missing part of Situation-Behavior-Impact. The line is picked by a hash, so a
replay of the same conversation gives the same replies. In character the persona never cites guidelines.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

from assistant.knowledge.sections import MissingGuidelineError
from assistant.llm.gateway import PromptCall
from assistant.llm.prompts import load_prompt
from assistant.resources import bundled

LINES_FILE = "rehearsal-lines.yaml"
PROMPT_NAME = "rehearsal_persona"
Attitude = Literal["skeptical", "busy", "curious", "defensive"]
ATTITUDES: tuple[Attitude, ...] = get_args(Attitude)
Reaction = Literal["opening", "judgmental", "vague", "specific", "question"]
HARSH_FLAGS = {"judgmental", "absolute", "condescending"}
MENTOR, MENTEE = "mentor", "mentee"
QUESTION_START = re.compile(
    r"^(what|how|why|when|where|which|who|could you|would you|can you|do you|did you|are you|is there|"
    r"have you|may i|can i)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Persona:
    name: str = "Margaret"
    role: str = "Head of Finance"
    tenure_years: int = 25
    attitude: Attitude = "skeptical"

    @property
    def speaker(self) -> str:
        return f"{self.name} ({self.role})"

    def __post_init__(self) -> None:
        if not self.name.strip() or len(self.name) > 40:
            raise ValueError("the persona's name needs 1 to 40 characters")
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


def start_rehearsal(persona: Persona, knowledge_dir: Path) -> RehearsalState:
    """A new rehearsal whose transcript begins with the persona's opening line."""
    return RehearsalState(persona=persona, transcript=[(MENTEE, opening_line(persona, knowledge_dir))])


def opening_line(persona: Persona, knowledge_dir: Path) -> str:
    lines = _lines(knowledge_dir)["attitudes"][persona.attitude]["opening"]
    return _fill(lines[_pick(f"{persona.name}|{persona.role}|{persona.tenure_years}", 0, len(lines))], persona, {})


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
    lines = _lines(knowledge_dir)
    values = {"echo": _echo(critique), "word": _flagged_word(critique)}
    usable = [text for text in lines["attitudes"][state.persona.attitude][reaction] if _fits(text, values)]
    turn_number = state.mentor_turns + 1
    index = _pick(line.lower(), turn_number, len(usable))
    previous = state.last_reply()
    for step in range(len(usable)):
        candidate = _fill(usable[(index + step) % len(usable)], state.persona, values)
        if reaction == "vague" and (missing := _first_missing(critique)):
            follow = lines["missing"][missing]
            candidate = f"{candidate} {follow[_pick(line.lower(), turn_number, len(follow))]}"
        if candidate != previous:
            break
    state.transcript += [(MENTOR, line), (MENTEE, candidate)]
    state.critiques.append(dict(critique))
    return RehearsalTurn(reply=candidate, critique=dict(critique), reaction=reaction)


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
        "name": state.persona.name,
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


PLACEHOLDERS = re.compile(r"\{(echo|word)\}")
TURN_ROUND = {
    "you": "I", "your": "my", "yours": "mine", "yourself": "myself", "you're": "I'm", "you've": "I've",
    "you'd": "I'd", "you'll": "I'll", "me": "you", "my": "your", "mine": "yours", "i": "you", "i'm": "you're",
    "i've": "you've", "myself": "yourself", "were": "was", "are": "am",
}  # fmt: skip
SUBJECT_BEFORE = {"and", "but", "then", "so", "when", "that", "because", "while"}
QUOTED = re.compile(r'"([^"]{3,120})"')


def _fits(text: str, values: Mapping[str, str]) -> bool:
    return all(values.get(name) for name in PLACEHOLDERS.findall(text))


def _fill(text: str, persona: Persona, values: Mapping[str, str]) -> str:
    filled = text.format(
        name=persona.name, role=persona.role, years=persona.tenure_years, echo=values.get("echo", ""),
        word=values.get("word", ""),
    )  # fmt: skip
    return filled[:1].upper() + filled[1:]


def _echo(critique: Mapping[str, Any]) -> str:
    """The behaviour the mentor described, as the persona repeats it back ("I cut you off twice")."""
    behavior = critique.get("behavior")
    if not isinstance(behavior, Mapping) or behavior.get("met") is not True:
        return ""
    quoted = QUOTED.search(str(behavior.get("why", "")))
    if not quoted or len(quoted.group(1).split()) > 12:
        return ""
    words = quoted.group(1).rstrip(" .,;").split()
    turned: list[str] = []
    for index, word in enumerate(words):
        key = word.lower()
        subject = index == 0 or words[index - 1].lower() in SUBJECT_BEFORE
        turned.append("me" if key == "you" and not subject else TURN_ROUND.get(key, word))
    return " ".join(turned)


def _flagged_word(critique: Mapping[str, Any]) -> str:
    for flag in critique.get("flags", []):
        if isinstance(flag, Mapping) and flag.get("kind") in HARSH_FLAGS and flag.get("span"):
            return str(flag["span"])[:40]
    return ""


def _first_missing(critique: Mapping[str, Any]) -> str | None:
    return next((part for part in ("situation", "behavior", "impact") if not _met(critique, part)), None)


@lru_cache(maxsize=4)
def _read_lines(path: Path, mtime_ns: int) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for attitude in ATTITUDES:
        for reaction in get_args(Reaction):
            if not data["attitudes"][attitude][reaction]:
                raise MissingGuidelineError(f"{path.name} has no {attitude} {reaction} lines")
    return dict(data)


def _lines(knowledge_dir: Path) -> dict[str, Any]:
    """The persona's lines: the organisation's own file if its guidelines have one, else the shipped one."""
    path = knowledge_dir / LINES_FILE
    if not path.exists():
        path = bundled("knowledge") / LINES_FILE
    return _read_lines(path, path.stat().st_mtime_ns)
