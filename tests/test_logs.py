"""The outage log: one line when a dependency starts failing, then at most one per period with a count."""

from __future__ import annotations

import logging

import pytest

from assistant.logs import OutageLog


def test_an_outage_is_a_line_per_period_not_a_line_per_failure(caplog: pytest.LogCaptureFixture) -> None:
    now = [100.0]
    outages = OutageLog(logging.getLogger("test.outage"), every=30.0, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="test.outage"):
        for _ in range(400):  # ten seconds of refused requests
            outages.failed("database unavailable: OperationalError")
            now[0] += 0.025
        now[0] += 25.0
        outages.failed("database unavailable: OperationalError")
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "database unavailable: OperationalError",
        "database unavailable: OperationalError (399 more like it since the last line)",
    ]
