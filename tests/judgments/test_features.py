"""The explainable features: each match is an exact substring of the text, found by the rule it names."""

from __future__ import annotations

import pytest

from assistant.judgments.features import FEEDBACK_FEATURES, GOAL_FEATURES, extract, vector


def fired(features, text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for match in extract(features, text):
        found.setdefault(match.feature, []).append(text[match.start : match.end])
    return found


@pytest.mark.parametrize(
    "text",
    [
        "By 31 March I will build one dashboard.",
        "within 8 weeks",
        "before the program ends",
        "this quarter",
        "by Thursday",
    ],
)
def test_time_frames_of_the_labelling_guide_fire(text: str) -> None:
    assert "time_frame" in fired(GOAL_FEATURES, text)


@pytest.mark.parametrize("text", ["Post on LinkedIn every Monday.", "someday I will learn Excel", "twice a week"])
def test_a_repeating_schedule_or_someday_is_not_a_time_frame(text: str) -> None:
    assert "time_frame" not in fired(GOAL_FEATURES, text)


def test_matches_are_exact_substrings_even_with_typographic_quotes() -> None:
    text = "In Tuesday’s call you said “I’m hopeless” and the team went quiet."
    for match in extract(FEEDBACK_FEATURES, text):
        assert 0 <= match.start < match.end <= len(text)
    assert fired(FEEDBACK_FEATURES, text)["event_time"] == ["In Tuesday’s call"]


def test_an_absolute_inside_a_quote_is_not_the_speakers() -> None:
    assert "absolute_word" not in fired(FEEDBACK_FEATURES, 'You said "I never use Teams" in the demo.')
    assert fired(FEEDBACK_FEATURES, "You never mute yourself.")["absolute_word"] == ["never"]
    assert "absolute_word" in fired(FEEDBACK_FEATURES, "u alwys reply-all")


def test_the_vector_has_one_value_per_feature_plus_length() -> None:
    text = "Learn Excel pivot tables by June."
    values = vector(GOAL_FEATURES, extract(GOAL_FEATURES, text), text)

    assert len(values) == len(GOAL_FEATURES) + 1
    names = [feature.name for feature in GOAL_FEATURES]
    assert values[names.index("named_tool")] == 1.0
    assert values[names.index("hobby")] == 0.0
