"""Request-size limits (413) and per-user rate limits (429 with Retry-After)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from fastapi import HTTPException, Request, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    """Refuse bodies over ``max_bytes`` (by Content-Length, or while streaming one without it)."""

    def __init__(self, app: ASGIApp, max_bytes: int, upload_paths: tuple[str, ...] = (), upload_bytes: int = 0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_paths = upload_paths
        self.upload_bytes = upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = self.upload_bytes if path.startswith(self.upload_paths) and self.upload_paths else self.max_bytes
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        received = 0
        refused = False

        async def limited_receive() -> Message:
            """Past the limit: answer 413 now and tell the app the client went away."""
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    await _too_large(send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, limited_receive, guarded_send)


async def _too_large(send: Send, limit: int) -> None:
    body = f'{{"detail":"request body is larger than {limit} bytes"}}'.encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Limiter(Protocol):
    def acquire(self, key: Any) -> float:
        """0 if the request may go ahead, else the seconds to wait before retrying."""
        ...


class RateLimiter:
    """A token bucket per key: ``per_minute`` requests on average, bursts up to ``burst``.

    In memory, per process: the default for one server process. With several workers, set ``REDIS_URL``
    and :class:`SharedRateLimiter` keeps one budget for all of them.
    """

    def __init__(self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.clock = clock
        self._buckets: dict[Any, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: Any) -> float:
        """0 if the request may go ahead, else the seconds to wait before retrying."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate if self.rate else math.inf


class SharedRateLimiter:
    """``per_minute`` requests per key in any moving minute, counted in Redis (the ``limits`` package),
    so every worker and every machine shares one budget per participant."""

    NAMESPACE = "tandem-messages"

    def __init__(self, per_minute: int, redis_url: str) -> None:
        from limits import RateLimitItemPerMinute, storage, strategies

        self.item = RateLimitItemPerMinute(per_minute)
        self.window = strategies.MovingWindowRateLimiter(storage.storage_from_string(redis_url))

    def acquire(self, key: Any) -> float:
        if self.window.hit(self.item, self.NAMESPACE, str(key)):
            return 0.0
        reset = self.window.get_window_stats(self.item, self.NAMESPACE, str(key)).reset_time
        return max(1.0, reset - time.time())


def make_rate_limiter(per_minute: int, burst: int, redis_url: str = "") -> Limiter | None:
    """Off at 0 per minute; shared through Redis when ``REDIS_URL`` is set; in this process otherwise."""
    if per_minute <= 0:
        return None
    return SharedRateLimiter(per_minute, redis_url) if redis_url else RateLimiter(per_minute, burst)


def enforce_rate_limit(request: Request, key: Any) -> None:
    limiter: Limiter | None = getattr(request.app.state, "rate_limiter", None)
    if limiter is None:
        return
    wait = limiter.acquire(key)
    if wait > 0:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many messages; please wait a moment",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )
