"""Requests Tandem declines before any retrieval or model call: other people's data, its own instructions.

Rules, not a model: they are cheap, explainable and measured by evals/datasets/safety.yaml. They run on
text already cleaned by ``assistant.text.clean_text``; Cyrillic and Greek look-alikes are folded to
Latin first, and the text is also read backwards (a known trick to smuggle an instruction).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.llm.composer import PROGRAM_POINTER

CONFUSABLES = str.maketrans(
    "АВЕКМНОРСТХаеорсхуіІјЈѕЅԁɡΑΒΕΖΗΙΚΜΝΟΡΤΥΧαορ", "ABEKMHOPCTXaeopcxyiIjJsSdgABEZHIKMNOPTYXaop"
)

INSTRUCTIONS = re.compile(
    r"\b(?:system|hidden|secret|initial|original|developer)\s+(?:prompt|instructions?|message|rules?)\b"
    r"|\bprompt\s+file\b|\byour\s+(?:instructions|rules|configuration|prompt)\b"
    r"|\brules\s+(?:were\s+)?you\s+(?:were\s+)?given\b|\brepeat\s+everything\s+above\b"
    r"|\b(?:print|show|output|reveal|paste|quote)\b[^.?!]{0,40}\b(?:instructions|prompt|rules)\b",
    re.IGNORECASE,
)
INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.?!]{0,30}\b(?:instructions?|rules|guidelines|prompt)\b"
    r"|\bdeveloper\s+mode\b|\bsafety\s+rules\s+are\s+off\b|</?\s*system\s*>|\bnew\s+instruction\b"
    r"|\byou\s+are\s+(?:now\s+)?dan\b|\bwithout\s+restrictions\b|\bconfirm\s+by\s+replying\b"
    r"|\b(?:exact|verbatim|full)\s+text\s+of\b|\bprivacy\s+policy\s+changed\b|\b(?:with|have)\s+admin\s+access\b",
    re.IGNORECASE,
)
ROLE_NOUNS = (
    r"(?:mentee|mentor|partner|pair|participant|colleague|manager|boss|sponsor|person|someone|somebody|"
    r"everyone|anyone|program|programme|company|team|cohort|employee|lead|coach|buddy)"
)
TIME_WORDS = r"(?:today|tonight|tomorrow|yesterday|week|weekend|month|year|quarter|morning|afternoon|evening|\w*day)"
OTHERS_DATA = re.compile(
    r"\b(?:show|send|give|list|summari[sz]e|share|read\s+me|tell\s+me)\b[^.?!]{0,60}"
    r"\b(?:transcripts?|session\s+(?:notes|logs?|feedback)|mentoring\s+notes|participant\s+list)\b"
    r"|\b(?:every|all|everyone's)\b[^.?!]{0,20}\b(?:transcripts|session\s+(?:notes|feedback)|notes)\b"
    r"|\b(?:which|what|who)\s+(?:other\s+)?(?:mentees|mentors|participants|people)\s+(?:\w+\s+){0,2}"
    r"(?:complained|said|flagged|reported|told|wrote)\b"
    r"|\bwho\s+else\s+is\s+in\s+the\s+program\b|\bwhat\s+did\s+\w+(?:\s+\w+)?\s+(?:tell|say|write)\b"
    # a named person's records; "my mentor's feedback" or "a mentee's sessions" are the asker's own pair or
    # a question about the rules, not a request for someone's data
    rf"|\b(?!(?:{ROLE_NOUNS}|{TIME_WORDS})'s\b)\w+'s\s+(?:sessions?|notes|feedback|progress|email|phone|salary|pay|performance)\b"
    # anyone's contact details, files or scores, which Tandem does not hold and would not share
    r"|\b(?:what'?s|what\s+is|what\s+are|give\s+me|send\s+me|find|look\s+up|get\s+me|need|share|tell\s+me|know)\b"
    rf"[^.?!]{{0,30}}\b{ROLE_NOUNS}'?s?\s+(?:(?:private|personal|home|mobile|cell|direct|own|work)\s+){{0,2}}"
    r"(?:phone|mobile|number|nmber|email|e-mail|address|salary|pay|payslip|appraisal|medical|sick\s+(?:days|record))\b"
    r"|\b(?:cvs?|r[ée]sum[ée]s?|personnel\s+files?|hr\s+files?|appraisals?)\s+(?:of|for)\s+"
    r"(?:the\s+|all\s+|every\s+|each\s+)?(?:last\s+\w+\s+)?(?:new\s+)?(?:\w+\s+)?(?:hires|employees|staff|people|mentees|mentors|candidates|participants|colleagues)\b"
    r"|\b(?:list|names?|who)\s+(?:of\s+)?(?:the\s+)?(?:mentees|mentors|participants|employees|people|staff)\s+(?:who|that)\s+"
    r"(?:scored|rated|failed|dropped|quit|left|complained|are\s+struggling)\b"
    r"|\b(?:email|phone|address)\s+(?:and|or)\s+(?:email|phone|number|address)\b"
    r"|\b(?:how\s+much\s+does|what\s+does)\s+(?:my|his|her|their|\w+)\s+\w*\s*(?:earn|make|get\s+paid)\b"
    r"|\bsalary\s+of\b|\bperformance\s+(?:review|improvement\s+plan)\s+(?:for|of)\b|\bimprovement\s+plan\b"
    r"|\bcompare\s+my\s+progress\s+with\b|\bwhat\s+(?:the\s+)?\w*\s*(?:mentees|mentors)\s+(?:in|from)\b",
    re.IGNORECASE,
)

REQUEST = (
    r"(?:^|[.!?]\s+|\b(?:can|could|would|will)\s+you\s+(?:please\s+)?|\bplease\s+|\bi\s+(?:need|want)\s+you\s+to\s+)"
)
"""Where an instruction to Tandem starts: a sentence's first word, "can you", "please"."""
OTHER_TASKS = re.compile(
    rf"{REQUEST}(?:just\s+)?(?:translate|proofread)\b"
    rf"|{REQUEST}(?:just\s+)?(?:write|compose|make\s+up|come\s+up\s+with|give\s+me|draft|generate)\b[^.?!]{{0,40}}"
    r"\b(?:poems?|poetry|haikus?|limericks?|songs?|lyrics|raps?|captions?|jokes?|puns?|story|stories|toasts?|riddles?|"
    r"slogans?|taglines?|sql|quer(?:y|ies)|python|javascript|scripts?|regex|vba|code|cover\s+letters?|wedding\s+speech)\b"
    rf"|{REQUEST}(?:set|create|add)\s+(?:me\s+)?(?:a\s+)?(?:reminder|alarm|timer)\b",
    re.IGNORECASE,
)
"""Work that is not the program's: creative writing, translation, code, reminders."""


