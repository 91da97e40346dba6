"""E-mail nudges: reminders a daily ``tandem nudges send`` run delivers over SMTP, each at most once.

``rules`` finds what is due on a day, ``preferences`` keeps who turned which kind off, ``compose``
writes the e-mail and ``send`` delivers it and records it once the SMTP server has accepted it.
No e-mail ever carries the text of a conversation message, a goal, a session note or a comment.
"""

from __future__ import annotations

KINDS: dict[str, str] = {
    "goal_due": "a reminder a few days before one of your active goals is due",
    "meeting_tomorrow": "a reminder the day before your pair's planned meeting, with a calendar file",
    "pair_stalled": "a note when your pair has not logged a session for longer than the program expects",
    "weekly_digest": "admins only: the week's cohort figures, k-anonymous, no names",
}
