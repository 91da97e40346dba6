from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

import pytest

from assistant.coaching.feedback import check_feedback
from assistant.coaching.rehearsal import (
    ATTITUDES,
    Attitude,
    Persona,
    RehearsalState,
    choose_reaction,
    opening_line,
    persona_prompt,
    respond,
    start_rehearsal,
)
from assistant.config import PROJECT_ROOT

KNOWLEDGE = PROJECT_ROOT / "knowledge"
PROMPTS = PROJECT_ROOT / "prompts"
AGEIST = "You're a dinosaur with this stuff."
SBI = "In Tuesday's call you shared your screen with notifications on, and the client saw our pricing thread."


def critique(situation: bool, behavior: bool, impact: bool, *flags: tuple[str, str]) -> dict[str, Any]:
    """A critique shaped like ``FeedbackCheck.as_contract()``."""
    return {
        "situation": {"met": situation, "why": "test"},
        "behavior": {"met": behavior, "why": "test"},
        "impact": {"met": impact, "why": "test"},
        "flags": [{"kind": kind, "span": span, "why": "test"} for kind, span in flags],
        "rephrasings": [],
        "citations": [],
    }


AGEIST_CRITIQUE = critique(False, False, False, ("judgmental", "dinosaur"))
SBI_CRITIQUE = critique(True, True, True)
VAGUE_CRITIQUE = critique(False, False, False, ("vague", "could be better"))


@pytest.mark.parametrize("attitude", ATTITUDES)
def test_ageist_and_sbi_lines_draw_different_reactions(attitude: Attitude) -> None:
    persona = Persona(attitude=attitude)
    harsh = respond(start_rehearsal(persona, KNOWLEDGE), AGEIST, KNOWLEDGE, AGEIST_CRITIQUE)
    good = respond(start_rehearsal(persona, KNOWLEDGE), SBI, KNOWLEDGE, SBI_CRITIQUE)
    assert (harsh.reaction, good.reaction) == ("judgmental", "specific")
    assert "judgmental or ageist" in harsh.citation["section"]
    assert "specific and respectful" in good.citation["section"]
    assert harsh.citation["source"] == good.citation["source"] == "knowledge/rehearsal-personas.md"
    assert attitude.capitalize() in harsh.citation["section"]
    assert harsh.reply != good.reply
    assert harsh.reply[:12] in harsh.citation["text"] and good.reply[:12] in good.citation["text"]


@pytest.mark.parametrize("attitude", ATTITUDES)
def test_reactions_with_the_real_feedback_check(attitude: Attitude) -> None:
    state = start_rehearsal(Persona(attitude=attitude), KNOWLEDGE)
    question = "What gets in the way when you prepare the monthly report?"
    turns = [
        respond(state, line, KNOWLEDGE, check_feedback(line, KNOWLEDGE).as_contract())
        for line in (AGEIST, SBI, question, "Your posts could be better.")
    ]
    assert [turn.reaction for turn in turns] == ["judgmental", "specific", "question", "vague"]
    assert len({turn.citation["section"] for turn in turns}) == 4
    assert state.critiques[0]["flags"][0]["kind"] == "judgmental"


def test_reaction_follows_intent_and_critique() -> None:
    assert choose_reaction("Could be better.", VAGUE_CRITIQUE) == "vague"
    assert choose_reaction("What gets in the way when you prepare the report?", critique(False, False, False)) == (
        "question"
    )
    loaded = critique(False, False, False, ("condescending", "even"))
    assert choose_reaction("Do you even know how to share a screen?", loaded) == "judgmental"
    assert choose_reaction("You always ramble.", critique(False, True, False, ("absolute", "always"))) == "judgmental"
    assert choose_reaction(SBI + " What do you think?", SBI_CRITIQUE) == "specific"
    hedged = critique(True, True, True, ("hedging", "maybe"))
    assert choose_reaction(SBI, hedged) == "vague"
    assert choose_reaction("Some feedback.", {}) == "vague"


def test_replies_are_deterministic_and_recorded() -> None:
    first = start_rehearsal(Persona(attitude="defensive"), KNOWLEDGE)
    second = RehearsalState.from_dict(first.to_dict())
    lines = [(AGEIST, AGEIST_CRITIQUE), ("Could be better.", VAGUE_CRITIQUE), (SBI, SBI_CRITIQUE)]
    replies_first = [respond(first, line, KNOWLEDGE, c).reply for line, c in lines]
    replies_second = [respond(second, line, KNOWLEDGE, c).reply for line, c in lines]
    assert replies_first == replies_second
    assert first.transcript == second.transcript
    assert len(first.transcript) == 1 + 2 * len(lines)
    assert [speaker for speaker, _ in first.transcript[1:3]] == ["mentor", "mentee"]
    assert first.critiques == [c for _, c in lines]


def test_consecutive_turns_vary() -> None:
    state = start_rehearsal(Persona(attitude="busy"), KNOWLEDGE)
    replies = [respond(state, "Could be better.", KNOWLEDGE, VAGUE_CRITIQUE).reply for _ in range(6)]
    assert all(a != b for a, b in pairwise(replies))


def test_state_round_trips_through_json() -> None:
    state = start_rehearsal(Persona(role="Chief Operating Officer", tenure_years=31, attitude="curious"), KNOWLEDGE)
    respond(state, SBI, KNOWLEDGE, SBI_CRITIQUE)
    restored = RehearsalState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored == state
    with pytest.raises(ValueError):
        RehearsalState.from_dict({"transcript": []})
    with pytest.raises(ValueError):
        RehearsalState.from_dict({"persona": {"attitude": "grumpy"}})


def test_each_attitude_has_its_own_lines() -> None:
    openings = {attitude: opening_line(Persona(attitude=attitude), KNOWLEDGE) for attitude in ATTITUDES}
    assert len(set(openings.values())) == len(ATTITUDES)
    harsh = {
        attitude: respond(start_rehearsal(Persona(attitude=attitude), KNOWLEDGE), AGEIST, KNOWLEDGE, AGEIST_CRITIQUE)
        for attitude in ATTITUDES
    }
    assert len({turn.citation["section"] for turn in harsh.values()}) == len(ATTITUDES)


def test_lines_take_the_personas_tenure_and_area() -> None:
    persona = Persona(role="Head of Finance", tenure_years=25, attitude="defensive")
    seen = set()
    for number in range(40):
        state = start_rehearsal(persona, KNOWLEDGE)
        seen.add(respond(state, f"You're a dinosaur, number {number}.", KNOWLEDGE, AGEIST_CRITIQUE).reply)
        seen.add(respond(state, f"Could be better, take {number}.", KNOWLEDGE, VAGUE_CRITIQUE).reply)
    assert any("I've run Finance since" in reply for reply in seen)
    assert any("worked for 25 years" in reply for reply in seen)
    assert not any("this department" in reply or "twenty years" in reply for reply in seen)


def test_persona_rejects_unknown_attitude() -> None:
    with pytest.raises(ValueError):
        Persona(attitude="grumpy")  # type: ignore[arg-type]


def test_persona_prompt_fills_every_placeholder() -> None:
    state = start_rehearsal(Persona(attitude="skeptical"), KNOWLEDGE)
    respond(state, "Could be better.", KNOWLEDGE, VAGUE_CRITIQUE)
    prompt = persona_prompt(state, AGEIST, AGEIST_CRITIQUE, PROMPTS)
    assert "Head of Finance" in prompt and "25" in prompt and "skeptical" in prompt
    assert AGEIST in prompt and "Could be better." in prompt and "dinosaur" in prompt
    assert "{" not in prompt
