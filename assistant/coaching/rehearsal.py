"""Feedback rehearsal: the assistant plays a named senior colleague while the young mentor practises feedback.

Offline, the persona answers from ``knowledge/rehearsal-lines.yaml`` (organisation-editable, validated
when read). The persona has state: a temperament, a mood that moves with what the mentor does (it opens
up after a specific, non-judgmental line or an apology and closes after a judgmental or absolute one),
and a memory of the topic, the behaviour named and what it agreed to try. Each mentor line is read as an
act (greeting, small talk, question, judgment, SBI line, vague feedback, apology, suggestion, check-in,
closing) from its wording and its critique; the reply is picked from that act's lines for the current
mood, preferring a line that takes up what the mentor said ({topic}, {echo}, {word}, {promise}), and
never a line already said in this rehearsal. The pick is a hash, so a replay gives the same replies.
In character the persona never cites guidelines.
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

from assistant.coaching.feedback import SMALL_TALK
from assistant.coaching.goal_parts import TOOL
from assistant.knowledge.sections import MissingGuidelineError
from assistant.llm.gateway import PromptCall
from assistant.llm.prompts import load_prompt
from assistant.resources import bundled
from assistant.text import word_set

LINES_FILE = "rehearsal-lines.yaml"
PROMPT_NAME = "rehearsal_persona"
Attitude = Literal["skeptical", "busy", "curious", "defensive"]
ATTITUDES: tuple[Attitude, ...] = get_args(Attitude)
Act = Literal[
    "greeting", "small_talk", "question", "judgment", "sbi", "vague", "apology", "suggestion", "check_in", "closing"
]  # fmt: skip
ACTS: tuple[Act, ...] = get_args(Act)
Reaction = Act  # what the persona reacted to (the data of each turn names it)
MOODS = ("guarded", "open")
MOOD_LIMIT = 6
MOOD_CHANGE: dict[str, int] = {"judgment": -1, "sbi": 1, "apology": 1, "suggestion": 0, "vague": 0}
START_MOOD = {"skeptical": -1, "busy": 0, "curious": 1, "defensive": -1}
HARSH_FLAGS = {"judgmental", "absolute", "condescending"}
DISPARAGING = re.compile(
    r"\b(?:disaster|annoying|chaos|chaotic|a\s+mess|messy|useless|terrible|awful|rubbish|a\s+joke|embarrassing|"
    r"painful|hopeless|clueless|mystery\s+to\s+you|(?:not|isn'?t|isnt)\s+rocket\s+science|anyone\s+can\s+do|did\s+you\s+even|"
    r"(?:you|u)\s+finally\s+(?:found|figured|learned|learnt|managed)|giving\s+(?:19|20)\d\d|old\s+way|old-fashioned|"
    r"outdated|ancient|stone\s+age|the\s+reason\s+(?:\w+\s+){0,3}(?:is|are|was|were)\s+(?:stressed|late|behind|annoyed)|"
    r"like\s+(?:your|ur)\s+(?:personal|own)\s+\w+)\b",
    re.IGNORECASE,
)
"""Wording that runs the person or their work down: a senior colleague closes up after it, flagged or not."""
MENTOR, MENTEE = "mentor", "mentee"
QUESTION_START = re.compile(
    r"^(what|how|why|when|where|which|who|could you|would you|can you|do you|did you|are you|is there|"
    r"have you|may i|can i)\b",
    re.IGNORECASE,
)
GREETING = re.compile(
    r"^\W*(?:hi|hello|hey|hiya|yo|good\s+(?:morning|afternoon|evening)|morning|afternoon|dear|greetings|welcome)\b|"
    r"^\W*thanks?\s+(?:you\s+)?(?:for\s+(?:making|finding|taking)\s+(?:the\s+)?time|for\s+meeting|for\s+having)",
    re.IGNORECASE,
)
CLOSING = re.compile(
    r"\b(?:let'?s\s+(?:stop|wrap|end|finish|leave\s+it|call\s+it)|wrap\s+(?:it\s+)?up|that'?s\s+(?:it|all)\s+for|"
    r"(?:see|talk\s+to|catch)\s+you\s+(?:next|soon|later|on|then)|\bbye\b|i(?:'ll)?\s+(?:finish|stop)\s+here|"
    r"for\s+today,?\s+thanks|thanks?\s+(?:you\s+)?(?:again\s+)?for\s+(?:today|your\s+time|the\s+session|listening)|"
    r"that'?s\s+(?:it|all)\s+from\s+me|\bthanks?,?\s+[A-Z][a-z]+\s*[.!]*\s*$|until\s+next\s+(?:time|week)|"
    r"i'?ll\s+send\s+you\s+(?:a|the)\b.*thanks|good\s+session)",
    re.IGNORECASE,
)
APOLOGY = re.compile(
    r"\b(?:sorry|apologi[sz]e|apologies|my\s+bad|i\s+didn'?t\s+mean|came\s+out\s+wrong|i\s+shouldn'?t\s+have|"
    r"take\s+(?:that|it)\s+back|out\s+of\s+line|that\s+was(?:n'?t)?\s+(?:unfair|not\s+fair|fair\s+of\s+me))",
    re.IGNORECASE,
)
NOT_APOLOGY = re.compile(
    r"\bsorry\s+(?:i'?m|for\s+being|to\s+be)\s+(?:a\s+(?:few|couple)\s+\w+\s+|so\s+|a\s+bit\s+)?late\b|"
    r"\bsorry,?\s+but\b|\bsorry\s+to\s+say\b|\bsorry,?\s+(?:this|it)(?:'s|\s+is)?\s+(?:probably|maybe|just)\b",
    re.I,
)
CHECK_IN = re.compile(
    r"(?:does|did)\s+(?:that|this|it)\s+(?:make\s+sense|sound|land|seem|feel)|^\W*(?:that\s+)?make(?:s)?\s+sense\s*\?|"
    r"how\s+does\s+(?:that|this|it)\s+(?:land|sound|feel|seem)|what\s+do\s+you\s+think\s*\??\s*$|"
    r"is\s+(?:that|this)\s+(?:ok|okay|fair|clear|alright)|how\s+do\s+you\s+feel\s+about\s+(?:that|this|it)|"
    r"(?:you|u)\s+(?:ok|okay)\s+with\s+(?:that|this)|any\s+thoughts|fair\s+enough\s*\?|"
    r"^\W*(?:does\s+)?(?:that|this)\s+(?:work|make\s+sense|sound\s+\w+|ok|okay|fair|alright)(?:\s+for\s+you)?\s*\?|"
    r"\b(?:you\s+with\s+me|following\s+me|am\s+i\s+making\s+sense|how\s+are\s+you\s+feeling\s+about)\b|"
    r"(?:right|yeah|ok|okay)\s*\?\s*$|\bwould\s+(?:that|this)\s+(?:work|be\s+ok|be\s+okay|help)|"
    r"\bis\s+(?:that|this)\s+(?:doable|realistic|possible)|\bdoes\s+(?:that|this)\s+seem|"
    r"\bor\s+did\s+it\s+(?:look|feel)\s+different|\bhow\s+does\s+that\s+sit",
    re.IGNORECASE,
)
SUGGESTION = re.compile(
    r"\b(?:next\s+time|you\s+(?:could|might)|how\s+about|what\s+if\s+you|maybe\s+(?:try|you)|(?:try|trying)\s+"
    r"(?:to|using|the|a)|why\s+not|i'?d\s+suggest|i\s+suggest|one\s+idea|could\s+you\s+try|it\s+might\s+help|"
    r"would\s+you\s+(?:be\s+open|try|consider)|shall\s+we\s+try|going\s+forward)\b|^\W*maybe\s+(?!i\b|i'm\b|it'?s\b)|"
    r"\bcould\s+you\s+(?:turn|use|put|keep|set|write|send|share|switch|add|mute|pin|check|book)\b|"
    r"\bmaybe\s+we\s+(?:could|can|should)?\s*\w+",
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
    """A rehearsal so far: who is played, what was said, the critique of each mentor line, the persona's mood
    and what it remembers (the topic, the behaviour named, what it agreed to try)."""

    persona: Persona
    transcript: list[tuple[str, str]] = field(default_factory=list)
    critiques: list[dict[str, Any]] = field(default_factory=list)
    mood: int | None = None
    memory: dict[str, str] = field(default_factory=dict)
    acts: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.mood is None:
            self.mood = START_MOOD[self.persona.attitude]

    def to_dict(self) -> dict[str, Any]:
        return {
            "persona": asdict(self.persona),
            "transcript": [{"speaker": speaker, "text": text} for speaker, text in self.transcript],
            "critiques": [dict(critique) for critique in self.critiques],
            "mood": self.mood,
            "memory": dict(self.memory),
            "acts": list(self.acts),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RehearsalState:
        try:
            persona = Persona(**data["persona"])
            transcript = [(str(turn["speaker"]), str(turn["text"])) for turn in data.get("transcript", [])]
            critiques = [dict(critique) for critique in data.get("critiques", [])]
            mood = data.get("mood")
            memory = {str(k): str(v) for k, v in dict(data.get("memory") or {}).items()}
            acts = [str(act) for act in data.get("acts", [])]
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a rehearsal state: {exc}") from exc
        if any(speaker not in (MENTOR, MENTEE) for speaker, _ in transcript):
            raise ValueError("a rehearsal transcript has only mentor and mentee turns")
        if mood is not None and not isinstance(mood, int):
            raise ValueError("a rehearsal's mood is a whole number")
        return cls(persona=persona, transcript=transcript, critiques=critiques, mood=mood, memory=memory, acts=acts)

    @property
    def mentor_turns(self) -> int:
        return sum(1 for speaker, _ in self.transcript if speaker == MENTOR)

    @property
    def band(self) -> str:
        return "open" if (self.mood or 0) > 0 else "guarded"

    def said(self) -> set[str]:
        return {text for speaker, text in self.transcript if speaker == MENTEE}

    def last_reply(self) -> str:
        return next((text for speaker, text in reversed(self.transcript) if speaker == MENTEE), "")


@dataclass(frozen=True)
class RehearsalTurn:
    reply: str
    critique: dict[str, Any]
    reaction: Act
    mood_before: int = 0
    mood_after: int = 0


def start_rehearsal(persona: Persona, knowledge_dir: Path) -> RehearsalState:
    """A new rehearsal whose transcript begins with the persona's opening line."""
    return RehearsalState(persona=persona, transcript=[(MENTEE, opening_line(persona, knowledge_dir))])


