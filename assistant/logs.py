"""Logging failures without the data that caused them."""

from __future__ import annotations

import logging
import traceback

log = logging.getLogger("assistant")


def log_failure(message: str, *args: object, exc: BaseException) -> None:
    """Log the exception's type and where it happened, never its message.

    Exception messages often quote their input (a participant's text), so only the type and the
    stack frames (file, line, function, source line) are written.
    """
    frames = "".join(traceback.format_tb(exc.__traceback__)).rstrip()
    log.error(f"{message} ({type(exc).__name__})\n{frames}", *args)
