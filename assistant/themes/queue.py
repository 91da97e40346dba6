"""How theme workers hear that a stored message waits in the theme outbox.

The outbox table is the record of what is still to count; a queue only carries wake-ups. In one process a
:class:`LocalQueue` (an event) is enough. With ``REDIS_URL`` the wake-ups go through a Redis stream read by
a consumer group (:class:`RedisStreamQueue`), so every server process and every ``tandem worker`` on any
machine shares the work: each message id is delivered to one consumer, acknowledged after its themes are
committed, and taken over from a consumer that died holding it. Counting stays exactly-once because a
worker claims a message by deleting its outbox row in the transaction that stores the events; a delivery
whose row is gone is a no-op.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger(__name__)
GROUP = "theme-workers"


@dataclass(frozen=True)
class Delivery:
    message_id: int
    receipt: str = ""


class ThemeQueue(Protocol):
    """Wake-ups for the theme workers; losing one costs latency, never a count (the outbox is swept)."""

    def publish(self, message_id: int) -> None: ...

    def receive(self, timeout: float) -> list[Delivery]:
        """Deliveries for this consumer, waiting up to ``timeout`` s; empty when it is time to sweep."""
        ...

    def acknowledge(self, deliveries: list[Delivery]) -> None: ...

    def wake(self) -> None:
        """End a :meth:`receive` in this process early (shutdown, or a test draining)."""
        ...

    def pending(self) -> int:
        """Deliveries handed out and not yet acknowledged (0 for a local queue)."""
        ...

    def close(self) -> None: ...


class LocalQueue:
    """One process: an event that wakes its worker thread; every pass sweeps the whole outbox."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def publish(self, message_id: int) -> None:
        self._event.set()

    def receive(self, timeout: float) -> list[Delivery]:
        self._event.wait(timeout)
        self._event.clear()
        return []

    def acknowledge(self, deliveries: list[Delivery]) -> None:
        return None

    def wake(self) -> None:
        self._event.set()

    def pending(self) -> int:
        return 0

    def close(self) -> None:
        self._event.set()


class RedisStreamQueue:
    """A Redis stream with one consumer group shared by every theme worker.

    ``claim_idle_s``: a delivery unacknowledged that long belonged to a consumer that died (``kill -9``
    between reading and acknowledging); another consumer takes it over with ``XAUTOCLAIM``.
    """

    def __init__(self, redis_url: str, stream: str, *, claim_idle_s: float = 60.0, batch: int = 100) -> None:
        import redis

        self._redis: Any = redis.Redis.from_url(redis_url, socket_timeout=10, socket_connect_timeout=5)
        self.stream = stream
        self.consumer = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._claim_idle_ms = int(claim_idle_s * 1000)
        self._batch = batch
        self._group_ready = False

    def _ensure_group(self) -> None:
        if self._group_ready:
            return
        import redis

        try:
            self._redis.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    def publish(self, message_id: int) -> None:
        """After the message's transaction committed; a failure is logged and the outbox sweep counts it."""
        try:
            self._redis.xadd(self.stream, {"message_id": message_id})
        except Exception as exc:
            log.warning(
                "theme queue: wake-up not sent, the outbox sweep will count the message (%s)", type(exc).__name__
            )

    def receive(self, timeout: float) -> list[Delivery]:
        self._ensure_group()
        _, claimed, *_ = self._redis.xautoclaim(
            self.stream, GROUP, self.consumer, min_idle_time=self._claim_idle_ms, start_id="0-0", count=self._batch
        )
        entries = list(claimed)
        if not entries:
            answer = self._redis.xreadgroup(
                GROUP, self.consumer, {self.stream: ">"}, count=self._batch, block=max(1, int(timeout * 1000))
            )
            entries = [entry for _, stream_entries in answer or [] for entry in stream_entries]
        return [_delivery(receipt, fields) for receipt, fields in entries if fields]

    def acknowledge(self, deliveries: list[Delivery]) -> None:
        if deliveries:
            receipts = [d.receipt for d in deliveries]
            pipe = self._redis.pipeline()
            pipe.xack(self.stream, GROUP, *receipts)
            pipe.xdel(self.stream, *receipts)
            pipe.execute()

    def wake(self) -> None:
        return None  # receive() blocks at most its timeout

    def pending(self) -> int:
        self._ensure_group()
        return int(self._redis.xpending(self.stream, GROUP)["pending"])

    def close(self) -> None:
        self._redis.close()


def _delivery(receipt: bytes | str, fields: dict[bytes, bytes]) -> Delivery:
    raw = fields.get(b"message_id", b"0")
    return Delivery(int(raw), receipt.decode() if isinstance(receipt, bytes) else receipt)


def make_theme_queue(redis_url: str, stream: str, claim_idle_s: float) -> LocalQueue | RedisStreamQueue:
    return RedisStreamQueue(redis_url, stream, claim_idle_s=claim_idle_s) if redis_url else LocalQueue()