def opening_line(persona: Persona, knowledge_dir: Path) -> str:
    every = _lines(knowledge_dir)["temperaments"][persona.attitude]["opening"]
    lines = [text for text in every if "{name}" in text] or every  # the persona introduces itself
    values = {"name": persona.name, "role": persona.role, "years": str(persona.tenure_years)}
    return _fill(lines[_pick(f"{persona.name}|{persona.role}|{persona.tenure_years}", 0, len(lines))], values)


def read_act(mentor_line: str, critique: Mapping[str, Any]) -> Act:
    """What the mentor's line does, from its wording and its critique.

    A full SBI line without harsh flags is feedback even when it opens with "hi" or ends by asking how it
    lands; an apology wins over the absolute it takes back ("sorry, 'never' was unfair"); harsh flags make
    a judgment, even phrased as a question; the rest is read by its wording, and feedback that names
    none of the SBI parts well enough is vague.
    """
    line = " ".join(mentor_line.split())
    kinds = {str(flag.get("kind")) for flag in critique.get("flags", []) if isinstance(flag, Mapping)}
    harsh = bool(kinds & HARSH_FLAGS)
    parts = {part: _met(critique, part) for part in ("situation", "behavior", "impact")}
    feedback = critique.get("is_feedback", any(parts.values()) or bool(kinds))
    if APOLOGY.search(line) and not NOT_APOLOGY.search(line) and not (all(parts.values()) and not harsh):
        return "apology"
    if harsh or (DISPARAGING.search(line) and not all(parts.values())):
        return "judgment"
    if SUGGESTION.search(line) and not parts["situation"]:
        return "suggestion"
    if all(parts.values()) or (parts["behavior"] and parts["impact"] and feedback):
        return "sbi"
    if CLOSING.search(line):
        return "closing"
    if GREETING.search(line) and not parts["behavior"]:
        return "greeting"
    if CHECK_IN.search(line) and len(line.split()) <= 20:
        return "check_in"
    if SUGGESTION.search(line):
        return "suggestion"
    if SMALL_TALK.search(line) and not feedback:
        return "small_talk"
    if _is_question(line):
        return "vague" if feedback and not QUESTION_START.match(line) else "question"
    return "vague" if feedback else "small_talk"


