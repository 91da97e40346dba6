"""The goal coach as a conversation: intents, parts kept between turns, placeholders only for what is unknown."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.coaching.goal_dialogue import coach_turn, render_turn
from assistant.coaching.goals import PLACEHOLDER, check_goal

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
TODAY = date(2026, 12, 7)


def play(*messages: str):
    state: dict = {}
    turn = None
    for message in messages:
        turn = coach_turn(message, state, KNOWLEDGE, today=TODAY)
        state = turn.state.to_dict()
    assert turn is not None
    return turn


def test_answers_fill_the_draft_in_the_mentees_words_until_nothing_is_left_in_brackets() -> None:
    first = play("get better at tech")
    assert first.question and len([q for q in [first.question] if q]) == 1
    assert PLACEHOLDER.search(first.draft)

    last = play(
        "get better at tech", "excel, the pivot tables for our monthly claims report", "3 reports by end of march"
    )

    assert "Excel" in last.draft and "3 reports" in last.draft and "March" in last.draft
    assert not PLACEHOLDER.search(last.draft)
    assert last.state.parts.target_date == "2027-03-31"
    assert all(c.met for c in check_goal(last.draft, KNOWLEDGE).criteria.values())


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("can you improve it for me?", "rewrite"),
        ("make it shorter", "shorten"),
        ("what's wrong with it?", "explain"),
        ("change the date to June", "change"),
        ("thanks!", "thanks"),
        ("end of march", "answer"),
    ],
)
def test_a_message_about_the_draft_is_read_as_a_request_not_as_a_goal(message: str, intent: str) -> None:
    turn = play("Post on LinkedIn about our plant's safety record", message)

    assert turn.intent == intent
    assert "can you improve" not in turn.draft.lower() and "shorter" not in turn.draft.lower()


def test_a_change_replaces_the_detail_and_keeps_the_rest() -> None:
    turn = play(
        "By 30 April I will use Trello to track 10 maintenance jobs with my team.", "Use Planner instead of Trello."
    )
    assert "Planner" in turn.draft and "Trello" not in turn.draft and "10 maintenance jobs" in turn.draft

    turn = play("Write 5 articles for the intranet by end of June", "No, make it 6 articles. september stays.")
    assert "6 articles" in turn.draft and "5 articles" not in turn.draft and "September" in turn.draft


def test_the_reply_names_each_label_once_and_shows_no_model_score() -> None:
    text = render_turn(play("get better at tech"))

    assert "confidence" not in text and "Specific: Specific" not in text
    assert text.count("Still yours to fill in") == 1


def test_a_date_in_the_past_tense_is_not_a_target_date() -> None:
    turn = play(
        "Run 4 planning meetings on Zoom by the end of June",
        "we moved to Teams since January, use Teams instead of Zoom",
    )

    assert turn.state.parts.target_date == "2027-06-30" and "Teams" in turn.draft


@pytest.mark.parametrize(
    ("messages", "tool"),
    [
        (("Learn to make the CAD models myself", "SolidWorks. For the jig design", "3 jigs in 12 weeks"), "SolidWorks"),
        (("use a password manager", "1Password, it's the approved one", "25 logins by 31 October"), "1Password"),
        (("use the tablet more on site", "procore. daily logs for the client", "20 logs. march"), "Procore"),
        (
            (
                "I would like to improve my digital skills",
                "tenders go through the portal, Jaggaer. I want to publish 3 tenders myself instead of handing them on",
            ),
            "Jaggaer",
        ),
    ],
)
def test_a_product_the_mentee_names_in_an_answer_stays_in_the_draft(messages: tuple[str, ...], tool: str) -> None:
    assert tool in play(*messages).draft


def test_an_answer_that_scales_an_ambitious_draft_down_replaces_it_and_a_new_date_replaces_its_date() -> None:
    turn = play(
        "master every AI tool by Monday",
        "ok not realistic. ChatGPT then. to write the handover summaries",
        "10. 6 weeks",
    )
    assert turn.draft.startswith("Use ChatGPT to write the handover summaries")
    assert "Monday" not in turn.draft and "every AI tool" not in turn.draft
    assert "within 6 weeks" in turn.draft


def test_a_long_answer_becomes_the_tool_and_what_to_do_with_it_not_the_whole_message() -> None:
    turn = play(
        "I just want to be more digital.",
        "The rota is all on the new scheduling app now. It's called Allocate. I'd like to build the rota myself",
    )
    assert "Allocate to build the rota myself" in turn.draft
    assert "scheduling app now" not in turn.draft


def test_an_everyday_word_is_a_tool_only_when_written_as_one() -> None:
    turn = play("Use DocuSign for the loan forms", "25 signed forms by end of May")
    assert "signed forms" in turn.draft and "Forms" not in turn.draft
