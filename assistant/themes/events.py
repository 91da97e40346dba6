"""The theme log: what participants talk about, kept as anonymous theme events.

After a participant's message is stored, :class:`ThemeLogger` classifies it off the request path (one
worker thread, so replies are never delayed by the classifier) and stores one :class:`ThemeEvent`
per theme: the theme, the author's role and cohort, the Monday of the ISO week (UTC), an HMAC of the
user id and the classifier's confidence. No text, no name, no user id and no message id is kept, so
an event cannot be traced back to a message; the HMAC lets reports count distinct people, and once
a user is forgotten no row maps it back to anyone.

Only mentees' and mentors' messages are logged: admins trying the assistant are not participants.
A failing classifier costs the events of that message and nothing else; it is logged with the
exception type only, never the message.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol, cast

from pydantic import SecretStr
from sqlalchemy import Table, insert
from sqlalchemy.orm import Session, sessionmaker

from assistant.db.engine import transaction
from assistant.db.models import ThemeEvent, User
from assistant.themes.classify import ThemeScore
from assistant.themes.rollup import record_rollups

log = logging.getLogger(__name__)
PARTICIPANT_ROLES = ("mentee", "mentor")
SKIP_REPORT_INTERVAL_S = 60.0


class Classifier(Protocol):
    def classify(self, text: str) -> list[ThemeScore]: ...


@dataclass(frozen=True)
class Author:
    """Who wrote a message, as far as the theme log may know."""

    user_id: int
    role: str
    cohort: str | None

    @classmethod
    def of(cls, user: User) -> Author:
        return cls(user.id, user.role, user.cohort)


def participant_key(user_id: int, secret: SecretStr | str) -> str:
    """HMAC-SHA256 of the user id: the same person always gets the same key, nobody can invert it."""
    key = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    return hmac.new(key.encode(), str(user_id).encode(), hashlib.sha256).hexdigest()


def week_start(moment: datetime | date) -> date:
    """The Monday of the ISO week of ``moment`` in UTC (a naive datetime counts as UTC)."""
    if isinstance(moment, datetime):
        moment = (moment.astimezone(UTC) if moment.tzinfo else moment).date()
    return moment - timedelta(days=moment.weekday())


def event_rows(
    scores: Sequence[ThemeScore], *, author: Author, when: datetime | date, secret: SecretStr | str
) -> list[dict[str, object]]:
    """The theme events of one message, as rows ready to insert."""
    key = participant_key(author.user_id, secret)
    monday = week_start(when)
    return [
        {
            "theme": score.theme,
            "role": author.role,
            "cohort": author.cohort,
            "week_start": monday,
            "participant_key": key,
            "confidence": score.confidence,
        }
        for score in scores
    ]


def store_events(db: Session, rows: Sequence[dict[str, object]]) -> int:
    """Insert event rows with one executemany (Core, not the ORM's per-object bookkeeping).

    The report's rollups are updated in the same transaction (:mod:`assistant.themes.rollup`), so
    they never disagree with the events, whichever commits or rolls back.
    """
    if rows:
        db.execute(insert(cast(Table, ThemeEvent.__table__)), list(rows))
        record_rollups(db, rows)
    return len(rows)


class ThemeLogger:
    """Classifies stored participant messages and records their themes; build once per process.

    ``build_classifier`` runs on first use (embedding the taxonomy takes a moment), so start-up and
    tests that never log a theme stay fast. At most ``max_pending`` messages wait for the worker;
    beyond that new ones are skipped (and counted in the log) rather than queued without bound.
    """

    def __init__(
        self,
        db_factory: sessionmaker[Session],
        secret: SecretStr | str,
        build_classifier: Callable[[], Classifier],
        *,
        max_pending: int = 1000,
    ) -> None:
        self._db_factory = db_factory
        self._secret = secret
        self._build_classifier = build_classifier
        self._classifier: Classifier | None = None
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()  # building takes seconds; submit() must not wait for it
        self._executor: ThreadPoolExecutor | None = None
        self._pending: set[Future[int]] = set()
        self._max_pending = max_pending
        self._skipped = 0  # messages not classified since the last warning (one warning a minute at most)
        self._last_skip_report = -SKIP_REPORT_INTERVAL_S

    @property
    def classifier(self) -> Classifier:
        with self._build_lock:
            if self._classifier is None:
                self._classifier = self._build_classifier()
            return self._classifier

    def use_classifier(self, classifier: Classifier) -> None:
        """Replace the classifier (an organisation's own, or a test's)."""
        with self._build_lock:
            self._classifier = classifier

    def record(self, text: str, *, author: Author, when: datetime | date) -> int:
        """Classify and store synchronously; returns the number of events (raises if classifying fails)."""
        if author.role not in PARTICIPANT_ROLES:
            return 0
        scores = self.classifier.classify(text)
        rows = event_rows(scores, author=author, when=when, secret=self._secret)
        if not rows:
            return 0
        with transaction(self._db_factory) as db:
            return store_events(db, rows)

    def submit(self, text: str, *, author: Author, when: datetime | date) -> bool:
        """Record in the background; call only after the message is committed. False if skipped."""
        if author.role not in PARTICIPANT_ROLES:
            return False
        with self._lock:
            if len(self._pending) >= self._max_pending:
                self._skipped += 1
                now = time.monotonic()
                if now - self._last_skip_report >= SKIP_REPORT_INTERVAL_S:
                    log.warning(
                        "theme log queue full (%d waiting); %d messages not classified",
                        len(self._pending),
                        self._skipped,
                    )
                    self._last_skip_report, self._skipped = now, 0
                return False
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="theme-log")
            future = self._executor.submit(self._record_quietly, text, author, when)
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return True

    def drain(self, timeout: float | None = None) -> bool:
        """Wait for messages already submitted; True when none is left."""
        with self._lock:
            pending = set(self._pending)
        _, not_done = wait(pending, timeout=timeout)
        return not not_done

    def close(self) -> None:
        """Finish what was submitted, then stop the worker."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)

    def _record_quietly(self, text: str, author: Author, when: datetime | date) -> int:
        try:
            return self.record(text, author=author, when=when)
        except Exception as exc:
            log.warning("theme logging failed (%s); the message has no theme events", type(exc).__name__)
            return 0

    def _forget(self, future: Future[int]) -> None:
        with self._lock:
            self._pending.discard(future)
