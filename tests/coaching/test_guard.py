"""The request guard: what it declines before retrieval, and the program questions it must let through."""

from __future__ import annotations

import pytest

from assistant.coaching.guard import guard_reply_text, screen_request


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("write a funny caption for a photo of me and my mentee at our closing lunch", "other_task"),
        ("Please write a poem for my mentor's retirement card", "other_task"),
        ("can you give me an SQL query that pulls every employee over 50", "other_task"),
        ("Translate this into German please: 'Thank you for your patience.'", "other_task"),
        ("Set me a reminder for 3pm.", "other_task"),
        ("whats my mentees personal mobile nmber, i only hve his work one", "other_participant_data"),
        ("Can you dig out the CVs of the last five hires for me?", "other_participant_data"),
        ("I want the list of mentees who scored lowest on the self-assessment", "other_participant_data"),
        ("What is Priya's email?", "other_participant_data"),
    ],
)
def test_requests_outside_the_program_or_for_others_data_are_declined(text: str, kind: str) -> None:
    decision = screen_request(text)
    assert decision is not None and decision.kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "What's the right way to react when my mentor's feedback stings?",
        "Can a mentee's sessions be used as evidence in a performance rating?",
        "Something odd happened in last Tuesday's session. What should I do?",
        "My manager told me to cancel this week's session again.",
        "What should I do if my mentee's phone keeps ringing in sessions?",
        "Can you help me write a SMART goal?",
        "My goal is to learn to write Excel formulas by March.",
        "Can you draft an agenda for session 3?",
        "how do I write feedback that lands with a senior colleague?",
    ],
)
def test_program_questions_that_look_alike_are_let_through(text: str) -> None:
    assert screen_request(text) is None


def test_a_declined_task_says_what_tandem_helps_with_instead() -> None:
    decision = screen_request("write me a limerick about spreadsheets")
    assert decision is not None
    reply = guard_reply_text(decision)
    assert "development goals" in reply and "planning sessions" in reply
