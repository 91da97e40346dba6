"""A nudge as an e-mail: plain text, a subject that says what it is, a link to the app and a way to stop it.

Only what a nudge carries goes in: ids, dates, counts, the partner's name, the k-anonymous figures.
No conversation text, goal text, notes or comments exist at this point to leak.
"""

from __future__ import annotations

import textwrap
from datetime import date
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from typing import Any

from pydantic import SecretStr

from assistant.nudges.preferences import off_link
from assistant.nudges.rules import GoalDue, MeetingTomorrow, Nudge, PairStalled, WeeklyDigest

LABELS = {
    "goal_due": "goal reminders",
    "meeting_tomorrow": "meeting reminders",
    "pair_stalled": "reminders when your pair goes quiet",
    "weekly_digest": "weekly digests",
}
# Headers are written with SMTP's hard limit of 998 characters per line, so the link in List-Unsubscribe
# stays a plain <URL> (folding it at 78 would RFC 2047-encode it and mail clients would not find it).
# Bodies are encoded under the default policy: base64 and quoted-printable lines of 76 characters.
HEADER_POLICY = default.clone(max_line_length=998)
WIDTH = 72
PAGES = {"goal_due": "/goals", "meeting_tomorrow": "/pair", "pair_stalled": "/pair", "weekly_digest": "/hr/program"}


def compose(
    nudge: Nudge, *, name: str, email: str, mail_from: str, public_url: str, link_secret: SecretStr
) -> EmailMessage:
    base = public_url.rstrip("/")
    subject, lines = _content(nudge, base)
    stop = off_link(base, link_secret, nudge.user_id, nudge.kind)
    body = [
        f"Hello {name},",
        "",
        *lines,
        "",
        f"Open Tandem: {base}{PAGES[nudge.kind]}",
        "",
        "-- ",
        f"You get {LABELS[nudge.kind]} from Tandem. To stop them, open this link and confirm:",
        stop,
        "Your other Tandem reminders stay as they are.",
    ]
    message = EmailMessage(policy=default)
    message["Subject"] = subject
    message["From"] = mail_from
    message["To"] = formataddr((name, email))
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=_domain(mail_from))
    message["Auto-Submitted"] = "auto-generated"
    message["X-Tandem-Nudge"] = nudge.kind
    message["List-Unsubscribe"] = f"<{stop}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    text = "\n".join(_wrapped(body)) + "\n"
    message.set_content(text, cte="7bit" if text.isascii() else "quoted-printable")
    if isinstance(nudge, MeetingTomorrow):
        message.add_attachment(
            nudge.ics,
            maintype="text",
            subtype="calendar",
            filename=f"tandem-meeting-{nudge.starts_at:%Y-%m-%d}.ics",
            params={"method": "PUBLISH"},
        )
    message.policy = HEADER_POLICY
    return message


def _wrapped(lines: list[str]) -> list[str]:
    """Prose lines wrapped at :data:`WIDTH`; table rows (indented) and links are left whole."""
    out = []
    for line in lines:
        if not line or line.startswith("  ") or line == "-- ":
            out.append(line)
        else:
            out += textwrap.wrap(line, WIDTH, break_long_words=False, break_on_hyphens=False)
    return out


def _content(nudge: Nudge, base: str) -> tuple[str, list[str]]:
    if isinstance(nudge, GoalDue):
        return _goal_due(nudge)
    if isinstance(nudge, MeetingTomorrow):
        return _meeting(nudge)
    if isinstance(nudge, PairStalled):
        return _stalled(nudge)
    return _digest(nudge, base)


def _goal_due(nudge: GoalDue) -> tuple[str, list[str]]:
    when = "today" if nudge.days_left == 0 else "tomorrow" if nudge.days_left == 1 else f"in {nudge.days_left} days"
    return (
        f"Tandem: your goal is due {when} ({_day(nudge.target_date)})",
        [
            f"One of your active goals (goal {nudge.goal_id}) has its target date {when}: {_day(nudge.target_date)}.",
            "Now is a good moment to check its milestones, mark it done, or agree a new date with your partner.",
        ],
    )


def _meeting(nudge: MeetingTomorrow) -> tuple[str, list[str]]:
    return (
        f"Tandem: meeting with {nudge.partner} tomorrow at {nudge.starts_at:%H:%M}",
        [
            f"Your reverse-mentoring meeting with {nudge.partner} is planned for tomorrow, "
            f"{_day(nudge.starts_at.date())}, {nudge.starts_at:%H:%M}-{nudge.ends_at:%H:%M}.",
            "The attached calendar file adds it to your calendar. You can prepare an agenda in Tandem.",
        ],
    )


def _stalled(nudge: PairStalled) -> tuple[str, list[str]]:
    days, since = nudge.days_without_session, _day(nudge.quiet_since)
    quiet = (
        f"No session with {nudge.partner} has been logged yet: {days} days since your pairing started on {since}."
        if nudge.never_met
        else f"No session with {nudge.partner} has been logged since {since}: {days} days."
    )
    return (
        f"Tandem: no session with {nudge.partner} for {days} days",
        [
            quiet,
            f"Your program suggests meeting every {nudge.cadence_days} days. If you met, log the session in Tandem; "
            "if not, now is a good time to find a slot.",
        ],
    )


def _digest(nudge: WeeklyDigest, base: str) -> tuple[str, list[str]]:
    lines = [
        f"The program in week {nudge.week}. A figure about fewer than {nudge.k} people is suppressed; "
        "no names, no messages, no notes.",
    ]
    for cohort in nudge.cohorts:
        lines += ["", f"Cohort {cohort.cohort}"]
        width = max(len(label) for label, _ in cohort.figures)
        lines += [f"  {label.ljust(width)}  {_shown(value, nudge.k)}" for label, value in cohort.figures]
    lines += ["", f"Stalled pairs by name: {base}/admin/program"]
    return f"Tandem weekly digest, {nudge.week}", lines


def _shown(figure: dict[str, Any], k: int) -> str:
    if figure["suppressed"]:
        return f"suppressed (fewer than {k} people)"
    if figure["value"] is None:
        return "-"
    return str(figure["value"])


def _day(value: date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def _domain(mail_from: str) -> str | None:
    address = parseaddr(mail_from)[1]
    try:
        return Address(addr_spec=address).domain or None
    except (ValueError, IndexError):
        return None
