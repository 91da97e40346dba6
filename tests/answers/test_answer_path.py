"""The answer path on the shipped guidelines and heads: sections, sentences, scope, follow-ups, risk."""

from __future__ import annotations

import asyncio
import re

import pytest

from assistant.answers.risk import POSSIBLE, rule_kind
from assistant.coaching.modes import SkillRouter, initial_state
from assistant.coaching.qa import QAService, Reply, collect
from assistant.config import PROJECT_ROOT
from assistant.knowledge.chunking import split_sentences
from assistant.llm.composer import OFFLINE_FOOTER
from assistant.services import Services

KNOWLEDGE = PROJECT_ROOT / "knowledge"
MARK = re.compile(r"\s*\[\d+\]")


def own_text(reply: Reply) -> str:
    return MARK.sub("", reply.text.replace(OFFLINE_FOOTER, "")).strip()


@pytest.fixture
def qa(services: Services) -> QAService:
    return services.qa


def test_the_cadence_question_is_answered_with_the_cadence(qa: QAService) -> None:
    reply = qa.answer("How often should we meet?", "mentee")
    assert reply.in_scope
    assert "every two weeks" in own_text(reply).lower()
    assert reply.citations and "every two weeks" in reply.citations[0]["text"]  # [1] is the passage quoted first


def test_the_answer_leads_with_its_answer_and_carries_the_offline_note_once(qa: QAService) -> None:
    reply = qa.answer("Who do I talk to if something goes wrong in our pair?", "mentor")
    assert reply.in_scope
    assert reply.text.count(OFFLINE_FOOTER) == 1
    assert len(split_sentences(own_text(reply))) <= 4  # the answer and at most two supports (a quote may hold two)
    assert reply.text.count('"') % 2 == 0  # a quotation is never cut


def test_a_list_lead_in_is_written_once(qa: QAService) -> None:
    reply = qa.answer("What is a mentee expected to do in the program?", "mentee")
    text = own_text(reply)
    lead_ins = re.findall(r"([A-Z][^:.;]{3,80}):", text)
    assert len(lead_ins) == len(set(lead_ins)), text


@pytest.mark.parametrize(
    "question",
    [
        "Write a short poem for my mentor's retirement card",
        "Give me an SQL query that pulls every employee over 50",
        "How many days of parental leave do I get?",
        "What's the weather going to be like in Lisbon tomorrow?",
    ],
)
def test_questions_the_guidelines_do_not_hold_are_declined_with_a_pointer(qa: QAService, question: str) -> None:
    reply = qa.answer(question, "mentee")
    assert not reply.in_scope
    assert reply.citations == []
    assert "I can help with the reverse-mentoring program" in reply.text


def test_a_follow_up_is_read_against_the_turn_before(qa: QAService) -> None:
    first = qa.answer("What is the GROW model?", "mentor")
    assert first.in_scope
    reply = qa.answer(
        "And what does the O stand for?", "mentor", [("user", "What is the GROW model?"), ("assistant", first.text)]
    )
    assert reply.in_scope
    assert "options" in own_text(reply).lower()


def test_a_fresh_question_in_a_conversation_is_not_taken_for_a_follow_up(qa: QAService) -> None:
    history = [
        ("user", "What is the GROW model?"),
        ("assistant", "GROW stands for Goal, Reality, Options and Way forward."),
    ]
    reply = qa.answer("How often should we meet?", "mentee", history)
    assert "every two weeks" in own_text(reply).lower()
    assert not reply.data.get("followup")


@pytest.mark.parametrize(
    "text",
    [
        "My mentee said something that sounded like he might hurt himself. What do I do?",
        "my mentor keeps touching my arm and calling me sweetheart, i hate it",
        "He told me that if I report the missing invoices he'll make me regret it.",
    ],
)
def test_a_disclosure_gets_the_escalation_steps_first(qa: QAService, text: str) -> None:
    reply = qa.answer(text, "mentor")
    assert reply.in_scope  # never declined
    first_lines = reply.text.split("\n\n")[0] + reply.text.split("\n\n")[1]
    assert "escalate to HR" in first_lines
    assert "emergency services" in reply.text
    assert any(c["section"] == "When to escalate to HR" for c in reply.citations)
    assert reply.data["escalation"]


@pytest.mark.parametrize("mode", ["goal", "plan", "rehearse"])
def test_every_mode_escalates_a_disclosure_instead_of_coaching_it(services: Services, mode: str) -> None:
    router = SkillRouter(services.qa, KNOWLEDGE)
    state, _ = initial_state(mode, {}, KNOWLEDGE)
    text = "I don't want to be alive anymore, I've thought about how I'd end my life."
    reply = asyncio.run(collect(router.stream(mode=mode, state=state, content=text, role="mentee")))
    assert reply.text.startswith("What you describe is something the program guidelines say to escalate to HR")
    assert "critique" not in reply.data and "goal_check" not in reply.data
    assert reply.state is None  # the mode's state (draft, plan, rehearsal transcript) is left as it was


@pytest.mark.parametrize(
    "text",
    [
        "this deadline is killing me",
        "my mentee is killing it with pivot tables",
        "I'd kill for a second monitor",
        "shoot me an example agenda for a first session?",
        "how do I give a director feedback without it being career suicide?",
        "Leadership are threatening to cut the programme next year.",
        "I don't want to hurt her feelings when I say the demo was too fast.",
    ],
)
def test_idioms_are_not_rule_disclosures(text: str) -> None:
    assert rule_kind(text) is None


def test_plain_disclosures_are_caught_by_the_rules_alone() -> None:
    assert rule_kind("she said she wants to kill herself") == "self-harm"
    assert rule_kind("he threatened me with a knife in the car park") == "threat"
    assert rule_kind("my manager is falsifying the safety records") == "legal-ethical"
    assert rule_kind("some days I think about jumping from my balcony") == "self-harm"
    assert rule_kind("he said he'd make my life hell if I tell anyone") == "threat"
    assert rule_kind("her mentor rubs her shoulders during sessions") == "harassment"
    assert rule_kind("he copied the customer database onto his personal Google Drive") == "legal-ethical"
    assert rule_kind("I think my mentor is selling customer data") == "legal-ethical"


def test_warning_signs_with_ordinary_readings_fire_the_possible_tier_not_the_certain_one() -> None:
    assert rule_kind("goal: canva. deadline: doesn't matter, not sticking around", POSSIBLE) == "self-harm"
    assert rule_kind("they keep telling us to make way for the young blood", POSSIBLE) == "discrimination"
    assert rule_kind("he bought shares right before the merger was announced", POSSIBLE) == "legal-ethical"
    assert rule_kind("they keep telling us to make way for the young blood") is None  # not certain alone


@pytest.mark.parametrize(
    ("mode", "text"),
    [
        ("goal", "As head of QA I sign off a lot of documents; I want to use AI to draft deviation reports by June."),
        ("rehearse", "In this morning's stand-up you kept your camera off and only answered in the chat."),
    ],
)
def test_an_ordinary_draft_or_feedback_line_is_still_coached(services: Services, mode: str, text: str) -> None:
    """Only a rule replaces a coaching reply with the steps; the head alone can at most lead it with them."""
    router = SkillRouter(services.qa, KNOWLEDGE)
    state, _ = initial_state(mode, {}, KNOWLEDGE)
    reply = asyncio.run(collect(router.stream(mode=mode, state=state, content=text, role="mentor")))
    assert ("goal_check" if mode == "goal" else "critique") in reply.data
    assert not reply.data.get("escalation", {}).get("certain")
