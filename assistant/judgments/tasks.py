"""The three learned tasks: which labels each predicts, from which features, read from which rows."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from assistant.judgments.features import FEEDBACK_FEATURES, GOAL_FEATURES, THEME_CUES, Feature, regex_finder
from assistant.judgments.training import TaskSpec

GOAL_CRITERIA = ("specific", "measurable", "achievable", "relevant", "time_bound")
FEEDBACK_LABELS = ("situation", "behavior", "impact", "judgmental", "absolute", "is_feedback")
TIME_WORDS: dict[str, tuple[str, ...]] = {"time_bound": ("time_frame", "vague_time", "frequency", "short_period")}
ABSOLUTE_WORDS: dict[str, tuple[str, ...]] = {"absolute": ("absolute_word", "quote", "event_time", "habit")}


@lru_cache(maxsize=1)
def theme_features() -> tuple[Feature, ...]:
    """Per theme of the packaged taxonomy: its ``keywords`` and the cue phrases of ``THEME_CUES``."""
    from assistant.themes.classify import _keyword_pattern, load_taxonomy

    features = []
    for theme in load_taxonomy().themes:
        pattern = _keyword_pattern(theme.keywords)
        find = regex_finder(pattern.pattern) if pattern is not None else _never
        features.append(Feature(f"keyword:{theme.id}", find, f"mentions {theme.id.replace('-', ' ')}"))
        cue = THEME_CUES.get(theme.id)
        features.append(Feature(f"cue:{theme.id}", regex_finder(cue) if cue else _never, "uses words of this concern"))
    return tuple(features)


def _never(text: str) -> list[tuple[int, int]]:
    return []


@lru_cache(maxsize=1)
def theme_ids() -> tuple[str, ...]:
    from assistant.themes.classify import load_taxonomy

    return tuple(load_taxonomy().ids)


def _booleans(labels: tuple[str, ...]) -> Any:
    return lambda row: [bool(row[label]) for label in labels]


def task_specs() -> tuple[TaskSpec, ...]:
    themes = theme_ids()
    return (
        TaskSpec("goals", GOAL_CRITERIA, GOAL_FEATURES, _booleans(GOAL_CRITERIA), word_defined=TIME_WORDS),
        TaskSpec(
            "feedback",
            FEEDBACK_LABELS,
            FEEDBACK_FEATURES,
            _booleans(FEEDBACK_LABELS),
            word_defined=ABSOLUTE_WORDS,
        ),
        TaskSpec(
            "themes",
            themes,
            theme_features(),
            lambda row: [t in row["themes"] for t in themes],
            objective="f1",
            class_weight="balanced",
            embedding_scales=(2.0,),
        ),
    )