@dataclass(frozen=True)
class GuardDecision:
    kind: str
    reason: str


def screen_request(text: str) -> GuardDecision | None:
    """The reason to decline ``text``, or None when it may be answered."""
    folded = text.translate(CONFUSABLES)
    for candidate in (folded, folded[::-1]):
        if OTHERS_DATA.search(candidate):
            return GuardDecision("other_participant_data", "asks about another participant's data")
        if INSTRUCTIONS.search(candidate) or INJECTION.search(candidate):
            return GuardDecision("instructions", "asks for or tries to change Tandem's instructions")
    if OTHER_TASKS.search(folded):
        return GuardDecision("other_task", "asks for writing, translation or code the program does not cover")
    return None


def guard_reply_text(decision: GuardDecision) -> str:
    if decision.kind == "other_participant_data":
        return (
            "I can't share or look up anything about other participants or their conversations: what is said "
            "in a pair stays in the pair, and HR only sees anonymous themes aggregated over several people. [1] "
            "If you have a concern about someone, the program guidelines explain how to raise it with the HR "
            "program lead. [2]"
        )
    if decision.kind == "other_task":
        return (
            "That is not something Tandem does: it does not write poems, captions, code or translations, or set "
            f"reminders. {PROGRAM_POINTER}"
        )
    return (
        "I can't share, change or set aside my instructions. I'm happy to help with the program itself: "
        "development goals, planning sessions, giving feedback, the mentoring agreement and confidentiality."
    )