def choose_reaction(mentor_line: str, critique: Mapping[str, Any]) -> Act:
    return read_act(mentor_line, critique)


def respond(state: RehearsalState, mentor_line: str, knowledge_dir: Path, critique: Mapping[str, Any]) -> RehearsalTurn:
    """The persona's reply to ``mentor_line``; the exchange, its critique, the act and the mood go into ``state``.

    The same state and line always give the same reply; no reply repeats one already said in this rehearsal.
    """
    line = " ".join(mentor_line.split())
    if not line:
        raise ValueError("the mentor's line is empty")
    act = read_act(line, critique)
    before = state.mood if state.mood is not None else START_MOOD[state.persona.attitude]
    state.mood = max(-MOOD_LIMIT, min(MOOD_LIMIT, before + MOOD_CHANGE.get(act, 0)))
    values = _remember(state, line, critique, act)
    lines = _lines(knowledge_dir)
    pool = lines["temperaments"][state.persona.attitude]["acts"][act][state.band]
    reply = _choose(pool, values, state, line, lines, critique, act)
    state.transcript += [(MENTOR, line), (MENTEE, reply)]
    state.critiques.append(dict(critique))
    state.acts.append(act)
    return RehearsalTurn(reply=reply, critique=dict(critique), reaction=act, mood_before=before, mood_after=state.mood)


