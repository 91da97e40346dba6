"""The parts of a development goal as a mentee gives them over a conversation, and the draft they make.

A goal is built from the mentee's own words: the action (the first draft, kept as written), the tool or
task that makes it specific, a measure with its number, a target date and what work it is for. Each part
is read from whatever message gives it ("excel mostly", "3 reports", "end of march", "for the monthly
claims report", or all of them at once), and the draft is composed from the parts with only short
connectives ("specifically", "aiming for", "by"). A part nobody has given yet stays a bracketed
placeholder, and only then.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any

from assistant.coaching.dates import IN_TEXT, MONTHS, DateNotUnderstoodError, parse_target_date
from assistant.judgments.features import ACTION_VERBS, DELIVERABLE_NOUN, GENERIC_TECH, LEARNING, PERIOD_UNIT, TOOLS
from assistant.privacy.common_words import COMMON_LOWER

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "a couple of": 2, "a dozen": 12,
}  # fmt: skip
_NUMBER = r"\d{1,4}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
NUMBER_PATTERN = _NUMBER
_NOT_COUNTED = rf"{PERIOD_UNIT}|hours?|minutes?|mins?|times?\s+(?:a|per)|am|pm|percent|%|st|nd|rd|th|{MONTHS}"
MEASURE = re.compile(
    rf"\b(?:at least\s+|about\s+|around\s+)?(?P<number>{_NUMBER})\s+(?!(?:{_NOT_COUNTED})\b)"
    rf"(?P<noun>(?:of\s+(?:the|our|my|your|these|those)\s+)?(?:[a-z][\w'-]*\s+){{0,3}}?(?:{DELIVERABLE_NOUN}|[a-z][\w-]*s))\b"
    r"(?P<rate>\s+(?:a|per|each|every)\s+(?:day|week|month|quarter|fortnight))?",
    re.IGNORECASE,
)
PERCENT = re.compile(r"\b(?:by\s+)?(?P<number>\d{1,3})\s*(?:%|percent)(?:\s+(?:less|more|faster|fewer))?", re.I)
TOOL = re.compile(rf"\b(?:{TOOLS})\b", re.IGNORECASE)
VERB_BEFORE = re.compile(
    rf"(?i)\b(?P<verb>{ACTION_VERBS})\s+(?:(?:all|the|my|our|at\s+least|about|around|up\s+to)\s+){{0,2}}$"
)
BARE_NUMBER = re.compile(
    rf"(?i)\b(?:all\s+)?(?P<number>{_NUMBER})\b(?!\s*(?:%|percent|{PERIOD_UNIT}|hours?|minutes?|st|nd|rd|th)\b)"
)
PLURAL_NOUN = re.compile(rf"(?i)\b(?:[a-z][\w-]*\s+)?(?:{DELIVERABLE_NOUN}|[a-z][\w-]{{3,}}s)\b")
PROPER_NOUN = re.compile(
    r"\b(?:\d[A-Z]\w+|[A-Z][a-z]*[A-Z0-9][\w]*)\b"  # product-shaped ("1Password", "SolidWorks"): anywhere
    r"|(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{2,}(?:\s+[A-Z][a-z]{2,}){0,2}\b"  # a capitalised name not opening a sentence
)
NOT_A_TOOL = re.compile(
    rf"(?i)^(?:i|the|my|our|monday|tuesday|wednesday|thursday|friday|saturday|sunday|{MONTHS}|it|we|ok|okay|"
    r"please|thanks|hr|it's|english|team|so|and|but|also|then|because|for|by|in|with)$"
)
GENERIC = re.compile(rf"\b(?:{GENERIC_TECH})\b", re.IGNORECASE)
BARE_DATE = re.compile(
    rf"\b(?:(?:the\s+)?end\s+of\s+(?:the\s+)?(?:{MONTHS}|year|quarter|month)\b\.?(?:\s+\d{{4}})?|"
    rf"(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS})\b"
    rf"(?:\s+\d{{4}})?|\d{{4}}-\d{{2}}-\d{{2}}|(?:{_NUMBER})\s+(?:weeks?|months?)\b(?:\s+(?:from now|time))?|"
    rf"next\s+(?:month|quarter)|(?:{MONTHS})\b\.?(?:\s+\d{{4}})?)",
    re.IGNORECASE,
)
PURPOSE = re.compile(
    r"\b(?P<cue>so\s+that|so\s+(?:i|we)\s+can|in\s+order\s+to|because|as\s+(?:my|our|the)\b|for\s+(?:my|our|the|a|an|"
    r"when|every|each|all)\b|to\s+help|to\s+support|which\s+(?:will|would)\s+help)",
    re.IGNORECASE,
)
ACTION_START = re.compile(
    r"^\W*(?:(?:i|we)\s*(?:'ll|'d like to|would like to|want to|wanna|plan to|aim to|hope to|need to|will|can|could|"
    rf"should|must)?\s+)?(?:to\s+)?(?:really\s+)?(?:{ACTION_VERBS}|{LEARNING})\b",
    re.IGNORECASE,
)
LEADING_FILLER = re.compile(
    r"^\W*(?:(?:yes|yeah|yep|yup|ok(?:ay)?|sure|right|well|um+|uh+|hmm+|so|and|also|oh|ah|no|nope|"
    r"ha(?:ha)+|lol|fine|alright|all\s+right|fair\s+(?:enough|point)|good\s+point|true|then|"
    r"i\s+(?:think|guess|suppose|mean|would\s+say|'d\s+say)|probably|maybe|mostly|honestly|basically|"
    r"let'?s\s+say|say|like|i'd\s+go\s+with|it'?s|it\s+is|that'?s|that\s+would\s+be|ideally)\b[\s,.:;-]*)+",
    re.IGNORECASE,
)
TRAILING_FILLER = re.compile(
    r"(?:[\s,]+(?:i\s+(?:think|guess|suppose|hope)|probably|maybe|mostly|honestly|or\s+so|ish|tbh|lol|"
    r"if\s+possible|hopefully|really|then))+\W*$",
    re.IGNORECASE,
)
INNER_FILLER = re.compile(r"(?i),?\s*\b(?:mostly|probably|i think|i guess|maybe|honestly|basically|tbh)\b,?(?=\s|$)")
TOOL_THE = re.compile(rf"(?i)\b({TOOLS})\b,?\s+the\s+")
CASED_TOOLS = {
    "excel": "Excel", "powerpoint": "PowerPoint", "power bi": "Power BI", "powerbi": "Power BI", "teams": "Teams",
    "outlook": "Outlook", "linkedin": "LinkedIn", "chatgpt": "ChatGPT", "chat gpt": "ChatGPT", "copilot": "Copilot",
    "sharepoint": "SharePoint", "onenote": "OneNote", "onedrive": "OneDrive", "zoom": "Zoom", "slack": "Slack",
    "canva": "Canva", "trello": "Trello", "instagram": "Instagram", "tiktok": "TikTok", "youtube": "YouTube",
    "facebook": "Facebook", "whatsapp": "WhatsApp", "miro": "Miro", "notion": "Notion", "jira": "Jira",
    "salesforce": "Salesforce", "tableau": "Tableau", "python": "Python", "sql": "SQL", "gemini": "Gemini",
    "word": "Word", "planner": "Planner", "forms": "Forms", "mailchimp": "Mailchimp", "sap": "SAP",
    "power automate": "Power Automate", "google sheets": "Google Sheets", "google docs": "Google Docs",
}  # fmt: skip

TASK_PLACEHOLDER = "[which tool or task]"
MEASURE_PLACEHOLDER = "[how many, or what you will produce]"
DATE_PLACEHOLDER = "[target date]"
PURPOSE_PLACEHOLDER = "[what work it is for]"
PART_OF_CRITERION = {"specific": "task", "measurable": "measure", "time_bound": "deadline", "relevant": "purpose"}
PART_LABELS = {
    "task": "the tool or task",
    "measure": "the measure",
    "deadline": "the target date",
    "purpose": "what work it is for",
}


@dataclass
class GoalParts:
    """What the mentee has said the goal is, each part in their words ("" while unknown)."""

    action: str = ""  # the draft as first written, without its date (that is ``deadline``)
    task: str = ""  # the tool or task added in an answer, when the draft itself was general
    measure: str = ""  # "3 reports", "build one dashboard myself"
    deadline: str = ""  # "end of March", "31 May", "8 weeks"
    target_date: str = ""  # ISO date of ``deadline``
    purpose: str = ""  # "for the monthly claims report", "because my team uses it"

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> GoalParts:
        names = {f.name for f in fields(cls)}
        return cls(**{k: str(v) for k, v in (data or {}).items() if k in names})

    def known(self, part: str) -> bool:
        """Whether ``part`` (task, measure, deadline, purpose) was given, in the draft or in an answer."""
        text = self.action
        if part == "task":
            return bool(self.task) or bool(TOOL.search(text))
        if part == "measure":
            return bool(self.measure) or bool(MEASURE.search(text) or PERCENT.search(text))
        if part == "deadline":
            return bool(self.deadline)
        return bool(self.purpose) or bool(PURPOSE.search(text))


@dataclass(frozen=True)
class Details:
    """The parts one message gives, each with the span of the message it came from."""

    tool: str = ""
    measure: str = ""
    number: str = ""
    deadline: str = ""
    target_date: str = ""
    purpose: str = ""
    rest: str = ""  # what is left once the parts above are taken out, fillers stripped

    @property
    def empty(self) -> bool:
        return not (self.tool or self.measure or self.deadline or self.purpose)


def details_of(message: str, today: date, context: str = "") -> Details:
    """Every part ``message`` states, wherever in the message it is."""
    text = " ".join(message.split())
    taken: list[tuple[int, int]] = []
    deadline, iso = _deadline(text, today, taken)
    measure, number = "", ""
    counts = [m for m in MEASURE.finditer(text) if not _overlaps(m.span(), taken)]
    counts.sort(key=lambda m: bool(m.group("rate")))  # a total ("6 reports") before a rate ("2 a month")
    if counts:
        match = counts[0]
        start = match.start()
        if verb := VERB_BEFORE.search(text[: match.start()]):
            start = verb.start()
        measure, number = text[start : match.end()].strip(), _as_digits(match.group("number"))
        taken.append((start, match.end()))
    if not measure:
        measure, number = _bare_count(text, taken, context)
    if not measure and (percent := PERCENT.search(text)):
        measure, number = percent.group(0).strip(), percent.group("number")
        taken.append(percent.span())
    purpose = ""
    if (cue := PURPOSE.search(text)) and not _overlaps(cue.span(), taken):
        end = next((s for s, _ in sorted(taken) if s > cue.start()), len(text))
        stop = re.search(r"[.!?;](?:\s|$)|,\s|\s+(?:and|but)\s+(?!I\b)", text[cue.start() : end])
        if stop and len(text[cue.start() : cue.start() + stop.start()].split()) >= 3:
            end = cue.start() + stop.start()
        purpose = clean_fragment(text[cue.start() : end])
        if len(purpose.split()) >= 2:
            taken.append((cue.start(), end))
        else:
            purpose = ""
    tool = named_tool(text)
    rest = text
    for start, end in sorted(taken, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    return Details(tool, measure, number, deadline, iso, purpose, clean_fragment(rest))


AMBIGUOUS_TOOLS = re.compile(r"^(?:forms|word|teams|planner|notion|threads|stories|viva|sway|git)$")
"""Tool names that are also everyday words: a tool only when written with a capital ("Forms", not "25 forms")."""
CATEGORY_TOOLS = re.compile(
    r"(?i)^(?:tablet|smartphone|cloud|crm|erp|intranet|wiki|chatbot|ai assistant|spreadsheets?|dashboards?|"
    r"podcasts?|newsletters?|emails?|inbox|templates?|workflows?|automation|prompts?|prompting|ai tools?|"
    r"password manager|vpn|pdf|blog|vlog|video calls?|webinars?|e-?signatures?|qr codes?|macros?)$"
)
"""Known tool words that name a kind of tool, not a product: a product named beside one is more specific."""


def is_tool_word(word: str) -> bool:
    return not AMBIGUOUS_TOOLS.match(word.lower()) or word[:1].isupper()


def named_tool(text: str) -> str:
    """The tool or platform a message names: a product ("Procore", "KnowBe4", "Excel") before a kind of tool
    ("the tablet", "a password manager"), and an everyday word ("forms") only when capitalised."""
    known = [m.group(0) for m in TOOL.finditer(text) if is_tool_word(m.group(0))]
    products = [w for w in known if not CATEGORY_TOOLS.match(w)]
    if products:
        whole = re.search(rf"\b{re.escape(products[0])}((?:\s+[A-Z][\w-]+){{0,2}})", text)
        return tool_name(products[0]) + (whole.group(1) if whole else "")
    for match in PROPER_NOUN.finditer(text):
        if not NOT_A_TOOL.match(match.group(0)) and not NOT_A_TOOL.match(match.group(0).split()[0]):
            return match.group(0)
    return tool_name(known[0]) if known else ""


def _bare_count(text: str, taken: list[tuple[int, int]], context: str) -> tuple[str, str]:
    """A number without its noun: "do all 6 myself" after "the KnowBe4 training modules", or "so 4" of a
    draft about "the newsletter" (4 newsletters). The noun is the closest one before it in the message,
    else the deliverable the draft names."""
    for match in sorted(BARE_NUMBER.finditer(text), key=lambda m: not m.group("number").isdigit()):
        if _overlaps(match.span(), taken):
            continue
        before = [n for n in PLURAL_NOUN.finditer(text[: match.start()]) if not _overlaps(n.span(), taken)]
        deliverable = re.search(rf"(?i)\b(?:{DELIVERABLE_NOUN})\b", context)
        if before and match.start() - before[-1].end() <= 40:
            noun = before[-1].group(0)
        elif deliverable:
            word = deliverable.group(0).lower()
            noun = word if word.endswith("s") else f"{word}s"
        else:
            return "", ""
        taken.append(match.span())
        return f"{match.group('number')} {noun}", _as_digits(match.group("number"))
    return "", ""


PAST_CUE = re.compile(r"(?i)\b(?:since|last|ago|from|after|ever since|back in)\s+(?:the\s+)?$")


def _deadline(text: str, today: date, taken: list[tuple[int, int]]) -> tuple[str, str]:
    """The target date a message sets: of several, the one after "by" (or "until", "before"), else the latest."""
    found: list[tuple[bool, date, tuple[int, int], str]] = []
    for pattern in (IN_TEXT, BARE_DATE):
        for match in pattern.finditer(text):
            phrase = match.group(0)
            if PAST_CUE.search(text[: match.start()]) or _overlaps(match.span(), [f[2] for f in found]):
                continue
            if pattern is BARE_DATE and re.fullmatch(r"(?i)may|march", phrase) and len(text.split()) > 4:
                continue  # "may" and "march" alone inside a sentence are usually a verb
            try:
                parsed = parse_target_date(phrase, today)
            except DateNotUnderstoodError:
                continue
            cued = bool(re.match(r"(?i)(?:by|before|until|till|no later than|within)\b", phrase))
            found.append((cued, parsed, match.span(), phrase))
    if not found:
        return "", ""
    _, parsed, span, phrase = max(found, key=lambda f: (f[0], f[1]))
    taken.append(span)
    return _date_phrase(phrase), parsed.isoformat()


def _date_phrase(phrase: str) -> str:
    words = re.sub(r"(?i)^(?:by|before|until|till|no later than|on|at)\s+", "", phrase.strip().rstrip("."))
    return re.sub(rf"(?i)\b({MONTHS})\b", lambda m: m.group(1).capitalize(), words)


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def _as_digits(number: str) -> str:
    return str(NUMBER_WORDS.get(number.lower(), number))


def tool_name(word: str) -> str:
    return CASED_TOOLS.get(" ".join(word.lower().split()), word)


def clean_fragment(text: str) -> str:
    """An answer without its fillers ("yes, excel mostly I think." -> "excel")."""
    cleaned = " ".join(text.split()).strip(" .,;:!-")
    previous = None
    while previous != cleaned:
        previous = cleaned
        cleaned = LEADING_FILLER.sub("", cleaned).strip(" .,;:!-")
        cleaned = TRAILING_FILLER.sub("", cleaned).strip(" .,;:!-")
    return cleaned


def is_action(text: str) -> bool:
    """Whether ``text`` says what the mentee will do ("learn pivot tables", "I'll post 4 times")."""
    return bool(ACTION_START.match(text))


def merge(parts: GoalParts, found: Details, asked: str | None) -> list[str]:
    """Fold what one answer gave into ``parts``; the names of the parts it set.

    A part named in the answer wins; what is left of the answer fills the part just asked about
    (``asked``), so "the pivot tables for our monthly report" answers "which tool or task?".
    """
    changed = []
    if found.deadline:
        parts.deadline, parts.target_date = found.deadline, found.target_date
        changed.append("deadline")
    if found.measure:
        parts.measure = _measure_phrase(found.measure, found.rest if asked == "measure" else "")
        changed.append("measure")
    if found.purpose:
        parts.purpose = found.purpose
        changed.append("purpose")
    rest = TOOL_THE.sub(r"\1 ", INNER_FILLER.sub("", found.rest)).strip(" ,")
    tool = found.tool or _unfamiliar_lead(rest)
    new_tool = bool(tool) and tool.lower() not in f"{parts.action} {parts.task}".lower()
    if new_tool or (asked == "task" and rest and "task" not in changed and not parts.task):
        parts.task = task_phrase(rest, tool)
        changed.append("task")
    elif asked == "purpose" and rest and not found.purpose:
        parts.purpose = rest
        changed.append("purpose")
    elif asked == "measure" and rest and not found.measure and is_action(rest):
        parts.measure = rest
        changed.append("measure")
    return changed


WANT_TO = re.compile(r"(?i)^(?:i\s*(?:really\s+)?(?:want|would like|'d like|plan|hope|aim|need)\s+to\s+)")
CALLED = re.compile(r"(?i)^(?:it'?s|it\s+is|that'?s|the\s+\w+\s+is)?\s*called\s+")


def task_phrase(rest: str, tool: str) -> str:
    """What an answer says the goal is about, short: the tool with what the mentee wants to do in it
    ("It's called Allocate. I'd like to build the rota myself" -> "Allocate to build the rota myself"), else
    the clause that holds the tool, else the answer's first clause."""
    pieces = [p.strip() for p in re.split(r"[.!?;]\s+|,\s+|\s+and\s+(?=i\b)", rest) if p.strip()]
    if not tool:
        return rest if len(rest.split()) <= 10 or not pieces else pieces[0]
    clause = re.sub(rf"(?i)\b{re.escape(tool)}\b", tool, _clause_with(rest, tool)) or tool
    if len(clause.split()) > 10 or CALLED.match(clause):
        clause = tool
    actions = [WANT_TO.sub("", p) for p in pieces if tool.lower() not in p.lower() and is_action(p)]
    if clause == tool and actions:
        return f"{tool} to {actions[0]}"
    return clause


