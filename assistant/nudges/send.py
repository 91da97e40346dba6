"""A daily run: find what is due, leave out what was sent or turned off, send the rest, record each one.

A nudge is recorded in ``nudges_sent`` in its own transaction right after the SMTP server accepted
it, so a second run the same day sends nothing, and a run that stops half-way (the server went
away) sends only the rest next time. A recipient the server refuses is not recorded: the next run
tries again. The run connects to the SMTP server only when there is something to send.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.db.engine import transaction
from assistant.db.models import NudgeSent, User
from assistant.nudges import KINDS
from assistant.nudges.compose import compose
from assistant.nudges.mailer import MailUnavailableError, SmtpTarget, smtp_session
from assistant.nudges.rules import Nudge, due_nudges


@dataclass
class KindCounts:
    sent: int = 0
    already_sent: int = 0
    turned_off: int = 0
    no_address: int = 0
    inactive: int = 0
    refused: int = 0

    def details(self) -> str:
        parts = [
            (self.already_sent, "already sent"),
            (self.turned_off, "turned off"),
            (self.no_address, "without an e-mail address"),
            (self.inactive, "to deactivated users"),
            (self.refused, "refused by the SMTP server"),
        ]
        shown = [f"{number} {what}" for number, what in parts if number]
        return f" ({', '.join(shown)})" if shown else ""


@dataclass
class SendReport:
    dry_run: bool
    counts: dict[str, KindCounts] = field(default_factory=lambda: {kind: KindCounts() for kind in KINDS})
    error: str | None = None

    @property
    def sent(self) -> int:
        return sum(counts.sent for counts in self.counts.values())

    def lines(self) -> list[str]:
        verb = "to send (dry run)" if self.dry_run else "sent"
        return [f"{kind}: {counts.sent} {verb}{counts.details()}" for kind, counts in self.counts.items()]


@dataclass(frozen=True)
class Outgoing:
    nudge: Nudge
    message: EmailMessage


def send_nudges(
    db_factory: sessionmaker[Session], settings: Settings, *, today: date, dry_run: bool = False
) -> SendReport:
    """Send today's nudges (with ``dry_run``, only count them); a lost SMTP server ends up in ``report.error``.

    Needs ``settings.smtp_url`` and ``settings.mail_from`` unless ``dry_run``; a malformed SMTP_URL
    raises ValueError before anything is read.
    """
    target = None if dry_run else SmtpTarget.parse(settings.smtp_url.get_secret_value())
    report = SendReport(dry_run=dry_run)
    with db_factory() as db:
        outgoing = pending(db, settings, today, report)
    if target is None:
        for item in outgoing:
            report.counts[item.nudge.kind].sent += 1
        return report
    if outgoing:
        try:
            deliver(outgoing, db_factory, target, timeout=settings.smtp_timeout_seconds, report=report)
        except MailUnavailableError as exc:
            report.error = str(exc)
    return report


def pending(db: Session, settings: Settings, today: date, report: SendReport) -> list[Outgoing]:
    """Today's nudges as e-mails, without those already sent, turned off, or for people who cannot get one."""
    nudges = due_nudges(
        db,
        today,
        k=settings.k_anonymity,
        goal_days_before=settings.nudge_goal_days_before,
        digest_weekday=settings.nudge_digest_weekday,
        link=f"{settings.public_url.rstrip('/')}/pair",
    )
    if not nudges:
        return []
    users = {user.id: user for user in db.scalars(select(User).where(User.id.in_({n.user_id for n in nudges})))}
    done = set(
        db.execute(
            select(NudgeSent.user_id, NudgeSent.kind, NudgeSent.about).where(
                NudgeSent.about.in_({n.about for n in nudges})
            )
        ).tuples()
    )
    outgoing = []
    for nudge in nudges:
        counts = report.counts[nudge.kind]
        user = users.get(nudge.user_id)
        if user is None or not user.active:
            counts.inactive += 1
        elif (nudge.user_id, nudge.kind, nudge.about) in done:
            counts.already_sent += 1
        elif nudge.kind in (user.nudges_off or []):
            counts.turned_off += 1
        elif not user.email:
            counts.no_address += 1
        else:
            message = compose(
                nudge,
                name=user.name,
                email=user.email,
                mail_from=settings.mail_from,
                public_url=settings.public_url,
                link_secret=settings.nudge_link_secret,
            )
            outgoing.append(Outgoing(nudge, message))
    return outgoing


def deliver(
    outgoing: list[Outgoing],
    db_factory: sessionmaker[Session],
    target: SmtpTarget,
    *,
    timeout: float,
    report: SendReport,
) -> None:
    """Send over one SMTP connection, recording each e-mail the server accepted before the next one."""
    with smtp_session(target, timeout=timeout) as client:
        for item in outgoing:
            counts = report.counts[item.nudge.kind]
            try:
                client.send_message(item.message)
            except smtplib.SMTPSenderRefused:
                raise MailUnavailableError(f"the SMTP server at {target} refused the sender MAIL_FROM") from None
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError):
                counts.refused += 1
                continue
            except (OSError, smtplib.SMTPException) as exc:
                raise MailUnavailableError(
                    f"the SMTP server at {target} stopped answering after {report.sent} e-mails: "
                    f"{' '.join(str(exc).split()) or type(exc).__name__}"
                ) from None
            record(db_factory, item.nudge)
            counts.sent += 1


def record(db_factory: sessionmaker[Session], nudge: Nudge) -> None:
    """Remember ``nudge`` as sent; a row a concurrent run wrote first is as good as ours."""
    try:
        with transaction(db_factory) as db:
            db.add(NudgeSent(user_id=nudge.user_id, kind=nudge.kind, about=nudge.about))
    except IntegrityError:
        pass