def _remember(state: RehearsalState, line: str, critique: Mapping[str, Any], act: Act) -> dict[str, str]:
    """The values this line gives the persona's lines, and what the persona keeps for later turns."""
    topic = topic_of(line)
    if topic:
        state.memory["topic"] = topic
    echo = _echo(critique) if act in ("sbi", "suggestion") else ""
    if echo:
        state.memory["behaviour"] = echo
    if act == "suggestion" and (promise := promise_of(line)):
        state.memory["promise"] = promise
    values = {"topic": topic, "echo": echo, "word": _flagged_word(critique) if act == "judgment" else ""}
    if act in ("closing", "check_in"):
        values["promise"] = state.memory.get("promise", "")
        values["topic"] = topic or state.memory.get("topic", "")
    return values


def _choose(
    pool: list[str],
    values: Mapping[str, str],
    state: RehearsalState,
    line: str,
    lines: Mapping[str, Any],
    critique: Mapping[str, Any],
    act: Act,
) -> str:
    """A line of ``pool`` not said before: one that takes up the mentor's words when it can."""
    said = state.said()
    usable = [text for text in pool if _fits(text, values)]
    own_words = [text for text in usable if re.search(r"\{(?:echo|word|promise)\}", text)]
    taking_up = [text for text in usable if PLACEHOLDERS.search(text)]
    turn_number = state.mentor_turns + 1
    for group in (own_words, taking_up, usable):
        start = _pick(line.lower(), turn_number, len(group)) if group else 0
        for step in range(len(group)):
            candidate = _fill(group[(start + step) % len(group)], values)
            if act == "vague" and (missing := _first_missing(critique)):
                follow = lines["missing"][missing]
                candidate = f"{candidate} {follow[_pick(line.lower(), turn_number, len(follow))]}"
            if candidate not in said:
                return candidate
    return _fill(pool[_pick(line.lower(), turn_number, len(pool))], values) + " Go on."


