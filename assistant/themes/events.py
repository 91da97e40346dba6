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
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol, cast

from pydantic import SecretStr
from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from assistant.db.engine import transaction
from assistant.db.models import Conversation, Message, ThemeEvent, ThemeOutbox, User
from assistant.themes.classify import ThemeScore
from assistant.themes.queue import Delivery, LocalQueue, ThemeQueue
from assistant.themes.rollup import record_rollups

log = logging.getLogger(__name__)
PARTICIPANT_ROLES = ("mentee", "mentor")
OUTBOX_POLL_S = 2.0  # a pass even without a wake-up: rows left by a crash or written by another process
MAX_ATTEMPTS = 5


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
    tests that never log a theme stay fast. Messages wait in the ``theme_outbox`` table, never in memory.
    """

    def __init__(
        self,
        db_factory: sessionmaker[Session],
        secret: SecretStr | str,
        build_classifier: Callable[[], Classifier],
        *,
        in_process: bool = True,
        queue: ThemeQueue | None = None,
        stale_after_s: float = 60.0,
    ) -> None:
        self._db_factory = db_factory
        self._secret = secret
        self._build_classifier = build_classifier
        self._classifier: Classifier | None = None
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()  # building takes seconds; notify() must not wait for it
        self._in_process = in_process  # False: a separate `tandem worker` drains the outbox
        self._outbox_worker: threading.Thread | None = None
        self._stopping = threading.Event()
        self.queue: ThemeQueue = queue or LocalQueue()
        # With a shared queue the sweep only takes rows nobody was told about (a crash between the commit
        # and the wake-up, or Redis away): those older than this.
        self._stale_after = timedelta(seconds=stale_after_s)
        self._last_sweep = 0.0

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

    # --- the outbox: messages stored with a row in theme_outbox, counted by a worker -----------------

    def notify(self, message_id: int | None = None) -> None:
        """``message_id`` was committed with its outbox row: tell the workers (and start this process's
        worker on first use, unless THEME_WORKER=external). Without an id: only start the worker."""
        if message_id is not None:
            self.queue.publish(message_id)
        if not self._in_process:
            return
        with self._lock:
            if self._outbox_worker is None or not self._outbox_worker.is_alive():
                self._stopping.clear()
                self._outbox_worker = threading.Thread(target=self._work, name="theme-outbox", daemon=True)
                self._outbox_worker.start()

    def drain_outbox(self, limit: int = 500, *, older_than: datetime | None = None) -> int:
        """Count the themes of up to ``limit`` waiting messages (written before ``older_than``, when
        given); returns how many were counted.

        Each message is claimed by deleting its outbox row and counted in that same transaction, so two
        workers never count it twice and a crash before the commit leaves the row for the next pass.
        """
        query = select(ThemeOutbox.message_id)
        if older_than is not None:
            query = query.where(ThemeOutbox.created_at < older_than)
        with self._db_factory() as db:
            waiting = list(
                db.scalars(
                    query.order_by(ThemeOutbox.attempts, ThemeOutbox.created_at, ThemeOutbox.message_id).limit(limit)
                )
            )
        return sum(self._count_or_note(message_id) for message_id in waiting)

    def count_deliveries(self, deliveries: list[Delivery]) -> int:
        """Count what the queue delivered, then acknowledge it (a failure stays in the outbox, retried)."""
        counted = sum(self._count_or_note(delivery.message_id) for delivery in deliveries)
        self.queue.acknowledge(deliveries)
        return counted

    def _count_or_note(self, message_id: int) -> int:
        try:
            return self._count(message_id)
        except Exception as exc:
            self._failed(message_id, exc)
            return 0

    def outbox_size(self) -> int:
        with self._db_factory() as db:
            return db.scalar(select(func.count()).select_from(ThemeOutbox)) or 0

    def _count(self, message_id: int) -> int:
        with transaction(self._db_factory) as db:
            claimed = db.execute(delete(ThemeOutbox).where(ThemeOutbox.message_id == message_id))
            if not claimed.rowcount:  # type: ignore[attr-defined]
                return 0  # another worker counted it
            found = db.execute(
                select(Message.content, Message.created_at, User)
                .join(Conversation, Message.conversation_id == Conversation.id)
                .join(User, Conversation.user_id == User.id)
                .where(Message.id == message_id)
            ).first()
            if found is None:
                return 0
            content, created_at, user = found
            author = Author.of(user)
            if author.role in PARTICIPANT_ROLES:
                rows = event_rows(
                    self.classifier.classify(content), author=author, when=created_at, secret=self._secret
                )
                if rows:
                    store_events(db, rows)
            return 1

    def _failed(self, message_id: int, exc: Exception) -> None:
        """Count the failure on the row; after MAX_ATTEMPTS the message is given up (and logged, by id only)."""
        with transaction(self._db_factory) as db:
            row = db.get(ThemeOutbox, message_id)
            if row is None:
                return
            row.attempts += 1
            if row.attempts >= MAX_ATTEMPTS:
                db.delete(row)
                log.warning(
                    "message %s: themes not counted after %d attempts (%s)",
                    message_id,
                    MAX_ATTEMPTS,
                    type(exc).__name__,
                )

    def run_worker(self, stop: threading.Event) -> None:
        """Drain the outbox until ``stop`` is set (``tandem worker``: its own process)."""
        self._stopping = stop
        self._work()

    def _work(self) -> None:
        while not self._stopping.is_set():
            try:
                self.count_deliveries(self.queue.receive(OUTBOX_POLL_S))
                self._sweep()
            except Exception as exc:  # the database or Redis is away: the rows wait for the next pass
                log.warning("theme outbox pass failed (%s)", type(exc).__name__)
                self._stopping.wait(OUTBOX_POLL_S)

    def _sweep(self) -> None:
        """A local queue sweeps the whole outbox each pass; a shared one, now and then, only rows that
        waited longer than any delivery should (their wake-up was lost)."""
        if isinstance(self.queue, LocalQueue):
            while self.drain_outbox():
                pass
            return
        if time.monotonic() - self._last_sweep < OUTBOX_POLL_S * 5:
            return
        self._last_sweep = time.monotonic()
        while self.drain_outbox(older_than=datetime.now(UTC) - self._stale_after):
            pass

    def drain(self, timeout: float | None = None) -> bool:
        """Wait for the outbox to empty; True when no message is left."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.outbox_size():
            if self._outbox_worker is None:
                if not self.drain_outbox() and deadline is not None and time.monotonic() > deadline:
                    return False
                continue
            self.queue.wake()
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def close(self) -> None:
        """Finish the pass in hand, then stop the in-process worker (rows left wait for the next start)."""
        with self._lock:
            worker, self._outbox_worker = self._outbox_worker, None
        if worker is not None:
            self._stopping.set()
            self.queue.wake()
            worker.join(timeout=30)
        self.queue.close()
