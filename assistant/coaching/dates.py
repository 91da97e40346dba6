"""Target dates written the way people write them: "31 March", "by end of June", "in 6 weeks", "2027-03-31".

``dateparser`` reads the phrase (English only, future dates preferred, relative to ``today``); a month
on its own or "end of ..." means the month's last day, since a goal "by March" is due when March ends.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import dateparser

MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
CUE = re.compile(r"^(?:by|before|until|till|no later than|on|at|for)\s+(?:the\s+)?", re.IGNORECASE)
END_OF = re.compile(r"^(?:the\s+)?end\s+of\s+(?:the\s+)?", re.IGNORECASE)
MONTH_ONLY = re.compile(rf"^(?:next month|this month|(?:{MONTHS})\.?(?:\s+\d{{4}})?)$", re.IGNORECASE)
WITHIN = re.compile(r"^within\s+", re.IGNORECASE)
IN_TEXT = re.compile(
    rf"\b(?:by|before|until|till|no later than|within|in|on)\s+(?:the\s+)?(?:end\s+of\s+(?:the\s+)?)?"
    rf"(?:\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS})\.?(?:\s+\d{{4}})?|"
    rf"(?:{MONTHS})\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+\d{{4}})?|"
    rf"(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|twelve)\s+(?:days?|weeks?|months?)|"
    rf"next\s+(?:week|month|quarter|year)|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})\b"
    r"|\b(?:by|before|until|till|no later than)\s+(?:next\s+)?(?:monday|tuesday|wednesday|thursday|friday)\b",
    re.IGNORECASE,
)


EXAMPLES = "31 March, end of June or in 6 weeks"


class DateNotUnderstoodError(ValueError):
    pass


def parse_target_date(phrase: str, today: date) -> date:
    """The date ``phrase`` means, on or after ``today``; ``DateNotUnderstoodError`` (one line) otherwise."""
    text = " ".join(phrase.strip().rstrip(".").split())
    if not text:
        raise DateNotUnderstoodError("the target date is empty")
    text = WITHIN.sub("in ", CUE.sub("", text))
    month_end = bool(END_OF.match(text))
    text = END_OF.sub("", text)
    month_end = month_end or bool(MONTH_ONLY.match(text))
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": datetime(today.year, today.month, today.day),
        "PREFER_DAY_OF_MONTH": "last" if month_end else "current",
        "DATE_ORDER": "DMY",
    }
    parsed = dateparser.parse(text, languages=["en"], settings=settings)  # type: ignore[arg-type]
    if parsed is None:
        raise DateNotUnderstoodError(
            f"cannot read {phrase.strip()!r} as a date; try 31 March, end of June or in 6 weeks"
        )
    if parsed.date() < today:
        raise DateNotUnderstoodError(f"the target date {parsed.date().isoformat()} is in the past")
    return parsed.date()


def find_target_date(text: str, today: date) -> date | None:
    """The first future date a goal's own words set ("By 31 March I will ...", "... in 6 weeks"), if any."""
    for match in IN_TEXT.finditer(text):
        phrase = match.group(0)
        if phrase.lower().startswith("in ") and not re.search(r"\d|days?|weeks?|months?", phrase, re.IGNORECASE):
            continue  # "in March" reads as a month only with a cue like "by"; "in May" may be a verb's object
        try:
            return parse_target_date(phrase, today)
        except DateNotUnderstoodError:
            continue
    return None