DETERMINERS = {"the", "your", "my", "our", "this", "that", "those", "these", "yesterday's", "today's"}
NOUN_STOP = word_set(
    """
    seem seems sound sounds work works land lands help helps happen happened matter matters mean means
    a an and or but to of in on at for with by from about as
    is are be was were will would can could should i we you he she it
    they me us them it's i'm you're that's there here what which who when where how
    if so not do does did have has had just also only very really all any
    each every some no more most much too then than because while after before during into
    over under again still even back up out off down like get got make made said
    says say told went came come go going know think thought feel felt see saw seemed
    seems look looked looks
    """
)
WEEKDAY_POSSESSIVE = re.compile(r"(?i)^(?:mon|tues|wednes|thurs|fri|satur|sun)day's$")
VAGUE_NOUNS = {
    "time", "moment", "way", "thing", "things", "one", "point", "bit", "part", "end", "start", "same", "other",
    "whole", "rest", "fact", "idea", "feedback", "chance", "lot", "kind", "sort", "reason", "problem", "issue",
    "morning", "afternoon", "evening", "week", "day", "month", "year", "today", "session", "meeting", "call",
}  # fmt: skip


def topic_of(line: str) -> str:
    """The noun phrase the line is about ("the Teams chat", "your weekend"), turned to the persona's side.

    A determiner (or a day's possessive) and up to three words after it, stopping at a function word; of
    the phrases found, one that names a tool wins, then the longest. "the meeting" alone is too vague.
    """
    words = re.findall(r"[\w'’-]+|[^\w\s]", line)
    phrases: list[list[str]] = []
    for index, word in enumerate(words):
        lowered = word.lower().replace("’", "'")
        if lowered not in DETERMINERS and not WEEKDAY_POSSESSIVE.match(lowered):
            continue
        phrase = [word]
        for position, follower in enumerate(words[index + 1 : index + 4]):
            if not re.match(r"[\w'-]", follower) or follower.lower() in NOUN_STOP:
                break
            if position > 0 and re.search(r"(?:ed|ing)$", follower.lower()):
                break  # "the team stopped ..." is about the team
            phrase.append(follower)
        if len(phrase) > 1 and not (len(phrase) == 2 and phrase[1].lower() in VAGUE_NOUNS):
            phrases.append(phrase)
    tool = TOOL.search(line)
    if not phrases:
        return (tool.group(0) if tool.group(0)[:1].isupper() else f"the {tool.group(0)}") if tool else ""
    best = max(phrases, key=lambda p: (bool(tool and tool.group(0).lower() in " ".join(p).lower()), len(p)))
    first = best[0].lower()
    turned = TURN_ROUND.get(first, best[0] if first not in {"the", "this", "that", "those", "these"} else first)
    return " ".join([turned, *best[1:]])


PROMISE = re.compile(
    r"\b(?:next\s+time,?\s+(?:you\s+)?(?:could|might|can)?\s*|you\s+(?:could|might)\s+(?:also\s+)?(?:try\s+(?:to\s+)?)?|"
    r"how\s+about\s+|maybe\s+(?:you\s+(?:could|can)\s+)?(?:try\s+)?|why\s+not\s+|(?:try|trying)\s+(?:to\s+)?|"
    r"i'?d\s+suggest\s+(?:you\s+)?|could\s+you\s+try\s+(?:to\s+)?)(?P<promise>[a-z][^.?!;]{3,80})",
    re.IGNORECASE,
)


def promise_of(line: str) -> str:
    """What a suggestion asks the persona to try, as a bare verb phrase in the persona's words."""
    match = PROMISE.search(line)
    if not match:
        return ""
    words = match.group("promise").strip(" ,").split()
    if words and words[0].lower().endswith("ing"):
        return ""  # "how about sharing ..." does not fit "I'll {promise}"
    turned = ["me" if w.lower() == "you" and i > 0 else TURN_ROUND.get(w.lower(), w) for i, w in enumerate(words[:12])]
    return " ".join(turned)


SPEAKER_LABEL = re.compile(r"^\s*(?:\*\*)?([A-Z][\w .()'-]{0,60}?)(?:\*\*)?\s*:\s*", re.MULTILINE)


