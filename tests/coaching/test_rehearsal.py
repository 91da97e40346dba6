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
    assert (harsh.reaction, good.reaction) == ("judgment", "sbi")
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
    assert choose_reaction("Do you even know how to share a screen?", loaded) == "judgment"
    assert choose_reaction("You always ramble.", critique(False, True, False, ("absolute", "always"))) == "judgment"
    assert choose_reaction(SBI + " What do you think?", SBI_CRITIQUE) == "sbi"
    hedged = critique(True, True, True, ("hedging", "maybe"))
    assert choose_reaction(SBI, hedged) == "sbi"
    assert choose_reaction("Some feedback.", {}) == "small_talk"
    none = critique(False, False, False)
    assert choose_reaction("Hi Margaret, thanks for making time today.", none) == "greeting"
    assert choose_reaction("Sorry, that came out wrong.", critique(False, False, False, ("absolute", "always"))) == (
        "apology"
    )
    assert choose_reaction("Next time you could share just the slide window.", none) == "suggestion"
    assert choose_reaction("Does that make sense?", none) == "check_in"
    assert choose_reaction("Let's wrap up here, thanks.", none) == "closing"
    assert choose_reaction("How was your weekend?", none) == "small_talk"


@pytest.mark.parametrize(
    "line",
    ["Your forecast spreadsheet is a disaster, mate.", "honestly the ordering sheet isnt rocket science lol"],
)
def test_a_line_that_runs_the_work_down_is_a_judgment_even_unflagged(line: str) -> None:
    vague = {**critique(False, False, False), "is_feedback": True}
    assert choose_reaction(line, vague) == "judgment"


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


def test_mood_closes_after_a_judgment_and_opens_after_an_sbi_line_or_an_apology() -> None:
    state = start_rehearsal(Persona(attitude="curious"), KNOWLEDGE)
    harsh = respond(state, AGEIST, KNOWLEDGE, AGEIST_CRITIQUE)
    assert harsh.mood_after < harsh.mood_before
    sorry = respond(state, "Sorry, that came out wrong.", KNOWLEDGE, critique(False, False, False))
    assert sorry.mood_after > sorry.mood_before
    good = respond(state, SBI, KNOWLEDGE, SBI_CRITIQUE)
    assert good.mood_after > good.mood_before


def test_a_guarded_persona_answers_an_sbi_line_differently_once_it_has_opened_up() -> None:
    guarded = start_rehearsal(Persona(attitude="defensive"), KNOWLEDGE)
    opened = start_rehearsal(Persona(attitude="defensive"), KNOWLEDGE)
    for _ in range(3):
        respond(opened, SBI + f" ({_})", KNOWLEDGE, SBI_CRITIQUE)
    assert guarded.band == "guarded" and opened.band == "open"


def test_six_lines_of_the_same_act_never_repeat_a_persona_line() -> None:
    for attitude in ATTITUDES:
        state = start_rehearsal(Persona(attitude=attitude), KNOWLEDGE)
        for _ in range(6):
            respond(state, AGEIST, KNOWLEDGE, AGEIST_CRITIQUE)
        replies = [text for speaker, text in state.transcript if speaker == "mentee"]
        assert len(replies) == len(set(replies)), attitude


def test_the_persona_takes_up_the_topic_the_mentor_named_and_remembers_what_it_agreed_to_try() -> None:
    state = start_rehearsal(Persona(attitude="busy"), KNOWLEDGE)
    reply = respond(
        state, "Can we talk about the Teams chat for the night shift?", KNOWLEDGE, critique(False, False, False)
    )
    assert "Teams chat" in reply.reply or "the Teams" in reply.reply or reply.reaction == "question"
    assert "Teams" in state.memory["topic"]
    respond(state, "Next time you could mute the channel after six.", KNOWLEDGE, critique(False, False, False))
    assert state.memory["promise"].startswith("mute the channel")


def test_a_model_reply_keeps_one_speaker() -> None:
    from assistant.coaching.rehearsal import one_speaker

    state = start_rehearsal(Persona(name="Margaret"), KNOWLEDGE)
    script = "Margaret: Fine, show me.\nMentor: In Monday's call you...\nMargaret: Go on."
    assert one_speaker(script, state) == "Fine, show me."
    assert one_speaker("*sighs* I suppose that's fair.", state) == "I suppose that's fair."


def test_the_summary_rephrases_a_weak_line_with_the_mentors_own_situation_and_never_a_placeholder() -> None:
    from assistant.coaching.feedback import summarize_rehearsal

    lines = [
        "Hi Ingrid, thanks for making time.",
        "In Monday's stand-up you read every slide aloud, and two people dropped off the call.",
        "You read the slides aloud.",
    ]
    summary = summarize_rehearsal(lines, KNOWLEDGE)

    assert summary["lines"] == 2, "the greeting is not scored as feedback"
    assert summary["rephrasings"] and all("[" not in text for text in summary["rephrasings"])
    assert any("Monday's stand-up" in text for text in summary["rephrasings"])
    assert [item["feedback"] for item in summary["progress"]] == [False, True, True]
