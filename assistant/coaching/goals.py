"""Check a development-goal draft against SMART, offline, and suggest what the mentee still has to decide.

Each criterion follows the labelling rule of ``evals/datasets/goals.yaml`` (the rule block there is the
specification; ``python -m evals.skills`` measures how well this module follows it). The checks are rules
over the draft's own words, so every verdict can quote the words it relied on. The embedding model is
used for one thing only: deciding "specific" when no verb the rules know appears in the draft (e.g.
"Windows 11 basics"), by comparing the draft with concrete and generic exemplar goals.

The suggestion never invents facts: it keeps the draft, takes out only over-ambitious words, and marks
everything only the mentee can decide with bracketed placeholders.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.knowledge.sections import guideline_citation

_PLAIN: dict[str, str | int | None] = {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"}
_PLAIN_PUNCTUATION = str.maketrans(_PLAIN)


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


MAX_DRAFT_CHARS = 2000
CRITERIA = ("specific", "measurable", "achievable", "relevant", "time_bound")
QUESTION_ORDER = ("specific", "measurable", "time_bound", "relevant", "achievable")
MAX_QUESTIONS = 3
GUIDELINE = "development-goals.md"
LABELS = {
    "specific": "Specific",
    "measurable": "Measurable",
    "achievable": "Achievable",
    "relevant": "Relevant",
    "time_bound": "Time-bound",
}

TARGET_DATE = "[target date]"
HOW_MEASURED = "[how you will measure it]"
WHICH_TASK = "[which tool or task]"
WHY_IT_MATTERS = "[why it matters for your work]"
REALISTIC_NUMBER = "[a realistic number]"
REALISTIC_LEVEL = "[a realistic level]"


@dataclass(frozen=True)
class Criterion:
    met: bool
    why: str


@dataclass(frozen=True)
class GoalCheck:
    criteria: dict[str, Criterion]
    questions: list[str]
    suggestion: str
    citations: list[dict[str, Any]]

    def as_contract(self) -> dict[str, Any]:
        return {
            "criteria": {name: {"met": c.met, "why": c.why} for name, c in self.criteria.items()},
            "questions": list(self.questions),
            "suggestion": self.suggestion,
            "citations": [{k: c[k] for k in ("source", "section", "text")} for c in self.citations],
        }


@dataclass(frozen=True)
class Span:
    """A stretch of the draft a verdict relies on; ``start``/``end`` index the original draft."""

    start: int
    end: int
    kind: str = ""

    def quote(self, draft: str) -> str:
        return draft[self.start : self.end].strip(" ,;:")


# --- vocabulary -----------------------------------------------------------------------------------

MONTHS = (
    "january|february|march|april|june|july|august|september|october|november|december|sept"
    # "May" is also a modal verb: it only counts next to a preposition or a day number (see MONTH).
)
_MAY_AFTER = ("in", "by", "of", "before", "until", "till", "end", "early", "late", "mid", "since")
MONTH = "(?:" + MONTHS + "|" + "|".join(rf"(?<=\b{word} )may" for word in _MAY_AFTER) + r"|may(?= \d))"
WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
SEASON = r"(?:summer|winter|spring|autumn|fall|holidays|christmas|easter|new year)"
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "hundred": 100,
    "a hundred": 100,
    "dozen": 12,
    "a dozen": 12,
}
NUM = r"(?:\d+(?:[.,]\d+)?|(?:a )?(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r"))"
PERIOD_UNIT = r"(?:days?|weeks?|weekends?|fortnights?|months?|years?|quarters?|sprints?|sessions?)"
SHORT_UNIT = r"(?:seconds?|minutes?|mins?|hours?|hrs?)"
EVENT = (
    r"(?:session|review|meeting|audit|presentation|launch|conference|workshop|deadline|appraisal|all-hands|"
    r"offsite|kick-?off|retreat|holiday|holidays|break|trip|cohort|program|programme|course|exam|pitch|demo|"
    r"role|move|rollout|go-live|event|summit|board)"
)
TIME_WORD = (
    rf"(?:{MONTH}|{WEEKDAY}|{SEASON}|q[1-4]|tomorrow|tonight|today|week|weekend|month|quarter|year|term|"
    rf"midpoint|mid-point|\d{{1,2}}(?:st|nd|rd|th)?\b|{EVENT})"
)

TIME_BOUND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        # "by 31 March", "by the end of Q2", "before our closing session", "until the end of April"
        (
            "deadline",
            rf"\b(?:by|before|until|till|no later than|due)\s+(?:(?:the|our|my|this|next|end|of|early|mid|"
            rf"late|new|first|final|closing|annual|quarterly|weekly|monthly|team|team's|performance|board|"
            rf"[a-z]+'s)\s+){{0,5}}{TIME_WORD}(?:\s+(?:in|on)\s+(?:{MONTH}|\d{{1,2}}\s+{MONTH}|{MONTH}\s+\d{{1,2}}))?"
            rf"(?:\s+(?:starts|begins|ends)\s+on\s+\d{{1,2}}\s+{MONTH})?",
        ),
        ("deadline", rf"\b(?:the\s+)?end\s+of\s+(?:the\s+)?(?:{MONTH}|q[1-4]|month|year|quarter|week|{SEASON}|term)"),
        ("period", rf"\bwithin\s+(?:{NUM}|a|an|the\s+next)\s+{PERIOD_UNIT}\b"),
        ("period", rf"\b(?:in|over|for|during)\s+the\s+(?:next|coming)\s+(?:{NUM}\s+)?{PERIOD_UNIT}\b"),
        ("period", rf"\bin\s+(?:{NUM}|a|an)\s+{PERIOD_UNIT}(?:'s?)?(?:\s+time)?\b"),
        ("period", r"\b(?:this|next)\s+(?:week|weekend|month|quarter|year|term|summer|autumn|spring|winter)\b"),
        ("period", rf"\b(?:today|tomorrow|tonight|next\s+{WEEKDAY})\b"),
        ("date", rf"\b(?:on|by|in|from|until)?\s*\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}\b"),
        ("date", rf"\b{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b"),
        ("date", rf"\b(?:in|by|before|until|during)\s+(?:early\s+|mid-?\s*|late\s+)?(?:{MONTH}|q[1-4])\b"),
        ("date", r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b"),
    )
)
# A response-time limit ("within 60 seconds" of each message, "reply within two days") measures the goal
# but is not a deadline for it.
RESPONSE_LIMIT = re.compile(
    rf"\b(?:within|in under|under)\s+(?:{NUM}|a|an)\s+{SHORT_UNIT}\b|"
    rf"\b(?:reply|replies|replying|respond|responding|answer|answering)\b[^.;]{{0,60}}?\bwithin\s+(?:{NUM}|a|an)\s+"
    rf"(?:{SHORT_UNIT}|{PERIOD_UNIT})\b",
    re.IGNORECASE,
)

FREQUENCY = re.compile(
    rf"\b(?:every|each|per|once\s+a|twice\s+a|{NUM}\s+times?\s+(?:a|per|each|every))\s+(?:other\s+|single\s+)?"
    rf"(?:day|week|fortnight|month|quarter|morning|afternoon|evening|weekday|working\s+day|{WEEKDAY}|meeting|"
    rf"session|call|sprint)s?\b|\b(?:daily|weekly|monthly)(?=\s*[.,;!]|\s*$)",
    re.IGNORECASE,
)
PERCENT = re.compile(
    rf"\b{NUM}\s*(?:%|per\s?cent\b)|"
    rf"\bfrom\s+{NUM}(?:\s+\w+)?\s+to\s+(?:under\s+|below\s+|less\s+than\s+|over\s+|at\s+least\s+)?{NUM}\b",
    re.IGNORECASE,
)
VERIFIABLE_STATE = re.compile(
    r"\bwithout\s+(?:asking|any|help|assistance|support|looking|checking|needing)[^.,;]*|"
    r"\b(?:on my own|by myself|independently|unaided|without help)\b",
    re.IGNORECASE,
)
ARTEFACTS = (
    r"dashboards?|templates?|videos?|pages?|books?|photos?|headlines?|buttons?|reports?|presentations?|decks?|"
    r"checklists?|guides?|posts?|articles?|newsletters?|spreadsheets?|workbooks?|macros?|playlists?|websites?|"
    r"sites?|channels?|summar(?:y|ies)|sessions?|tutorials?|podcasts?|documents?|forms?|surveys?|polls?|"
    r"prototypes?|chatbots?|bots?|workflows?|automations?|flows?|scripts?|trackers?|calendars?|agendas?|"
    r"portfolios?|demos?|maps?|boards?|albums?|webinars?|blogs?|reels?|newsletters?|handbooks?|manuals?|"
    r"faqs?|wikis?|folders?|databases?|lists?|plans?|courses?|certificates?|profiles?"
)
DELIVERABLE = re.compile(rf"\b(?:a|an|one|my first|a first)\s+(?:[\w'-]+\s+){{0,4}}?(?:{ARTEFACTS})\b", re.IGNORECASE)
_NOUN_STOP = (
    r"(?:about|on|for|every|each|by|per|a|an|the|to|that|which|in|of|with|and|or|from|this|before|until|within|"
    r"at|so|because|i|we|you|it|plus|into|than|then|is|are|will)\b"
)
COUNT = re.compile(
    rf"\b(?:at least\s+|at most\s+|up to\s+|no more than\s+|more than\s+|over\s+)?(?P<num>{NUM})(?:-|\s+)"
    rf"(?P<noun>(?!{_NOUN_STOP})[a-z][\w'-]*(?:\s+(?!{_NOUN_STOP})[a-z][\w'-]*){{0,3}})",
    re.IGNORECASE,
)
NOT_A_MEASURE_AFTER = re.compile(
    rf"^(?:-?(?:factor|step|way|fold)\b|(?:of|or|to|more|by|and)\b|(?:{PERIOD_UNIT}|{SHORT_UNIT}|{MONTH})\b|"
    r"(?:new\s+)?(?:day|week|month|year)\b)",
    re.IGNORECASE,
)
VERSIONED_PRODUCT = re.compile(
    r"\b(?:windows|office|microsoft|excel|word|ios|android|macos|python|html|web|version|v|q|covid|gpt|"
    r"chatgpt|teams|iphone|pixel|galaxy|photoshop|365)[\s-]*$",
    re.IGNORECASE,
)
BACKSTORY = re.compile(
    r"\b(?:last\s+(?:week|month|year|time|quarter)|yesterday|ago|used to|so far|right now|currently|"
    r"at the moment|in the past|previously)\b",
    re.IGNORECASE,
)

ACTION_VERBS = (
    "build|create|make|write|post|publish|record|film|shoot|run|host|share|update|set up|automate|replace|"
    "schedule|edit|design|summarise|summarize|answer|reply|respond|send|present|draft|organise|organize|"
    "spot|report|book|migrate|move|convert|clean|clean up|analyse|analyze|track|upload|configure|install|"
    "prepare|produce|launch|facilitate|moderate|chair|show|teach|train|invite|collect|digitise|digitize|"
    "scan|back up|protect|secure|enable|turn on|caption|translate|transcribe|compile|visualise|visualize|"
    "chart|merge|format|filter|calculate|forecast|code|program|fix|test|switch|add|file|store|plan|"
    "set|map|reduce|cut|speed up|streamline|delegate|sort|archive|print|email|message|call"
)
LEARNING_VERBS = (
    "learn|understand|get better|get more comfortable|be more comfortable|improve|try|try out|explore|"
    "know|study|master|become|be|watch|read|take|complete|spend|keep up|discover|practise|practice|"
    "look into|figure out|familiarise|familiarize|get into|get used|go|catch up|follow|get"
)
ACTION = re.compile(
    rf"\b(?P<verb>{ACTION_VERBS})(?:s|es|ed|d|ing)?\b(?P<rest>[^.;!?]*)",
    re.IGNORECASE,
)
USE = re.compile(
    r"\b(?P<verb>use|using|uses)\b\s+(?P<tool>[^.;!?]*?)\s+(?:to|for|in|on|with|when)\s+(?P<rest>[^.;!?]*)",
    re.IGNORECASE,
)
LEARN_TO = re.compile(
    rf"\b(?:{LEARNING_VERBS})(?:s|ed|ing)?\s+(?:how\s+)?to\s+(?:use\s+[^.;!?]*?\s+to\s+)?(?P<verb>{ACTION_VERBS})\b"
    r"(?P<rest>[^.;!?]*)",
    re.IGNORECASE,
)
LEARNING = re.compile(rf"\b(?P<verb>{LEARNING_VERBS}|use)(?:s|ed|ing)?\b(?P<rest>[^.;!?]*)", re.IGNORECASE)
APPLIED_TO = re.compile(r"\bfor\s+(?P<object>(?:my|our|the|a|an)\s+[^.,;!?]+)", re.IGNORECASE)
SO_I_CAN = re.compile(r"\bso\s+(?:that\s+)?(?:I|we)\s+can\s+(?P<rest>[^.;!?]*)", re.IGNORECASE)

GENERIC_WORDS = _word_set(
    """
    tech technology technologies digital digitally ai it computer computers the internet online things thing
    something anything everything stuff skills skill basics basic apps app tools tool software platforms
    platform new more better use world side trends media social devices gadgets modern stuff areas area
    topics topic field fields knowledge way ways work job role career myself me fun general everyday life
    bit little lot
    """
)
STOP_WORDS = _word_set(
    """
    a an the my our your their his her its this that these those to of in on at for with by from about as
    and or but so than then very really just more most much many some any all every each each own own
    is are be been being was were will would can could should i we you they he she it me us them
    how what which who when where why new out up down into over under again further one two three
    four five six seven eight nine ten also only even still yet too not no s t
    """
)
GENERIC_APPLICATION = re.compile(
    r"^(?:my|our|the)?\s*(?:work|job|role|career|self|myself|me|fun|life|everyday life|personal use|"
    r"development|growth|future)\b",
    re.IGNORECASE,
)

UNBOUNDED_SCOPE = re.compile(
    r"\ball\s+things\s+\w+|"
    r"\b(?:every|all|any)\s+(?!\d|one\b|two\b|three\b|four\b|five\b|six\b|seven\b|eight\b|nine\b|ten\b|of\b)"
    r"(?:[\w-]+\s+){0,3}?(?:tools?|apps?|applications?|platforms?|software|programs?|technolog(?:y|ies)|things?|"
    r"systems?|devices?|features?|gadgets?|courses?|trends?)\b(?:\s+(?:out\s+there|there\s+is|available|ever))?|"
    r"\b(?:absolutely\s+)?everything\b(?:\s+(?:digital|ever\s+written|from\s+[\w\s]+?\s+to\s+\w+|on\s+the\s+\w+))?",
    re.IGNORECASE,
)
ABSOLUTE_STANDARD = re.compile(
    r"\b(?:perfect|perfectly|flawless|flawlessly|completely|complete\s+expert|fluent|fluently|"
    r"master\s+(?:every|all)\b|(?:a|an|the)\s+(?:\w+\s+)?star|never\s+later|never\b[^.;]{0,40}\bagain)\b",
    re.IGNORECASE,
)
# Hours of effort one item takes: a rough scale to judge volume against the stated period.
EFFORT_HOURS = {
    "video": 2.0,
    "reel": 1.0,
    "tiktok": 1.0,
    "article": 3.0,
    "blog": 2.0,
    "post": 0.5,
    "course": 8.0,
    "book": 6.0,
    "tutorial": 0.3,
    "tool": 1.0,
    "app": 1.0,
    "application": 1.0,
    "dashboard": 4.0,
    "template": 2.0,
    "recipe": 0.2,
    "podcast": 2.0,
    "episode": 1.0,
    "presentation": 3.0,
    "website": 10.0,
    "newsletter": 2.0,
    "lesson": 1.0,
    "module": 1.0,
    "webinar": 1.0,
    "certification": 20.0,
    "language": 50.0,
}
DAILY_CAPACITY_HOURS = 3.0
PERIOD_DAYS = (
    (re.compile(r"\b(?:today|tomorrow|tonight)\b", re.I), 1.0),
    (re.compile(r"\b(?:this|in\s+a|within\s+a|over\s+a|over\s+the|next)\s+weekend\b", re.I), 2.0),
    (re.compile(rf"\bby\s+{WEEKDAY}\b", re.I), 5.0),
    (re.compile(rf"\b(?:this|next)\s+week\b|\bnext\s+{WEEKDAY}\b|\b(?:in|within)\s+(?:a|one)\s+week\b", re.I), 7.0),
    (
        re.compile(
            r"\b(?:this|next)\s+month\b|\bend\s+of\s+(?:the\s+)?month\b|\b(?:in|within)\s+(?:a|one)\s+month\b", re.I
        ),
        30.0,
    ),
)
RATE_DAYS = (
    (re.compile(r"^\s*(?:a|per|each|every(?:\s+single)?)\s+day\b|^\s*daily\b", re.I), 1.0),
    (re.compile(r"^\s*(?:a|per|each|every(?:\s+single)?)\s+week\b|^\s*weekly\b", re.I), 7.0),
)

WORK_LINK = re.compile(
    r"\b(?:team|team's|teams'|colleagues?|co-?workers?|department|departments|clients?|client's|customers?|"
    r"customer's|stakeholders?|suppliers?|employer|company|company's|organi[sz]ation|business|brand|"
    r"direct reports|staff|(?<!password )(?<!task )manager|boss|board|workplace|employees?|candidates?|partners?)\b|"
    r"\b(?:my|our)\s+(?:\w+\s+){0,2}?(?:role|job|work|projects?|meetings?|sales|office(?!\s*365)|unit|division|"
    r"performance review|presentations?|strategy|firm|site|sites|shop|store|service|product|products|"
    r"reports?|reporting|pitch|pitches)\b|"
    r"\b(?:for|at|in)\s+(?:my\s+)?work\b|"
    r"\bour\s+(?!family|home|house|household|kids|children|garden|holiday|holidays|wedding|dog|cat|pets?|"
    r"flat|apartment|car|neighbou?rs?|friends|vacation)(?:[\w-]+\s+){0,2}?[\w-]+",
    re.IGNORECASE,
)
PURPOSE = re.compile(
    r"\bso\s+that\b[^.;!?]*|"
    r"\bso\s+(?:I|we|my|our|the|they|colleagues|people|it|everyone)(?:\s+\w+){0,2}?\s+(?:can|could|will|'ll|"
    r"won't|don't|doesn't|no\s+longer|stop|finally|get|have|am|is|are|feel)\b[^.;!?]*|"
    r"\bin\s+order\s+to\b[^.;!?]*|\bbecause\b[^.;!?]*|\bsince\s+(?![0-9]|last\b)(?:I|we|my|our|the)\b[^.;!?]*|"
    r",\s*to\s+\w+[^.;!?]*|"
    r"\bto\s+(?:reach|connect\s+with|find|attract|win|engage|support|serve|impress)\b[^.;!?]*",
    re.IGNORECASE,
)

ENGLISH_FUNCTION_WORDS = _word_set(
    """
    the a an and or but to of in on at for with by from about as is are be was were will would can could
    should i we you my our your it this that these those so if not do does did have has had me us them
    they he she his her their its than then there here what which who when where how all any each every
    more most some no up out into over after before until within just also only very
    """
)
FOREIGN_FUNCTION_WORDS = _word_set(
    """
    der das und ist nicht ich ein eine einen mit für auf den dem des zu bis mein meine wir sie
    le les et est une pour dans avec je ne pas du au aux sur mon ma mes nous vous
    el los las y es una para por con que del lo mi mis nosotros como pero
    het een van ik niet zijn voor
    il di che per non sono gli della
    um uma não com meu minha
    """
)


# --- public API -----------------------------------------------------------------------------------


def validate_draft(draft: str) -> str:
    """The stripped draft, or ``ValueError`` with a one-line reason.

    Language check (cheap and honest, not a language identifier): at least 90% of the letters must be
    ASCII, and the draft must not use more common function words of German, French, Spanish, Dutch,
    Italian or Portuguese than of English; a draft of eight or more words must contain at least one
    English function word. Short English drafts such as "Learn AI." pass; so may a short draft in another
    language written without accents.
    """
    if not draft or not draft.strip():
        raise ValueError("the goal draft is empty")
    if len(draft) > MAX_DRAFT_CHARS:
        raise ValueError(f"the goal draft is longer than {MAX_DRAFT_CHARS:,} characters")
    text = draft.strip()
    if not is_probably_english(text):
        raise ValueError("the goal draft does not look like English; Tandem checks goals written in English")
    return text


def is_probably_english(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    ascii_share = sum(ch.isascii() for ch in letters) / len(letters)
    if ascii_share < 0.9:
        return False
    words = [w.lower() for w in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text)]
    english = sum(w in ENGLISH_FUNCTION_WORDS for w in words)
    foreign = sum(w in FOREIGN_FUNCTION_WORDS for w in words)
    if foreign > english:
        return False
    return not (len(words) >= 8 and english == 0)


def check_goal(draft: str, knowledge_dir: Path, embedder: Any | None = None) -> GoalCheck:
    """Judge a goal draft against each SMART criterion, ask about what is missing and suggest a better draft.

    ``embedder`` (anything with ``embed(texts) -> normalised vectors``) defaults to the shared MiniLM model
    and is only used when the rules cannot decide "specific".
    """
    text = validate_draft(draft)
    analysis = _analyse(text, embedder)
    criteria = {name: Criterion(met=analysis[name][0], why=analysis[name][1]) for name in CRITERIA}
    missing = [name for name in QUESTION_ORDER if not criteria[name].met]
    questions = [_question(name, text, analysis) for name in missing][:MAX_QUESTIONS]
    suggestion = _suggest(text, criteria, analysis)
    citations = [guideline_citation(knowledge_dir, GUIDELINE, "The SMART goal framework")]
    if missing:
        citations.append(guideline_citation(knowledge_dir, GUIDELINE, "Weak and strong goal examples"))
    return GoalCheck(criteria=criteria, questions=questions, suggestion=suggestion, citations=citations)


# --- analysis -------------------------------------------------------------------------------------

Verdict = tuple[bool, str]


def _analyse(text: str, embedder: Any | None) -> dict[str, Any]:
    norm = _normalise(text)
    time_spans = find_time_bound(norm)
    measure_spans = find_measures(norm)
    over_spans = find_over_ambition(norm)
    relevant_spans = find_relevance(norm)
    specific_span, specific_generic = find_specific(norm)
    used_embedding = False
    if specific_span is None and not specific_generic:
        specific_met = _embedding_says_specific(norm, embedder)
        used_embedding = True
    else:
        specific_met = specific_span is not None

    def quote(span: Span) -> str:
        return _shorten(span.quote(text))

    result: dict[str, Any] = {"over_spans": over_spans, "specific_span": specific_span}
    if specific_met and specific_span is not None:
        result["specific"] = (
            True,
            f'Specific: "{quote(specific_span)}" names a concrete tool or task and what it is applied to.',
        )
    elif specific_met:
        result["specific"] = (True, f'Specific: "{_shorten(text)}" reads like a concrete digital task.')
    else:
        how = " (judged by similarity to example goals)" if used_embedding else ""
        result["specific"] = (
            False,
            f"Specific: the draft does not name a concrete tool or task and what it is applied to{how}.",
        )
    if measure_spans:
        span = measure_spans[0]
        result["measurable"] = (True, f'Measurable: "{quote(span)}" {_MEASURE_REASON[span.kind]}.')
    else:
        result["measurable"] = (
            False,
            "Measurable: there is no number, frequency, defined deliverable or observable end state to check.",
        )
    if over_spans:
        span = over_spans[0]
        result["achievable"] = (False, f'Achievable: "{quote(span)}" {_OVER_REASON[span.kind]}.')
    else:
        shown = quote(specific_span) if specific_span is not None else _shorten(_first_clause(text))
        result["achievable"] = (
            True,
            f'Achievable: "{shown}" sets no absolute standard, unbounded scope or excessive volume.',
        )
    if relevant_spans:
        span = relevant_spans[0]
        reason = "links the goal to a stated purpose" if span.kind == "purpose" else "links the goal to work"
        result["relevant"] = (True, f'Relevant: "{quote(span)}" {reason}.')
    else:
        result["relevant"] = (
            False,
            "Relevant: the draft does not say how the goal connects to work or why it matters.",
        )
    if time_spans:
        span = time_spans[0]
        result["time_bound"] = (True, f'Time-bound: "{quote(span)}" {_TIME_REASON[span.kind]}.')
    else:
        result["time_bound"] = (
            False,
            "Time-bound: there is no date, deadline or period with an end (a repeating schedule alone has no end).",
        )
    result["measure_spans"] = measure_spans
    return result


_MEASURE_REASON = {
    "count": "gives a number to check",
    "percent": "gives a number to check",
    "frequency": "sets a frequency that can be checked",
    "deliverable": "defines a deliverable that either exists or not",
    "state": "describes an observable end state",
    "response": "sets a limit that can be checked",
}
_OVER_REASON = {
    "absolute": "sets an absolute standard that is hard to reach within a cohort",
    "scope": "sets an unbounded scope",
    "volume": "is a very large amount for the stated period",
}
_TIME_REASON = {
    "deadline": "sets a deadline",
    "period": "sets a period with an end",
    "date": "gives a date",
}


def _normalise(text: str) -> str:
    """Same length as the input, so match offsets index the original draft."""
    return text.translate(_PLAIN_PUNCTUATION)


def _first_clause(text: str) -> str:
    return re.split(r"[,;.!?]", text, maxsplit=1)[0].strip() or text


def _shorten(quote: str, max_words: int = 14) -> str:
    words = quote.split()
    return " ".join(words[:max_words]) + (" ..." if len(words) > max_words else "")


def _sentences(text: str) -> Iterable[tuple[int, int]]:
    for match in re.finditer(r"[^.!?]+[.!?]*", text):
        yield match.start(), match.end()


def _backstory_ranges(text: str) -> list[tuple[int, int]]:
    return [(s, e) for s, e in _sentences(text) if BACKSTORY.search(text[s:e])]


def _inside(start: int, ranges: Iterable[tuple[int, int]]) -> bool:
    return any(s <= start < e for s, e in ranges)


def find_time_bound(text: str) -> list[Span]:
    """Deadlines, dated events and periods with an end, in the order they appear."""
    limits = [(m.start(), m.end()) for m in RESPONSE_LIMIT.finditer(text)]
    backstory = _backstory_ranges(text)
    spans: list[Span] = []
    for kind, pattern in TIME_BOUND_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.start(), match.end()
            while start < end and text[start].isspace():
                start += 1
            if _inside(start, limits) or _inside(start, backstory):
                continue
            if re.search(r"\blast\s*$", text[max(0, start - 6) : start], re.IGNORECASE):
                continue
            spans.append(Span(start, end, kind))
    return _merge(spans)


def _merge(spans: list[Span]) -> list[Span]:
    """Drop spans inside longer ones; order by position."""
    spans = sorted(spans, key=lambda s: (s.start, -(s.end - s.start)))
    kept: list[Span] = []
    for span in spans:
        if kept and span.start < kept[-1].end:
            if span.end > kept[-1].end and span.end - span.start > kept[-1].end - kept[-1].start:
                kept[-1] = span
            continue
        kept.append(span)
    return kept


def _goal_part(text: str) -> str:
    """The draft up to its first purpose clause: deliverables count only in what the mentee will do."""
    match = PURPOSE.search(text)
    return text[: match.start()] if match else text


def find_measures(text: str) -> list[Span]:
    backstory = _backstory_ranges(text)
    dates = [(s.start, s.end) for s in find_time_bound(text) if s.kind in ("date", "period", "deadline")]
    spans: list[Span] = []
    for match in RESPONSE_LIMIT.finditer(text):
        within = re.search(r"\b(?:within|in under|under)\b", match.group(0), re.IGNORECASE)
        start = match.start() + (within.start() if within else 0)
        spans.append(Span(start, match.end(), "response"))
    for match in PERCENT.finditer(text):
        if not _inside(match.start(), backstory):
            spans.append(Span(match.start(), match.end(), "percent"))
    for match in FREQUENCY.finditer(text):
        if not _inside(match.start(), backstory):
            spans.append(Span(match.start(), match.end(), "frequency"))
    for match in VERIFIABLE_STATE.finditer(text):
        spans.append(Span(match.start(), match.end(), "state"))
    goal_end = len(_goal_part(text))
    for match in DELIVERABLE.finditer(text):
        if match.start() < goal_end and not _inside(match.start(), backstory):
            spans.append(Span(match.start(), match.end(), "deliverable"))
    for match in COUNT.finditer(text):
        num_start = match.start("num")
        if _is_count(text, match) and not _inside(num_start, backstory) and not _inside(num_start, dates):
            spans.append(Span(match.start(), match.end(), "count"))
    return _merge(spans)


def _is_count(text: str, match: re.Match[str]) -> bool:
    num = match.group("num").lower()
    before = text[: match.start("num")]
    if num in ("one", "a one") and re.search(r"\b(?:no|every|any|some)\s*$", before, re.IGNORECASE):
        return False
    if re.match(r"^(?:-|\s+)(?:of|another)\b", text[match.end("num") :], re.IGNORECASE):
        return False
    if VERSIONED_PRODUCT.search(before[-20:]):
        return False
    if re.search(r"[A-Za-z]\s*$", before) and re.search(r"\b[A-Z][\w-]*\s*$", before) and _not_sentence_start(before):
        return False
    after = text[match.end("num") :].lstrip(" -")
    return not NOT_A_MEASURE_AFTER.match(after)


def _not_sentence_start(before: str) -> bool:
    """True when the capitalised word right before a number is a name inside a sentence."""
    stripped = before.rstrip()
    last_word = re.search(r"([\w-]+)$", stripped)
    if last_word is None:
        return False
    prefix = stripped[: last_word.start()].rstrip()
    return bool(prefix) and prefix[-1] not in ".!?:"


def find_over_ambition(text: str) -> list[Span]:
    spans = [Span(m.start(), m.end(), "absolute") for m in ABSOLUTE_STANDARD.finditer(text)]
    spans += [Span(m.start(), m.end(), "scope") for m in UNBOUNDED_SCOPE.finditer(text)]
    spans += _excessive_volume(text)
    return _merge(spans)


def _excessive_volume(text: str) -> list[Span]:
    period: float | None = None
    for pattern, period_days in PERIOD_DAYS:
        if pattern.search(text):
            period = period_days if period is None else min(period, period_days)
    spans = []
    for match in COUNT.finditer(text):
        amount = _number(match.group("num"))
        if amount is None or amount < 2 or not _is_count(text, match):
            continue
        effort = _effort(" ".join(text[match.end("num") :].split()[:4]))
        if effort is None:
            continue
        after = text[match.end() :]
        rate_days = next((d for pattern, d in RATE_DAYS if pattern.search(after)), None)
        days = rate_days or period
        if days is not None and amount * effort / days > DAILY_CAPACITY_HOURS:
            spans.append(Span(match.start(), match.end(), "volume"))
    return spans


def _number(token: str) -> float | None:
    token = token.lower().strip()
    if token in NUMBER_WORDS:
        return float(NUMBER_WORDS[token])
    try:
        return float(token.replace(",", ""))
    except ValueError:
        return None


def _effort(noun_phrase: str) -> float | None:
    """Effort of the first item noun in a few words after a number ("100 LinkedIn articles")."""
    for word in re.split(r"[\s-]+", noun_phrase.lower()):
        stem = word.strip(".,;:!?")
        for candidate in (stem, stem[:-1] if stem.endswith("s") else stem):
            if candidate in EFFORT_HOURS:
                return EFFORT_HOURS[candidate]
    return None


def find_relevance(text: str) -> list[Span]:
    spans = [Span(m.start(), m.end(), "work") for m in WORK_LINK.finditer(text)]
    spans += [Span(m.start(), m.end(), "purpose") for m in PURPOSE.finditer(text)]
    spans = [s for s in spans if not _personal_only(text[s.start : s.end])]
    # A purpose clause is the stronger quote; fall back to the work link.
    return sorted(_merge(spans), key=lambda s: (s.kind != "purpose", s.start))


def _personal_only(fragment: str) -> bool:
    return bool(re.fullmatch(r"our\s+(?:own|personal|private)\b.*", fragment, re.IGNORECASE))


def find_specific(text: str) -> tuple[Span | None, bool]:
    """The concrete task the draft names, and whether the rules recognised the draft's verb at all.

    Concrete: an action verb with a non-generic object ("build one Power BI dashboard ..."), "learn to" +
    action ("learn to schedule posts in Buffer"), "use <tool> to/for ...", or a learning verb whose tool
    is applied to something ("master pivot tables for my team's budget report", "learn Canva so I can
    design slides"). Learning verbs alone ("learn AI", "try out Notion") are generic.
    """
    recognised = False
    candidates: list[Span] = []
    for pattern in (LEARN_TO, USE):
        for match in pattern.finditer(text):
            recognised = True
            if _has_concrete_object(match.group("rest")):
                candidates.append(_clause_span(text, match.start(), match.end()))
    learning_positions = [m.start() for m in LEARNING.finditer(text) if m.group("verb").lower() != "use"]
    for match in ACTION.finditer(text):
        if _is_noun_use(text, match.start()):
            continue
        recognised = True
        if _is_inside_purpose_or_reason(text, match.start()):
            continue
        if _follows_learning_verb(text, match.start(), learning_positions):
            continue
        if _has_concrete_object(match.group("rest")):
            candidates.append(_clause_span(text, match.start(), match.end()))
    for match in LEARNING.finditer(text):
        recognised = True
        rest = match.group("rest")
        applied = APPLIED_TO.search(rest)
        if (
            applied
            and not GENERIC_APPLICATION.match(applied.group("object"))
            and _has_concrete_object(rest[: applied.start()])
            and _has_concrete_object(applied.group("object"))
        ):
            candidates.append(Span(match.start(), match.start("rest") + applied.end(), "task"))
            continue
        purpose = SO_I_CAN.search(rest)
        if purpose and _has_concrete_object(rest[: purpose.start()]):
            inner = ACTION.search(purpose.group("rest"))
            if inner and inner.start() == 0 and _has_concrete_object(inner.group("rest")):
                candidates.append(Span(match.start(), match.start("rest") + purpose.end(), "task"))
    if candidates:
        return min(candidates, key=lambda span: span.start), True
    # A purpose or backstory clause can hold action verbs; the goal itself may still be a learning one.
    return None, recognised


VERB_CONTEXT = re.compile(
    r"(?:^|[.,;:!?(]|\b(?:i|we|you|will|'ll|to|and|or|then|can|could|should|would|must|also|always|never|"
    r"first|finally|please|let's|me|us|help|want|plan|aim|going|and then)|\w+ly)$",
    re.IGNORECASE,
)


def _is_noun_use(text: str, position: int) -> bool:
    """'30 books', 'the quarterly report': a verb form used as a noun.

    A verb in a goal follows the start of a sentence or clause, a subject, a modal, "to", "and" or an
    adverb; anything else before it (a number, determiner or noun) makes it a noun.
    """
    before = text[:position].rstrip()
    return not VERB_CONTEXT.search(before)


def _is_inside_purpose_or_reason(text: str, position: int) -> bool:
    return any(m.start() < position < m.end() for m in PURPOSE.finditer(text))


def _follows_learning_verb(text: str, position: int, learning_positions: list[int]) -> bool:
    """'get better at ... share' - an action verb that is the object of a learning verb in the same clause."""
    for start in learning_positions:
        if start < position and not re.search(r"[.,;!?]|\band\b", text[start:position]):
            between = text[start:position].lower()
            if " to " not in f" {between} ":
                return True
    return False


def _has_concrete_object(fragment: str) -> bool:
    """At least one content word that is neither generic ("tech", "AI", "apps") nor a function word.

    "better <one noun>" ("run better online meetings") is an improvement wish, not a concrete object.
    """
    fragment = re.split(r"\b(?:so that|so I|so we|because|since|in order to)\b", fragment, maxsplit=1)[0]
    words = [w.lower().strip("'-") for w in re.findall(r"[A-Za-z][\w'-]*", fragment)]
    content = [
        w
        for w in words
        if w not in STOP_WORDS
        and w not in GENERIC_WORDS
        and w not in NUMBER_WORDS
        and not re.fullmatch(rf"{PERIOD_UNIT}|{SHORT_UNIT}|{WEEKDAY}|{MONTHS}|times?|week's|day's", w)
        and w not in ("first", "second", "last", "next", "week", "weeks", "end", "least", "single", "weekly")
        and not w.endswith("ly")
    ]
    if re.search(r"\b(?:better|more)\b", fragment, re.IGNORECASE) and len(content) <= 1:
        return False
    return bool(content)


def _clause_span(text: str, start: int, end: int) -> Span:
    stop = re.search(r"[,;.!?]|\s+(?:so that|so I|because|since|by the end|by \d|within)\b", text[start:end])
    clause_end = start + stop.start() if stop else end
    return Span(start, clause_end, "task")


# --- embeddings (only when the rules do not recognise the draft's verb) -------------------------------

CONCRETE_EXEMPLARS = (
    "build a Power BI dashboard for the weekly sales review",
    "run my team meetings in Teams with breakout rooms",
    "set up a shared Notion page for our project tasks",
    "write the monthly report with an approved AI assistant",
    "publish four posts about our team's work on LinkedIn",
    "create an Excel template with formulas for the budget",
    "record a short video explaining the new process",
    "use a password manager for all my work accounts",
    "Excel pivot tables for the quarterly budget report",
    "shared calendar and task board for the team's projects",
)
GENERIC_EXEMPLARS = (
    "get better at tech",
    "learn AI",
    "be more digital",
    "improve my social media",
    "understand technology",
    "use data better",
    "digital skills",
    "computer basics",
    "learn about new apps",
    "keep up with trends",
)
SPECIFIC_MARGIN = 0.0
_exemplar_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}
_exemplar_lock = threading.Lock()


def _exemplar_vectors(embedder: Any) -> tuple[np.ndarray, np.ndarray]:
    key = getattr(embedder, "model_id", type(embedder).__name__)
    with _exemplar_lock:
        if key not in _exemplar_cache:
            vectors = np.asarray(embedder.embed([*CONCRETE_EXEMPLARS, *GENERIC_EXEMPLARS]))
            _exemplar_cache[key] = (vectors[: len(CONCRETE_EXEMPLARS)], vectors[len(CONCRETE_EXEMPLARS) :])
        return _exemplar_cache[key]


def _embedding_says_specific(text: str, embedder: Any | None) -> bool:
    """Nearer to a concrete exemplar than to any generic one (vectors are normalised: dot = cosine)."""
    if embedder is None:
        from assistant.retrieval.embeddings import get_embedder

        embedder = get_embedder()
    concrete, generic = _exemplar_vectors(embedder)
    vector = np.asarray(embedder.embed([text]))[0]
    return float((concrete @ vector).max() - (generic @ vector).max()) > SPECIFIC_MARGIN


# --- questions and suggestion ---------------------------------------------------------------------


def _question(name: str, text: str, analysis: dict[str, Any]) -> str:
    if name == "specific":
        return "Which tool or task exactly will you work on, and what will you use it for?"
    if name == "measurable":
        return "How will you and your mentor know it is done: what will you produce, how many, or how often?"
    if name == "time_bound":
        return "By when do you want to reach this goal, for example a date before your closing session?"
    if name == "relevant":
        return "Why does this goal matter for your work or your team?"
    over: list[Span] = analysis["over_spans"]
    trigger = _shorten(over[0].quote(text), 8) if over else "this"
    return f'Is "{trigger}" realistic in the time you have, or what would a good first step look like?'


def _suggest(text: str, criteria: dict[str, Criterion], analysis: dict[str, Any]) -> str:
    """The mentee's draft with over-ambitious words taken out and placeholders for what is missing.

    Placeholders go before a purpose clause ("..., by [target date], so I can ...") so the draft still reads
    as one sentence; a draft of several sentences gets one short labelled sentence per missing part.
    """
    draft = text if criteria["achievable"].met else _tone_down(text, analysis["over_spans"])
    body = re.sub(r"\s{2,}", " ", draft).strip().rstrip(" .!?;,")
    repeating = any(span.kind == "frequency" for span in analysis["measure_spans"])
    missing = {name for name in CRITERIA if not criteria[name].met}
    if not missing - {"achievable"}:
        return _capitalise(body + ".")
    if len(list(_sentences(body))) > 1:
        labelled = {
            "specific": f"Tool or task: {WHICH_TASK}.",
            "measurable": f"Measure: {HOW_MEASURED}.",
            "time_bound": f"Deadline: {TARGET_DATE}.",
            "relevant": f"Why it matters: {WHY_IT_MATTERS}.",
        }
        if WHICH_TASK in body:
            labelled.pop("specific")
        return _capitalise(" ".join([f"{body}.", *(v for k, v in labelled.items() if k in missing)]))
    inserts = []
    if "specific" in missing and WHICH_TASK not in body:
        inserts.append(f"specifically {WHICH_TASK}")
    if "measurable" in missing:
        inserts.append(f"measured by {HOW_MEASURED}")
    if "time_bound" in missing:
        inserts.append(f"{'until' if repeating else 'by'} {TARGET_DATE}")
    sentence = body
    if inserts:
        purpose = PURPOSE.search(body)
        if purpose is not None and purpose.start() > 0:
            head, tail = body[: purpose.start()].rstrip(" ,"), body[purpose.start() :].lstrip(" ,")
            sentence = f"{head}, {', '.join(inserts)}, {tail}"
        else:
            sentence = f"{body}, {', '.join(inserts)}"
    if "relevant" in missing:
        sentence += f", because {WHY_IT_MATTERS}"
    return _capitalise(sentence + ".")


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _tone_down(text: str, spans: list[Span]) -> str:
    """Take out absolute words and mark unbounded scopes or volumes for the mentee to decide."""
    pieces: list[str] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: s.start):
        pieces.append(text[cursor : span.start])
        fragment = text[span.start : span.end]
        if span.kind == "volume":
            replacement = re.sub(NUM, REALISTIC_NUMBER, fragment, count=1, flags=re.IGNORECASE)
        elif span.kind == "scope":
            replacement = WHICH_TASK
        elif re.fullmatch(r"perfectly|completely|flawlessly|fluently|never\s+later", fragment, re.IGNORECASE):
            replacement = ""
        elif never := re.fullmatch(r"never\s+(.*?)\s+again", fragment, re.IGNORECASE):
            replacement = f"rarely {never.group(1)}"
        elif re.fullmatch(r"complete\s+expert", fragment, re.IGNORECASE):
            replacement = "expert"
        elif star := re.fullmatch(r"(?:a|an|the)\s+(\w+\s+)?star", fragment, re.IGNORECASE):
            replacement = REALISTIC_LEVEL + (f" on {star.group(1).strip()}" if star.group(1) else "")
        else:
            replacement = REALISTIC_LEVEL
        if replacement[:1].lower() in "aeiou" and re.search(r"\ba\s+$", pieces[-1]):
            pieces[-1] = re.sub(r"\ba(\s+)$", r"an\1", pieces[-1])
        pieces.append(replacement)
        cursor = span.end
    pieces.append(text[cursor:])
    toned = "".join(pieces)
    toned = re.sub(r"\s+([,.;!?])", r"\1", toned)
    toned = re.sub(r",\s*([.!?]|$)", r"\1", toned)
    return re.sub(r"\s{2,}", " ", toned).strip()
