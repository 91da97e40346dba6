"""``tandem nudges`` as a daily cron job runs it: a subprocess on the test's database and SMTP server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from assistant.config import PROJECT_ROOT, Settings
from assistant.db.models import NudgeSent, User
from assistant.services import Services
from tests.nudges.conftest import MAIL_FROM
from tests.nudges.smtp_inbox import SmtpServer, free_port
from tests.nudges.world import seed


def tandem(settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLM_", "DATABASE_URL", "SMTP_"))}
    clean.update(
        DATA_DIR=str(settings.data_dir),
        DATABASE_URL=settings.database_url,
        LLM_PROVIDER="offline",
        MAIL_FROM=MAIL_FROM,
        K_ANONYMITY="3",
        NUDGE_LINK_SECRET="nudge-test-secret",
        SMTP_TIMEOUT_SECONDS="5",
    )
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "assistant", "nudges", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=PROJECT_ROOT,
    )


def sent_rows(services: Services) -> int:
    with services.db_factory() as db:
        return db.scalar(select(func.count()).select_from(NudgeSent)) or 0


def test_smtp_down_is_exit_1_with_one_line_and_nothing_recorded(settings: Settings, services: Services) -> None:
    seed(services)
    port = free_port()  # nothing listens here
    down = tandem(settings, "send", "--today", "2027-02-08", SMTP_URL=f"smtp://127.0.0.1:{port}")
    assert down.returncode == 1, down.stderr
    assert down.stderr.count("\n") == 1 and down.stderr.startswith(
        f"error: cannot reach the SMTP server at 127.0.0.1:{port}"
    )
    assert "Traceback" not in down.stderr and sent_rows(services) == 0


def test_a_daily_run_prints_counts_per_kind_and_a_second_run_sends_nothing(
    settings: Settings, services: Services, smtp_server: SmtpServer
) -> None:
    seed(services)
    first = tandem(settings, "send", "--today", "2027-02-08", SMTP_URL=smtp_server.url)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        "goal_due: 2 sent (1 turned off, 1 without an e-mail address)",
        "meeting_tomorrow: 2 sent",
        "pair_stalled: 2 sent",
        "weekly_digest: 1 sent",
    ]
    assert len(smtp_server.inbox.delivered) == sent_rows(services) == 7
    second = tandem(settings, "send", "--today", "2027-02-08", SMTP_URL=smtp_server.url)
    assert second.returncode == 0 and second.stdout.splitlines()[1] == "meeting_tomorrow: 0 sent (2 already sent)"
    assert len(smtp_server.inbox.delivered) == 7

    dry = tandem(settings, "send", "--today", "2027-02-09", "--dry-run", SMTP_URL="")
    assert dry.returncode == 0 and "to send (dry run)" in dry.stdout and len(smtp_server.inbox.delivered) == 7


def test_bad_input_is_one_line_and_exit_2(settings: Settings, services: Services, smtp_server: SmtpServer) -> None:
    for args, env, message in (
        (("send", "--today", "8 Feb"), {"SMTP_URL": smtp_server.url}, "--today must be a date like"),
        (("send",), {"SMTP_URL": "http://mail.example"}, "SMTP_URL must start with smtp:// or smtps://"),
        (("send",), {"SMTP_URL": smtp_server.url, "MAIL_FROM": ""}, "MAIL_FROM is not set"),
        (("off", "999999", "goal_due"), {}, "no user 999999"),
    ):
        result = tandem(settings, *args, **env)
        assert result.returncode == 2 and result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    off = tandem(settings, "send", SMTP_URL="")
    assert off.returncode == 0 and "SMTP_URL is not set" in off.stdout


def test_an_admin_turns_kinds_off_and_on_for_a_user(settings: Settings, services: Services, tmp_path: Path) -> None:
    world = seed(services)
    ben = str(world.users["ben"])
    turned = tandem(settings, "off", ben, "goal_due", "pair_stalled")
    assert turned.returncode == 0 and turned.stdout.strip() == f"user {ben}: nudges turned off: goal_due, pair_stalled"
    back = tandem(settings, "on", ben, "goal_due")
    assert back.stdout.strip() == f"user {ben}: nudges turned off: pair_stalled"
    unknown = tandem(settings, "off", ben, "spam")
    assert unknown.returncode == 2 and "unknown nudge kind 'spam'" in unknown.stderr
    with services.db_factory() as db:
        assert db.get_one(User, world.users["ben"]).nudges_off == ["pair_stalled"]
