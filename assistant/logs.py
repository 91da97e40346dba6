"""Logging failures without the data that caused them."""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable

log = logging.getLogger("assistant")


def log_failure(message: str, *args: object, exc: BaseException) -> None:
    """Log the exception's type and where it happened, never its message.

    Exception messages often quote their input (a participant's text), so only the type and the
    stack frames (file, line, function, source line) are written.
    """
    frames = "".join(traceback.format_tb(exc.__traceback__)).rstrip()
    log.error(f"{message} ({type(exc).__name__})\n{frames}", *args)


class OutageLog:
    """One warning when a dependency starts failing, then at most one per ``every`` seconds while it keeps
    failing, each saying how many failures it stands for: a ten-second database outage under load is a
    line or two in the log, not one per refused request."""

    def __init__(
        self, logger: logging.Logger, every: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._logger = logger
        self._every = every
        self._clock = clock
        self._lock = threading.Lock()
        self._last: float | None = None
        self._quiet = 0

    def failed(self, message: str) -> None:
        with self._lock:
            now = self._clock()
            if self._last is not None and now - self._last < self._every:
                self._quiet += 1
                return
            more = f" ({self._quiet} more like it since the last line)" if self._quiet else ""
            self._last, self._quiet = now, 0
        self._logger.warning("%s%s", message, more)
