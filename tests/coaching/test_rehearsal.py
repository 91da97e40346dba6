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
def test_the_persona_answers_what_the_mentor_said(attitude: Attitude) -> None:
    persona = Persona(name="Ingrid", attitude=attitude)
    real = {line: check_feedback(line, KNOWLEDGE).as_contract() for line in (AGEIST, SBI)}
    harsh = respond(start_rehearsal(persona, KNOWLEDGE), AGEIST, KNOWLEDGE, real[AGEIST])
    good = respond(start_rehearsal(persona, KNOWLEDGE), SBI, KNOWLEDGE, real[SBI])
    assert (harsh.reaction, good.reaction) == ("judgmental", "specific")
    assert harsh.reply != good.reply


def test_a_judgmental_word_is_thrown_back_and_a_behaviour_is_echoed_from_the_persona_side() -> None:
    state = start_rehearsal(Persona(attitude="skeptical"), KNOWLEDGE)
    replies = {respond(state, f"{AGEIST} ({n})", KNOWLEDGE, AGEIST_CRITIQUE).reply for n in range(12)}
    assert any(reply.startswith('"Dinosaur"?') or '"dinosaur"' in reply.lower() for reply in replies)

    line = "In Monday's review you cut me off twice, and the team stopped suggesting ideas."
    checked = check_feedback(line, KNOWLEDGE).as_contract()
    echoes = {
        respond(start_rehearsal(Persona(attitude=a), KNOWLEDGE), line, KNOWLEDGE, checked).reply for a in ATTITUDES
    }
    assert any("I cut you off twice" in reply for reply in echoes), echoes


def test_a_vague_line_draws_a_question_about_the_first_missing_part() -> None:
    state = start_rehearsal(Persona(attitude="busy"), KNOWLEDGE)
    situation = respond(state, "Your slides could be better.", KNOWLEDGE, critique(False, True, False)).reply
    assert any(word in situation for word in ("When", "Which", "moment"))
    impact = respond(state, "In Monday's call you read the slides.", KNOWLEDGE, critique(True, True, False)).reply
    assert any(word in impact for word in ("matter", "effect", "happened because"))


def test_the_persona_introduces_itself_by_name() -> None:
    openings = {opening_line(Persona(name="Ingrid", attitude=a), KNOWLEDGE) for a in ATTITUDES}
    assert all("Ingrid" in line for line in openings)
    assert Persona(name="Ingrid", role="COO").speaker == "Ingrid (COO)"
    with pytest.raises(ValueError):
        Persona(name=" ")


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
    assert len({turn.reply for turn in harsh.values()}) == len(ATTITUDES)


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
