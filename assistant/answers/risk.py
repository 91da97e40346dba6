"""Disclosures of harm, in any mode: the guidelines' escalation steps come first, never a decline.

Two layers, either one enough: rules for the plain wordings (they never miss "kill myself"), and a
learned head over the message's embedding for the indirect ones ("everyone would be better off
without me", "he said I'd regret it"), its threshold set on dev for recall first. Idioms ("this
deadline is killing me") are the head's hard negatives and the rules' exclusions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answers.features import risk_features
from assistant.answers.memory import QuestionMemory
from assistant.answers.model import AnswerModel
from assistant.knowledge.chunking import Chunk, split_sentences
from assistant.knowledge.sections import MissingGuidelineError, guideline_chunks
from assistant.retrieval.embeddings import Embedder

ESCALATION_FILE = "confidentiality-and-escalation.md"
WHEN_SECTION = "When to escalate to HR"
HOW_SECTION = "How to escalate a concern"


def either(*alternatives: str) -> re.Pattern[str]:
    """One case-insensitive pattern of regular-expression alternatives (each on its own line here)."""
    return re.compile("|".join(alternatives), re.I)


def words(*alternatives: str) -> re.Pattern[str]:
    """Alternatives that must start and end at word boundaries."""
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.I)


SELVES = r"(?:my|him|her|them)sel(?:f|ves)"
RULES: dict[str, re.Pattern[str]] = {
    "self-harm": either(
        rf"\b(?:kill(?:ing)?|hurt(?:ing)?|harm(?:ing)?|cut(?:ting)?)\s+{SELVES}\b",
        r"\bsuicid\w*",
        r"\bself[- ]harm\w*",
        r"\bend(?:ing)?\s+(?:it\s+all|my\s+life|his\s+life|her\s+life)\b",
        r"\b(?:don'?t|do\s+not|doesn'?t)\s+want\s+to\s+(?:live|be\s+alive|be\s+here\s+any\s*more|wake\s+up)",
        r"\bbetter\s+off\s+without\s+(?:me|him|her)\b",
        r"\bno\s+(?:point|reason)\s+(?:in\s+)?(?:living|going\s+on|to\s+live)\b",
        r"\boverdose\b",
        r"\btake\s+(?:my|his|her)\s+(?:own\s+)?life\b",
        rf"\b(?:hang(?:ed|ing)?|hung|drown(?:ed|ing)?|poison(?:ed|ing)?|starv(?:e|ed|ing))\s+{SELVES}\b",
        rf"\btried\s+to\s+(?:(?:kill|hang|hurt|harm|drown|poison)\s+{SELVES}|end\s+(?:it\s+all|(?:my|his|her)\s+life))",
        rf"\b(?:jump(?:ing)?|throw(?:ing)?\s+{SELVES})\s+(?:off\s+(?:a|the)\s+(?:bridge|roof|building)|in\s+front\s+of\s+a)",
        r"\bjump(?:ing)?\s+(?:from|off)\s+(?:my|the|a|our|his|her)\s+(?:balcony|roof|bridge|window|building|tower|cliff)\b",
        r"\b(?:think|thinking|thought|thoughts)\s+(?:about|of)\s+(?:jumping|ending\s+it|killing\s+my|not\s+waking\s+up)",
        r"\bafter\s+(?:i'?m|i\s+am)\s+(?:gone|dead)\b",
    ),
    "threat": either(
        r"\bthreaten(?:s|ed|ing)?\s+(?:me|him|her|them|to)\b",
        r"\b(?:kill|hurt|hit|punch|beat|stab|shoot|smash)\s+(?:you|him|her|them|me)\b(?!\s+(?:with\s+kindness|at))",
        r"\bmake\s+(?:you|me|him|her)\s+(?:regret|pay)\b",
        r"\bmake\s+sure\s+(?:i|you|he|she|they|we)\s+(?:regret|pay\s+for)\s+(?:it|this|that)\b",
        r"\bi\s+know\s+where\s+you\s+live\b",
        r"\bmake\s+(?:my|your|his|her|their)\s+life\s+(?:hell|a\s+(?:living\s+)?hell|a\s+misery|miserable)\b",
        r"\bwatch\s+(?:your|my)\s+back\b",
        r"\b(?:a|his|her|with\s+a)\s+(?:knife|gun|weapon)\b",
        r"\bphysical(?:ly)?\s+(?:danger|attack\w*|violen\w*|aggress\w*)",
    ),
    "harassment": either(
        r"\bharass(?:es|ed|ing)\s+(?:me|him|her|them)\b",
        r"\bsexually\s+harass\w*",
        r"\bgrop\w*",
        r"\bbull(?:ies|ied|ying)\s+(?:me|him|her|them)\b",
        r"\bstalk(?:s|ed|ing)\s+(?:me|him|her)\b",
        r"\btouch(?:es|ed|ing)\s+(?:me|my|her)\b(?!\s+base)",
        r"\bcorner(?:s|ed)\s+(?:me|her|him)\b",
        r"\b(?:rubs?|rubbed|rubbing|strok(?:es|ed|ing)|massag(?:es|ed|ing))\s+(?:my|her|his)\s+"
        r"(?:shoulders?|back|neck|legs?|knees?|thighs?|arms?|hair)\b",
        r"\b(?:puts?|put|putting|kept|keeps)\s+(?:a\s+|his\s+|her\s+)?hand\s+on\s+(?:my|her|his)\s+"
        r"(?:knee|thigh|leg|waist|bum|bottom|lower\s+back)\b",
        r"\bunwanted\s+(?:touch\w*|advances?|comments?|messages?|attention)",
        r"\bkiss(?:ed|es|ing)\s+(?:my|her|his)\s+(?:neck|lips|mouth|ear|shoulder|cheek|hand)\b",
        r"\b(?:comments?|remarks?|jokes?)\s+about\s+(?:my|her|his)\s+(?:body|breasts?|chest|legs|figure|bum|bottom)\b",
        r"\b(?:sent|sends|sending|showed|shows|showing)\s+(?:me\s+|her\s+|him\s+)?(?:explicit|nude|naked|sexual)\s+"
        r"(?:photos?|pictures?|pics|images|videos?|messages|texts)\b",
    ),
    "discrimination": either(
        r"\bdiscriminat(?:es|ed|ing)\s+against\b",
        r"\bbecause\s+(?:i'?m|i\s+am|she'?s|he'?s|they'?re)\s+"
        r"(?:a\s+woman|a\s+girl|female|black|muslim|jewish|gay|pregnant|disabled|foreign|too\s+old)\b",
        r"\b(?:women|girls|old\s+people|oldies|immigrants|foreigners)\s+"
        r"(?:can'?t|cannot|shouldn'?t|don'?t\s+belong|are\s+useless)\b",
        r"\b(?:no|never|won'?t|doesn'?t|don'?t)\s+(?:promot\w*|hire|hiring|promotions?|raises?|training|bonus(?:es)?)\s+"
        r"(?:for\s+)?(?:anyone\s+|people\s+|staff\s+)?(?:over|above|past|older\s+than)\s+\d{2}",
        r"\b(?:should|belongs?|ought\s+to)\s+be\s+at\s+home\s+with\s+(?:my|your|her|the)\s+(?:kids|children|baby|family)\b",
        r"\byour\s+(?:religion|race|accent|skin|culture|people|kind)\s+(?:is|are)\s+"
        r"(?:backward|primitive|disgusting|inferior|stupid|dirty)\b",
    ),
    "legal-ethical": either(
        r"\bcommitting\s+fraud\b",
        r"\b(?:is|was|been)\s+(?:doing|committing)\s+fraud\b",
        r"\bembezzl\w*",
        r"\bbrib(?:e|es|ed|ing)\b",
        r"\bkickbacks?\b",
        r"\bfalsif(?:y|ies|ied|ying)\b",
        r"\bcook(?:ing)?\s+the\s+books\b",
        r"\binsider\s+trading\b",
        r"\bfiddl\w*\s+(?:the\s+|his\s+|her\s+|my\s+)?(?:expenses|books|figures|numbers)",
        r"\b(?:sell(?:s|ing)?|sold|leak(?:s|ed|ing)?)\s+(?:the\s+|our\s+|their\s+)?(?:customer|client|patient|employee|"
        r"personal|staff)\s+(?:data|records|details|contacts?|contact\s+(?:lists?|details)|lists?|database|information)\b",
        r"\b(?:cop(?:y|ied|ies|ying)|download\w*|took|takes|taking|sent|send\w*|forward\w*|upload\w*|emailed)\b"
        r"[^.?!]{0,60}\b(?:customer|client|patient|employee|personal|confidential)\s+"
        r"(?:data|records|files|lists?|details|database|contacts|spreadsheets?)\b"
        r"[^.?!]{0,60}\b(?:home|personal|private|usb|own\s+(?:laptop|drive|account)|gmail|dropbox|google\s+drive|"
        r"icloud|onedrive|wetransfer)",
    ),
}
POSSIBLE: dict[str, re.Pattern[str]] = {
    # Warning signs that also have ordinary readings: the steps lead and the question is still answered.
    "self-harm": either(
        r"\bgiv(?:e|es|ing|en)\s+(?:all\s+|away\s+)?(?:my|his|her)\s+(?:stuff|things|belongings|possessions)\s*(?:away)?",
        r"\bnot\s+(?:going\s+to\s+)?be\s+(?:around|here)\s+(?:much\s+longer|for\s+long|any\s*more)\b",
        r"\b(?:said|saying|says)\s+(?:his|her|my)\s+goodbyes?\b",
        r"\bnot\s+(?:sticking|staying)\s+around\b",
        r"\bone\s+less\b[^.?!]{0,40}\bin\s+(?:it|the\s+world)\b",
        r"\b(?:can'?t|cannot)\s+(?:go\s+on|take\s+(?:it|this)\s+any\s*more)\b",
    ),
    "threat": either(r"\b(?:you'?ll|you\s+will|you'?re\s+going\s+to)\s+(?:regret|pay\s+for)\s+(?:it|this|that)\b"),
    "harassment": either(r"\bkiss(?:ed|es|ing)\s+(?:me|her|him)\b"),
    "discrimination": either(
        r"\b(?:too\s+old|at\s+(?:your|his|her|my)\s+age)\b[^.?!]{0,50}\b(?:promot\w*|fired|sacked|let\s+go|replac\w*|hir\w*)",
        r"\bmake\s+way\s+for\s+(?:the\s+)?young\w*|\byoung\s+blood\b|\bput\s+out\s+to\s+pasture\b",
        r"\bpast\s+(?:his|her|my|their|your)\s+sell[- ]by\b",
        r"\b(?:introduces?|introduced|calls?|called|refers?\s+to|referred\s+to)\s+(?:me|him|her|them|us)\b[^.?!]{0,30}"
        r"\bas\b[^.?!]{0,20}\b(?:pensioner|dinosaur|fossil|granny|grandma|grandad|grandpa|oldie|boomer|little\s+girl)\b",
    ),
    "legal-ethical": either(
        r"\b(?:buy|buying|bought|sell|selling|sold|trad(?:e|es|ed|ing))\s+(?:company\s+|our\s+)?(?:shares|stocks?)\b"
        r"[^.?!]{0,80}\b(?:before|ahead\s+of)\b",
        r"\b(?:break|sneak|hack)(?:s|ed|ing)?\s+into\b[^.?!]{0,40}\b(?:database|system|files|accounts?|email|inbox)\b",
        r"\b(?:redundancy|layoff|salary|pay)\s+(?:list|figures|data|spreadsheet)\b[^.?!]{0,40}\bbefore\b",
    ),
}
CUE_GROUPS: dict[str, re.Pattern[str]] = {
    "death": words(
        r"die|dying|dead|death|suicid\w*|end\s+(?:it|my\s+life|things)|won'?t\s+be\s+(?:around|here)",
        r"not\s+be\s+(?:around|here)|goodbye|letters?\s+to|gave\s+away|giving\s+away",
        r"giv\w*\s+(?:away|out)\s+(?:his|her|my)|made\s+(?:my|his|her)\s+peace|no\s+way\s+out|can'?t\s+go\s+on",
        r"hopeless|no\s+point|pills|overdose|bridge|rope|where\s+(?:he|she|i)'?s\s+going|better\s+off",
    ),
    "hurt_self": either(rf"\b(?:hurt\w*|harm\w*|cut\w*)\s+{SELVES}", r"\bself[- ]harm", r"\bscars?\b"),
    "violence": words(
        r"hit|punch\w*|slap\w*|shov\w*|push(?:ed)?\s+me|beat|kick\w*|threw|throw\w*|weapon|knife|gun|violen\w*",
        r"regret|watch\s+(?:your|my)\s+back|end\s+up\s+hurt|pay\s+for|followed\s+me",
        r"know\s+where\s+(?:you|i|she|he)\s+live|physical\w*|grabb?\w*|smash\w*|hurt\s+(?:you|me|him|her)",
    ),
    "sexual": words(
        r"sexual\w*|touch\w*|grop\w*|kiss\w*|body|bodies|legs|hot|sexy|date\s+with|bedroom|hotel\s+room",
        r"massage|sweetheart|darling|babe|gorgeous|2\s?am|late\s+at\s+night|photos?|pictures?|outfit|figure|looks",
    ),
    "bullying": words(
        r"bull(?:y|ies|ied|ying)|humiliat\w*|belittl\w*|mock\w*|ridicul\w*|shout\w*|scream\w*|swor(?:e|n)",
        r"insult\w*|idiot|stupid|useless|thick|in\s+front\s+of\s+(?:everyone|the\s+team)",
        r"keeps?\s+(?:calling|saying|sending|messaging)|demean\w*|harass\w*",
    ),
    "protected": words(
        r"old|age|aged|ageist|grandad|grandpa|grandma|boomer|fossil|dinosaur|woman|women|girls?|female",
        r"pregnan\w*|race|racis\w*|black|asian|accent|foreign\w*|immigrant\w*|muslim|jewish|religio\w*",
        r"gay|lesbian|trans|disab\w*|wheelchair|skin|colour|sexis\w*|hijab|ethnic\w*",
    ),
    "exclusion": words(
        r"don'?t\s+belong|never\s+(?:be\s+)?promot\w*|won'?t\s+promote|shouldn'?t\s+be\s+here|go\s+back\s+to",
        r"people\s+like\s+(?:you|me|her|him)|your\s+kind|let\s+a\s+man|at\s+your\s+age|too\s+old\s+(?:for|to)",
    ),
    "fraud": words(
        r"fraud\w*|fake\w*|falsif\w*|invoices?|expenses|corporate\s+card|company\s+card|sign\s+off|timesheets?",
        r"kickback\w*|brib\w*|backdat\w*|embezzl\w*|stol(?:e|en)|steal\w*|theft|pocket\w*|hours\s+nobody|cash|books",
    ),
    "data": words(
        r"customer|client|patient|personal\s+data|confidential|database|records|passwords?|logins?|credentials",
        r"usb|personal\s+(?:laptop|drive|email|account)|gmail|dropbox|own\s+laptop|take\s+it\s+(?:with|when)",
        r"download\w*|export\w*|cop(?:y|ied|ying)",
    ),
    "secrecy": words(
        r"don'?t\s+tell|nobody\s+knows|no\s+one\s+knows|keep\s+(?:it|this)\s+(?:quiet|secret|between\s+us)",
        r"promise\s+not\s+to|off\s+the\s+record|in\s+case",
    ),
    "fear": words(
        r"scared|afraid|terrified|unsafe|threaten\w*|intimidat\w*|panic\w*|frighten\w*",
        r"worried\s+(?:for|about)\s+(?:him|her|his|her)\s+safety",
    ),
    "idiom": words(
        r"killing\s+it|kill\s+for|kill\s+two\s+birds|dying\s+to|crushing\s+it|killer|bombed|died\s+on",
        r"feel\s+like\s+a\s+fraud|total\s+fraud|imposter|impostor|shoot\s+me\s+(?:a|an|the)|attack\s+(?:the|my)",
        r"brutally\s+honest|old\s+school|crime\s+scene",
    ),
}
CUE_PAIRS = (
    ("protected", "bullying"),
    ("data", "secrecy"),
    ("violence", "fear"),
    ("sexual", "bullying"),
    ("death", "secrecy"),
)


def cue_values(text: str) -> list[float]:
    """Which groups of disclosure words ``text`` holds (and a few pairs): features, not decisions."""
    found = {name: bool(pattern.search(text)) for name, pattern in CUE_GROUPS.items()}
    return [float(v) for v in found.values()] + [float(found[a] and found[b]) for a, b in CUE_PAIRS]


FALLBACK_ESCALATION = (
    "What you describe should be raised with HR straight away. If anyone is in immediate danger, contact "
    "emergency services or on-site security first, then HR."
)
IDIOMS = either(
    r"\b(?:killing|kill)\s+(?:me|it)\b"
    r"(?=[^.?!]*\b(?:deadline|spreadsheet|meeting|inbox|commute|traffic|workload|this\s+week|laugh)\w*)",
    r"\bkill(?:ing)?\s+it\b",
    r"\bkill\s+for\s+a\b",
    r"\bkill\s+(?:off\s+)?(?:the\s+)?(?:old\s+)?(?:reports?|process|meeting|tab|app)\b",
    r"\bdying\s+to\b",
    r"\bfeel(?:s|ing)?\s+like\s+a\s+(?:total\s+)?fraud\b",
    r"\bkill\s+two\s+birds\b",
    r"\bshoot\s+me\s+(?:a|an|the|some|over|through|your)\b",
    r"\bcareer\s+suicide\b",
    r"\bthreaten(?:s|ed|ing)?\s+to\s+(?:cut|end|cancel|close|scrap|stop|quit|leave|withdraw|pull|drop)\b",
    r"\b(?:don'?t|do\s+not|never|without)\s+(?:want\s+to\s+|wanting\s+to\s+|mean\s+to\s+)?hurt(?:ing)?\s+(?:you|him|her|them)\b",
    r"\bhurt(?:ing)?\s+(?:his|her|their|your|my)\s+feelings\b",
)


@dataclass(frozen=True)
class RiskVerdict:
    """``certain``: a rule fired or the head is sure, and the reply is the escalation steps alone; else the
    steps lead and the question is still answered after them (a false alarm then costs a paragraph)."""

    kind: str
    probability: float
    rule: bool
    certain: bool


def risk_row(vector: np.ndarray, text: str, memory: QuestionMemory) -> np.ndarray:
    vector = np.asarray(vector, np.float32)
    return risk_features(vector, text, [*memory.scope_features(memory.similarities(vector)), *cue_values(text)])


def rule_kind(text: str, rules: dict[str, re.Pattern[str]] = RULES) -> str | None:
    """The first rule that fires on ``text`` outside its idioms, or None."""
    cleaned = IDIOMS.sub(" ", text)
    for kind, pattern in rules.items():
        if pattern.search(cleaned):
            return kind
    return None


class RiskScreen:
    def __init__(self, model: AnswerModel, embedder: Embedder, memory: QuestionMemory) -> None:
        self.head = model["risk"]
        self.certain_at = float(model.meta.get("thresholds", {}).get("risk_certain", max(self.head.threshold, 0.9)))
        self.embedder = embedder
        self.memory = memory

    def screen(self, text: str, mode: str = "ask") -> RiskVerdict | None:
        """A verdict when ``text`` discloses a risk to escalate, else None.

        In goal, plan and rehearse the text is a draft or a feedback line, and only a rule makes a verdict
        certain: the head's certainty was set on questions, and on the labelled goal drafts it replaced 1% of
        ordinary ones with the steps. There the steps lead and the coaching reply still follows (measured
        2026-12-07: the question threshold flags 12% of ordinary drafts and lines; a bar that flags 5% cut
        the disclosures escalated in those modes from 0.86 to 0.73 on the test split, so recall won).
        """
        kind = rule_kind(text)
        (vector,) = self.embedder.embed([text])
        probability = self.head.probability(risk_row(vector, text, self.memory))
        if kind is not None:
            return RiskVerdict(kind, probability, rule=True, certain=True)
        possible = rule_kind(text, POSSIBLE)
        if possible is not None:  # a warning sign with ordinary readings too: the steps lead, the reply follows
            return RiskVerdict(possible, probability, rule=False, certain=probability >= self.certain_at)
        if probability >= self.head.threshold:
            certain = mode == "ask" and probability >= self.certain_at
            return RiskVerdict("risk", probability, rule=False, certain=certain)
        return None


@dataclass(frozen=True)
class Escalation:
    text: str
    citations: list[dict[str, Any]]


def escalation_reply(knowledge_dir: Path) -> Escalation:
    """The guidelines' own escalation steps, cited, leading the reply: immediate danger first."""
    when, how = _escalation_sections(knowledge_dir)
    when_sentences = [s for c in when for s in split_sentences(c.text)]
    how_sentences = [s for c in how for s in split_sentences(c.text)]
    danger = next((s for s in when_sentences if "immediate danger" in s.lower()), "")
    escalate = _list_after("escalate to hr immediately", when)
    steps = [s for s in how_sentences if re.match(r"^(?:contact|describe|say|you do not need|for harassment)", s, re.I)]
    citations = [_citation(chunk[0]) for chunk in (when, how) if chunk]
    if not (danger or escalate or steps):
        return Escalation(FALLBACK_ESCALATION, citations)
    how_mark = f"[{len(citations)}]"
    lines = [
        "What you describe is something the program guidelines say to escalate to HR straight away, "
        "not to handle alone or within the pair."
    ]
    if danger:
        lines.append(f"\n**{danger}** [1]")
    if escalate:
        lines.append("\nEscalate to HR immediately when:")
        lines.extend(f"- {s} [1]" for s in escalate)
    if steps:
        lines.append("\nHow to escalate:")
        lines.extend(f"{n}. {s} {how_mark}" for n, s in enumerate(steps, 1))
    lines.append(
        "\nYou do not need proof or a perfect description first. If it helps, I can help you plan what to say."
    )
    return Escalation("\n".join(lines), citations)


