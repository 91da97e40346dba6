"""The measuring code: intervals, confusion tables and the CI gate's floors."""

from __future__ import annotations

import pytest

from assistant.judgments.evaluate import BinaryScore, survives, wilson
from assistant.judgments.report import below_floor, render


def test_wilson_interval_matches_the_textbook_value() -> None:
    low, high = wilson(81, 100)

    assert low == pytest.approx(0.7222, abs=1e-3)
    assert high == pytest.approx(0.8749, abs=1e-3)
    assert wilson(0, 0) == (0.0, 1.0)


def test_binary_score_counts_a_confusion_table() -> None:
    score = BinaryScore("specific")
    for expected, predicted in [(True, True), (True, False), (False, True), (False, False), (True, True)]:
        score.add(expected, predicted, "id")

    assert (score.tp, score.fn, score.fp, score.tn) == (2, 1, 1, 1)
    assert score.accuracy == pytest.approx(0.6)
    assert score.precision == pytest.approx(2 / 3)
    assert score.recall == pytest.approx(2 / 3)
    assert len(score.misses) == 2


def test_survives_is_the_outside_checks_whole_word_rule() -> None:
    assert survives("Dana", "ask Dana now")
    assert not survives("Dana", "ask [PERSON] now")
    assert not survives("Ann", "ask Anna now")


def test_the_gate_names_every_figure_below_its_floor() -> None:
    report = {
        "split": "test",
        "goals": [BinaryScore("specific").as_dict() | {"accuracy": 0.80}],
        "themes": {"macro_f1": 0.7},
        "pii": {"per_type": {"PHONE": {"recall": 0.9}}, "clean_altered": 1},
    }
    gate = {"goals": {"specific": 0.85}, "themes": {"macro_f1": 0.72}, "pii": {"recall": {"PHONE": 0.95}}}

    failures = below_floor(report, gate)

    assert len(failures) == 4
    assert any("specific" in f for f in failures) and any("clean" in f for f in failures)
    assert below_floor({"split": "test", "goals": [BinaryScore("specific").as_dict() | {"accuracy": 0.9}]}, gate) == []


def test_the_report_prints_the_worst_criterions_confusion_table() -> None:
    good, bad = BinaryScore("specific"), BinaryScore("measurable")
    for _ in range(9):
        good.add(True, True, "g")
    bad.add(True, False, "b")
    bad.add(False, False, "c")

    text = render({"split": "test", "goals": [good.as_dict(), bad.as_dict()]})

    assert "confusion of the worst, measurable" in text
    assert "below target 0.92" in text and "meets target" in text