def one_speaker(text: str, state: RehearsalState) -> str:
    """The persona's own words from a model's reply: a leading "Margaret:" label dropped, and the reply cut
    where the model starts writing another speaker's line (a script), or a stage direction."""
    reply = text.strip().strip('"')
    own = {state.persona.name.lower(), state.persona.speaker.lower(), "you", "mentee", state.persona.role.lower()}
    first = SPEAKER_LABEL.match(reply)
    if first and first.group(1).strip().lower() in own:
        reply = reply[first.end() :]
    cut = next((m.start() for m in SPEAKER_LABEL.finditer(reply) if m.start() > 0), None)
    if cut is not None:
        reply = reply[:cut]
    reply = re.sub(r"\*[^*]{1,80}\*|\([^)]{1,80}\)|\[[^\]]{1,80}\]", "", reply)
    return " ".join(reply.split()).strip(' "')


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


PLACEHOLDERS = re.compile(r"\{(echo|word|topic|promise)\}")
TURN_ROUND = {
    "you": "I", "your": "my", "yours": "mine", "yourself": "myself", "you're": "I'm", "you've": "I've",
    "you'd": "I'd", "you'll": "I'll", "me": "you", "my": "your", "mine": "yours", "i": "you", "i'm": "you're",
    "i've": "you've", "myself": "yourself", "were": "was", "are": "am",
}  # fmt: skip
SUBJECT_BEFORE = {"and", "but", "then", "so", "when", "that", "because", "while"}
QUOTED = re.compile(r'"([^"]{3,120})"')


def _fits(text: str, values: Mapping[str, str]) -> bool:
    return all(values.get(name) for name in PLACEHOLDERS.findall(text))


def _fill(text: str, values: Mapping[str, str]) -> str:
    filled = text.format_map(_Blank(values))
    return filled[:1].upper() + filled[1:]


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


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
    """The lines file, checked: every temperament has its opening and, per act and mood, enough lines that a
    six-line rehearsal never has to repeat one, each with only the placeholders its list may use."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = lines_problems(data)
    if problems:
        raise MissingGuidelineError(f"{path.name}: {problems[0]}")
    return dict(data)


MIN_LINES = 6
ALLOWED = {"judgment": {"word", "topic"}, "sbi": {"echo", "topic"}, "suggestion": {"echo", "topic"}}
ALLOWED_DEFAULT = {"topic"}
ALLOWED_LATER = {"closing": {"promise", "topic"}, "check_in": {"promise", "topic"}}


def lines_problems(data: Any) -> list[str]:
    """What is wrong with a rehearsal-lines document (empty when it can be used)."""
    if not isinstance(data, dict) or not isinstance(data.get("temperaments"), dict):
        return ["needs a 'temperaments' mapping"]
    problems = []
    missing = data.get("missing") or {}
    for part in ("situation", "behavior", "impact"):
        if not missing.get(part):
            problems.append(f"missing.{part} has no lines")
    for attitude in ATTITUDES:
        entry = data["temperaments"].get(attitude)
        if not isinstance(entry, dict) or not entry.get("opening"):
            problems.append(f"{attitude} has no opening lines")
            continue
        for act in ACTS:
            for mood in MOODS:
                pool = ((entry.get("acts") or {}).get(act) or {}).get(mood) or []
                plain = [text for text in pool if not PLACEHOLDERS.search(str(text))]
                if len(pool) < MIN_LINES or len(plain) < 2:
                    problems.append(f"{attitude}.{act}.{mood} needs {MIN_LINES} lines, 2 without placeholders")
                allowed = ALLOWED.get(act) or ALLOWED_LATER.get(act) or ALLOWED_DEFAULT
                for text in pool:
                    names = set(re.findall(r"\{(\w+)\}", str(text)))
                    if names - allowed:
                        problems.append(f"{attitude}.{act}.{mood}: {sorted(names - allowed)} not allowed in {text!r}")
    return problems


def _lines(knowledge_dir: Path) -> dict[str, Any]:
    """The persona's lines: the organisation's own file if its guidelines have one, else the shipped one."""
    path = knowledge_dir / LINES_FILE
    if not path.exists():
        path = bundled("knowledge") / LINES_FILE
    return _read_lines(path, path.stat().st_mtime_ns)
