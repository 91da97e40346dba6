"""The SMART goal check: contract, verdicts that quote the draft, placeholders, validation.

Quality on held-out drafts is measured by the test-split gate (tests/judgments/test_gate.py); the
examples here are the labelling guide's own, which any model that learnt the rules must get right.
"""

from __future__ import annotations

import re

import pytest

from assistant.coaching.goals import CRITERIA, check_goal
from assistant.config import PROJECT_ROOT

KNOWLEDGE = PROJECT_ROOT / "knowledge"
POWER_BI = "By 31 March I will build one Power BI dashboard for my team's weekly sales review."
PLACEHOLDER = re.compile(r"\[[a-z][^\]]*\]")


def quoted(why: str) -> list[str]:
    return re.findall(r'"([^"]+)"', why)


def test_contract_has_exactly_the_documented_shape() -> None:
    contract = check_goal("get better at tech", KNOWLEDGE).as_contract()

    assert set(contract) == {"criteria", "questions", "suggestion", "citations"}
    assert list(contract["criteria"]) == list(CRITERIA)
    for criterion in contract["criteria"].values():
        assert set(criterion) == {"met", "why"}
        assert isinstance(criterion["met"], bool) and criterion["why"].strip()
    assert all(isinstance(q, str) for q in contract["questions"])
    assert isinstance(contract["suggestion"], str)
    assert contract["citations"]
    for citation in contract["citations"]:
        assert set(citation) == {"source", "section", "text"}
        assert citation["source"].endswith("development-goals.md")


def test_a_vague_goal_misses_specific_measurable_and_time_bound() -> None:
    result = check_goal("get better at tech", KNOWLEDGE)

    assert not result.criteria["specific"].met
    assert not result.criteria["measurable"].met
    assert not result.criteria["time_bound"].met
    assert result.criteria["achievable"].met
    assert 1 <= len(result.questions) <= 3
    assert "tool or task" in result.questions[0]
    assert "[target date]" in result.suggestion
    assert "[how you will measure it]" in result.suggestion
    assert "[which tool or task]" in result.suggestion


def test_questions_follow_the_order_of_importance() -> None:
    result = check_goal("Knit one scarf from a YouTube pattern for my granddaughter someday.", KNOWLEDGE)

    assert [("date" in q, "matter" in q) for q in result.questions] == [(True, False), (False, True)]


def test_the_power_bi_example_meets_every_criterion() -> None:
    result = check_goal(POWER_BI, KNOWLEDGE)

    assert {name: c.met for name, c in result.criteria.items()} == dict.fromkeys(CRITERIA, True)
    assert result.questions == []
    assert not PLACEHOLDER.search(result.suggestion)


def test_every_met_criterion_quotes_the_draft() -> None:
    result = check_goal(POWER_BI, KNOWLEDGE)

    assert result.criteria["achievable"].why.startswith("Nothing in the draft")
    for name, criterion in result.criteria.items():
        if name == "achievable":
            continue
        quotes = quoted(criterion.why)
        assert quotes, f"{name} does not quote the draft: {criterion.why}"
        assert all(q.rstrip(" .") in POWER_BI for q in quotes), criterion.why
    assert quoted(result.criteria["time_bound"].why) == ["By 31 March"]


def test_suggestion_keeps_the_mentees_words_and_invents_nothing() -> None:
    draft = "Learn Canva by the end of the summer so I can feel more confident."
    result = check_goal(draft, KNOWLEDGE)

    without_placeholders = PLACEHOLDER.sub("", result.suggestion)
    for phrase in ("Learn Canva", "by the end of the summer", "so I can feel more confident"):
        assert phrase in result.suggestion
    assert not re.search(r"\d", without_placeholders), "no invented numbers or dates"
    assert "[how you will measure it]" in result.suggestion


def test_suggestion_takes_out_over_ambitious_words() -> None:
    result = check_goal("Perfectly master every AI tool by Friday for my team's reports.", KNOWLEDGE)

    assert not result.criteria["achievable"].met
    assert result.criteria["achievable"].why.startswith('"')
    assert "perfectly" not in result.suggestion.lower()
    assert "[which tool or task]" in result.suggestion or "[a realistic level]" in result.suggestion
    assert "by Friday for my team's reports" in result.suggestion


@pytest.mark.parametrize(
    ("draft", "criterion", "met"),
    [
        ("get better at tech", "specific", False),
        ("Use some new apps.", "specific", False),
        ("Learn pivot tables in Excel by June.", "specific", True),
        ("Learn pivot tables in Excel by June.", "measurable", False),
        ("Post twice a week on LinkedIn about our projects.", "measurable", True),
        ("Build one report in Power BI and share it with my team.", "measurable", True),
        ("Be fluent in Python in a week.", "achievable", False),
        ("get better at tech", "achievable", True),
        ("Run a marathon next April.", "relevant", False),
        ("Bake sourdough bread every weekend.", "relevant", False),
        ("Use Copilot to summarise my meeting notes by June.", "relevant", True),
        ("Finish the Excel course and its quiz within 8 weeks.", "time_bound", True),
        ("Someday I will learn Teams.", "time_bound", False),
        ("Post on LinkedIn every Monday.", "time_bound", False),
    ],
)
def test_examples_of_the_labelling_guide(draft: str, criterion: str, met: bool) -> None:
    assert check_goal(draft, KNOWLEDGE).criteria[criterion].met is met


@pytest.mark.parametrize(
    ("draft", "message"),
    [
        ("", "empty"),
        ("   \n\t", "empty"),
        ("Build a dashboard. " * 120, "2,000"),
        ("Ich möchte bis Ende März ein Dashboard für mein Team bauen.", "English"),
        ("Je veux créer un tableau de bord pour mon équipe avant la fin du mois.", "English"),
    ],
)
def test_bad_drafts_are_refused_with_one_line(draft: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as error:
        check_goal(draft, KNOWLEDGE)
    assert "\n" not in str(error.value)