def _unfamiliar_lead(rest: str) -> str:
    """A terse answer's first word when it is a product name written in lower case ("procore. daily logs"):
    a word of five letters or more that the embedding model's vocabulary does not hold whole."""
    first = re.match(r"^([a-z][a-z0-9]{4,})(?:[.,;:]|$)", rest.strip())
    if not first or first.group(1) in COMMON_LOWER:
        return ""
    return first.group(1).capitalize()


def _clause_with(text: str, word: str) -> str:
    """The piece of ``text`` (split at sentence ends and commas) that holds ``word``, with the next piece
    when it is the word alone ("procore. daily logs" -> "procore, daily logs")."""
    pieces = [p.strip() for p in re.split(r"[.!?;]\s+|,\s+", text) if p.strip()]
    for index, piece in enumerate(pieces):
        if word.lower() in piece.lower():
            if len(piece.split()) <= len(word.split()) + 1 and index + 1 < len(pieces):
                return f"{piece}, {pieces[index + 1]}"
            return piece
    return ""


def _measure_phrase(measure: str, rest: str) -> str:
    """ "3" "reports" as said; with a verb left in the answer ("build 3 reports"), the verb is kept."""
    verb = re.match(rf"(?i)^(?:i\s*(?:'ll|will|would|could|can)\s+)?({ACTION_VERBS})$", rest.strip())
    return f"{verb.group(1)} {measure}" if verb else measure