def escalation_preface(knowledge_dir: Path) -> Escalation:
    """Two lines of the escalation steps, cited as [1], to lead a reply that then answers as usual."""
    when, _ = _escalation_sections(knowledge_dir)
    if not when:
        return Escalation(FALLBACK_ESCALATION, [])
    sentences = [s for c in when for s in split_sentences(c.text)]
    danger = next((s for s in sentences if "immediate danger" in s.lower()), "")
    text = (
        "If this involves harassment, discrimination, a threat, a risk of self-harm or a serious legal or ethical "
        "breach, the program guidelines say to escalate to HR immediately: contact the HR program lead directly, "
        f"and you do not need proof first. {danger} [1]"
    ).strip()
    return Escalation(text, [_citation(when[0])])


def _escalation_sections(knowledge_dir: Path) -> tuple[list[Chunk], list[Chunk]]:
    """The chunks of "When to escalate to HR" and "How to escalate a concern" (none if the file is missing)."""
    try:
        chunks = guideline_chunks(knowledge_dir, ESCALATION_FILE)
    except MissingGuidelineError:
        return [], []
    when = [c for c in chunks if c.section.startswith(WHEN_SECTION)]
    how = [c for c in chunks if c.section.startswith(HOW_SECTION)]
    return when, how


def _list_after(lead_in: str, chunks: list[Chunk]) -> list[str]:
    """The list items under the line starting with ``lead_in``, emphasis removed."""
    items: list[str] = []
    for chunk in chunks:
        inside = False
        for line in chunk.text.splitlines():
            stripped = line.strip()
            if stripped.lower().startswith(lead_in):
                inside = True
            elif inside and stripped.startswith(("- ", "* ")):
                items.append(stripped[2:].replace("**", "").strip())
            elif inside and stripped:
                return items
    return items


def _citation(chunk: Chunk) -> dict[str, Any]:
    return {"source": chunk.source, "section": chunk.section, "text": chunk.text, "chunk_id": chunk.id}
