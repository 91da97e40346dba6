"""``tandem nudges``: send the day's e-mail nudges (for a daily cron job) and turn kinds off or on for a user."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from assistant.commands.common import console, fail, load_settings, open_database, parse_day


def register(app: typer.Typer) -> None:
    nudges_app = typer.Typer(help="E-mail nudges: reminders sent once by a daily run.", no_args_is_help=True)
    app.add_typer(nudges_app, name="nudges")

    @nudges_app.command("send")
    def send(
        today: Annotated[
            str | None, typer.Option("--today", help="Send what is due on this day, YYYY-MM-DD (default: today, UTC).")
        ] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what is due; send and record nothing.")] = False,
    ) -> None:
        """Send the nudges due today, each once; prints how many of each kind went out.

        Exit code 1 (one line) when the SMTP server cannot be reached or stops answering: what it had
        accepted by then is recorded, the rest goes out on the next run.
        """
        from assistant.db.engine import make_db_factory, make_engine, prepare_schema
        from assistant.nudges.mailer import SmtpTarget
        from assistant.nudges.send import send_nudges

        settings = load_settings()
        day = parse_day(today, "--today") if today is not None else datetime.now(UTC).date()
        if not dry_run:
            if not settings.smtp_url.get_secret_value():
                console.print("nudges are off: SMTP_URL is not set; nothing sent", highlight=False)
                return
            if not settings.mail_from.strip():
                fail("MAIL_FROM is not set; nudges need a sender address")
            try:
                SmtpTarget.parse(settings.smtp_url.get_secret_value())
            except ValueError as exc:
                fail(str(exc))
        engine = make_engine(settings.sqlalchemy_url)
        try:
            prepare_schema(engine)
            report = send_nudges(make_db_factory(engine), settings, today=day, dry_run=dry_run)
        finally:
            engine.dispose()
        if report.error is not None:
            fail(report.error, code=1)
        for line in report.lines():
            console.print(line, highlight=False, markup=False)

    @nudges_app.command("off")
    def off(
        user_id: Annotated[int, typer.Argument(help="The user's id (see tandem users list).")],
        kinds: Annotated[list[str], typer.Argument(help="goal_due, meeting_tomorrow, pair_stalled, weekly_digest.")],
    ) -> None:
        """Stop these kinds of nudge for a user (e.g. someone who asked by e-mail)."""
        _change(user_id, kinds, off=True)

    @nudges_app.command("on")
    def on(
        user_id: Annotated[int, typer.Argument(help="The user's id (see tandem users list).")],
        kinds: Annotated[list[str], typer.Argument(help="goal_due, meeting_tomorrow, pair_stalled, weekly_digest.")],
    ) -> None:
        """Send these kinds of nudge to a user again."""
        _change(user_id, kinds, off=False)


def _change(user_id: int, kinds: list[str], *, off: bool) -> None:
    from assistant.db.models import User
    from assistant.nudges.preferences import UnknownKindError, change

    with open_database() as db:
        user = db.get(User, user_id)
        if user is None:
            fail(f"no user {user_id}")
        try:
            now_off = change(user, kinds, off=off)
        except UnknownKindError as exc:
            fail(str(exc))
    print(f"user {user_id}: nudges turned off: {', '.join(now_off) or 'none'}")
