"""The feedback critique: SBI verdicts, flags with exact spans, rephrasings, validation.

Quality on held-out lines is measured by the test-split gate (tests/judgments/test_gate.py).
"""

from __future__ import annotations

import re

import pytest

from assistant.coaching.feedback import FLAG_KINDS, check_feedback, summarize_rehearsal
from assistant.config import PROJECT_ROOT

KNOWLEDGE = PROJECT_ROOT / "knowledge"
GOOD = "In Tuesday's call you shared your screen with notifications on, and the client saw our pricing thread."
DINOSAUR = "You're a dinosaur with this stuff."


def kinds(line: str) -> list[str]:
    return [flag.kind for flag in check_feedback(line, KNOWLEDGE).flags]


def test_contract_has_exactly_the_documented_shape() -> None:
    contract = check_feedback(DINOSAUR, KNOWLEDGE).as_contract()

    assert set(contract) == {"situation", "behavior", "impact", "flags", "rephrasings", "citations"}
    for part in ("situation", "behavior", "impact"):
        assert set(contract[part]) == {"met", "why"}
        assert isinstance(contract[part]["met"], bool)
    for flag in contract["flags"]:
        assert set(flag) == {"kind", "span", "why"}
        assert flag["kind"] in FLAG_KINDS
        assert flag["span"] in DINOSAUR
    assert all(isinstance(r, str) for r in contract["rephrasings"])
    assert 1 <= len(contract["rephrasings"]) <= 2
    for citation in contract["citations"]:
        assert set(citation) == {"source", "section", "text"}


def test_an_ageist_label_is_flagged_as_judgmental() -> None:
    result = check_feedback(DINOSAUR, KNOWLEDGE)

    assert [(f.kind, f.span) for f in result.flags] == [("judgmental", "dinosaur")]
    assert not (result.situation.met or result.behavior.met or result.impact.met)
    sections = [c["section"] for c in result.citations]
    assert "Avoiding judgmental and ageist phrasing" in sections


def test_a_good_sbi_line_meets_all_three_without_flags() -> None:
    result = check_feedback(GOOD, KNOWLEDGE)

    assert result.situation.met and result.behavior.met and result.impact.met
    assert result.flags == []
    assert '"In Tuesday\'s call"' in result.situation.why
    assert '"you shared your screen with notifications on"' in result.behavior.why
    assert '"the client saw our pricing thread"' in result.impact.why
    assert result.rephrasings == []


@pytest.mark.parametrize(
    "line",
    [
        DINOSAUR,
        "You always hit reply all.",
        "You scroll so fast when you share your screen, nobody can ever follow you.",
        "Typical boomer move, you printed the Teams chat in this morning's meeting.",
        "I'm sorry, maybe I'm wrong, but perhaps the slides were a little bit busy?",
    ],
)
def test_the_rephrasing_drops_every_flagged_span(line: str) -> None:
    result = check_feedback(line, KNOWLEDGE)

    assert result.flags
    for flag in result.flags:
        assert flag.span in line
        for rephrasing in result.rephrasings:
            assert not re.search(rf"\b{re.escape(flag.span)}\b", rephrasing, re.IGNORECASE), (flag, rephrasing)


def test_missing_parts_become_placeholders_never_invented_facts() -> None:
    (rephrasing,) = check_feedback("You always hit reply all.", KNOWLEDGE).rephrasings

    assert "[when: the meeting or day]" in rephrasing
    assert "[the effect on you, the team or the client]" in rephrasing
    assert "hit reply all" in rephrasing


def test_absolutes_in_quotes_or_reported_speech_are_not_flagged() -> None:
    assert kinds("You said you had never used Loom, and in Monday's demo you recorded one.") == []
    assert kinds("In yesterday's call you said 'AI will never replace real work', and the interns went quiet.") == []
    assert kinds("You never mute yourself.") == ["absolute"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Great job!", ["vague"]),
        ("So proud of you for opening Teams all by yourself!", ["judgmental"]),
        ("You seemed tired in this morning's stand-up.", []),
        ("Maybe, if it's okay, you could perhaps use the chat? Sorry!", ["hedging"]),
        ("Even a child can set up a Teams meeting.", ["judgmental"]),
        ("I opened the old budget file you sent yesterday.", []),
    ],
)
def test_flag_kinds(line: str, expected: list[str]) -> None:
    assert set(kinds(line)) == set(expected)


@pytest.mark.parametrize("line", ["", "   ", "x" * 2001])
def test_bad_lines_are_refused(line: str) -> None:
    with pytest.raises(ValueError, match=r"empty|2,000"):
        check_feedback(line, KNOWLEDGE)


def test_rehearsal_summary_ranks_lines_and_cites_the_guideline() -> None:
    summary = summarize_rehearsal([GOOD, DINOSAUR, "You always hit reply all."], KNOWLEDGE)

    assert summary["lines"] == 3
    assert summary["share_met"]["situation"] == pytest.approx(1 / 3, abs=0.001)
    assert summary["flag_counts"]["judgmental"] == 1 and summary["flag_counts"]["absolute"] == 1
    assert summary["strongest"]["line"] == GOOD
    assert summary["needs_work"]["line"] == DINOSAUR
    assert 1 <= len(summary["advice"]) <= 2
    assert summary["advice"][0]["section"] == "Avoiding judgmental and ageist phrasing"
    assert all(c["source"].endswith("feedback-across-generations.md") for c in summary["citations"])
    with pytest.raises(ValueError):
        summarize_rehearsal([], KNOWLEDGE)


@pytest.mark.parametrize(
    "line",
    [
        "Would it be ok if I shared one observation about Tuesday's budget call?",
        "Hi Margaret, thanks for making time today.",
        "Thank you for listening, that was all for today.",
        "How was audit week?",
    ],
)
def test_a_turn_around_the_feedback_is_not_scored_as_feedback(line: str) -> None:
    check = check_feedback(line, KNOWLEDGE)
    assert not check.is_feedback
    assert not (check.situation.met or check.behavior.met or check.impact.met)


@pytest.mark.parametrize(
    "line",
    ["Why are you always late?", "Hi Marta, you're honestly a natural at this.", "The posts are nice but kinda meh?"],
)
def test_a_question_or_greeting_that_judges_the_person_is_still_feedback(line: str) -> None:
    assert check_feedback(line, KNOWLEDGE).is_feedback