def compose(parts: GoalParts, *, with_placeholders: dict[str, bool] | None = None, short: bool = False) -> str:
    """The goal as one sentence from the parts; ``with_placeholders`` names the unknown parts to bracket."""
    wanted = with_placeholders or {}
    sentence = parts.action.rstrip(" .!?;,")
    if short:
        sentence = re.split(r"(?<=[.!?])\s+", sentence)[0].rstrip(" .!?;,")
        if (cue := PURPOSE.search(sentence)) and cue.start() > 15:
            sentence = sentence[: cue.start()].rstrip(" ,")
    if parts.task and parts.task.lower() not in sentence.lower():
        generic = GENERIC.search(sentence)
        if generic and len(parts.task.split()) <= 3 and named_tool(parts.task):
            sentence = sentence[: generic.start()] + parts.task + sentence[generic.end() :]
        else:
            sentence += f", specifically {parts.task}"
    elif wanted.get("task"):
        sentence += f", specifically {TASK_PLACEHOLDER}"
    if parts.purpose and not short and parts.purpose.lower() not in sentence.lower():
        sentence += _purpose_clause(parts.purpose)
    elif wanted.get("purpose") and not short:
        sentence += f", for {PURPOSE_PLACEHOLDER}"
    if parts.measure and parts.measure.lower() not in sentence.lower():
        sentence += f", and {parts.measure}" if is_action(parts.measure) else f", aiming for {parts.measure}"
    elif wanted.get("measure"):
        sentence += f", aiming for {MEASURE_PLACEHOLDER}"
    if parts.deadline:
        sentence += f" {_deadline_clause(parts.deadline)}"
    elif wanted.get("deadline"):
        sentence += f" by {DATE_PLACEHOLDER}"
    sentence = TOOL.sub(lambda m: tool_name(m.group(0)) if is_tool_word(m.group(0)) else m.group(0), sentence)
    sentence = re.sub(r"\s+,", ",", re.sub(r"\s{2,}", " ", sentence)).strip()
    if short:
        sentence = re.sub(
            r"(?i)^(?:i\s+(?:really\s+)?(?:want|would like|'d like|plan|hope|aim|need)\s+to\s+)", "", sentence
        )
    return sentence[:1].upper() + sentence[1:] + "."


def _purpose_clause(purpose: str) -> str:
    if re.match(r"^(?:For|To|So|Because|In order)\b", purpose):
        purpose = purpose[:1].lower() + purpose[1:]
    if PURPOSE.match(purpose) or re.match(r"(?i)^(?:for|to|so)\b", purpose):
        return f" {purpose}" if purpose.lower().startswith("for ") else f", {purpose}"
    if re.match(r"(?i)^(?:i|we|it|my|our|the|they|he|she|this|that)\b", purpose):
        return f", because {purpose[:1].lower() + purpose[1:] if not purpose.startswith('I ') else purpose}"
    return f" for {purpose}"


def _deadline_clause(deadline: str) -> str:
    if re.match(r"(?i)^(?:in|within|before|by|until)\b", deadline):
        deadline = deadline[:1].lower() + deadline[1:]
        return deadline
    if re.match(rf"(?i)^(?:{_NUMBER})\s+(?:weeks?|months?)", deadline):
        return f"within {deadline}"
    return f"by {deadline}"
