"""Keep participants' words and bearer tokens out of application logs.

The anonymizer's ``scrub()`` is for text that leaves a participant's space on purpose; application
logs should not hold message text at all, scrubbed or not. Tandem's own code logs ids and exception
types only. This filter is the safety net for what other code might log:

- message text the current request is handling (registered with :func:`withhold_from_logs`) is
  replaced wherever it appears: in the message, its arguments, or an exception's traceback text,
- bearer tokens (``Bearer ...`` and Tandem's ``tdm_...`` tokens) are replaced,
- SQLAlchemy's engine log (enabled by any INFO-level root logger, e.g. ``tandem -v``) loses its bound
  parameters and result rows, which would otherwise contain every stored message.

:func:`install_log_filter` applies it to every record created in the process (through the record
factory), so it works whatever handlers uvicorn, the CLI or pytest attach.
"""

from __future__ import annotations

import contextvars
import logging
import re
import threading
from collections.abc import Mapping
from typing import Any

WITHHELD = "[message text withheld]"
TOKEN_WITHHELD = "[token withheld]"
PARAMETERS_WITHHELD = "[values withheld]"
_MIN_WITHHELD_CHARS = 4  # shorter texts ("ok") would blank out ordinary words in unrelated lines

_TOKENS = re.compile(r"(?i)\bbearer\s+[^\s'\",]+|\btdm(?:_|%5f)[A-Za-z0-9_%\-]{8,}")
_withheld: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("tandem_withheld_texts", default=())
_install_lock = threading.Lock()
_installed = False


def withhold_from_logs(text: str) -> None:
    """Register ``text`` (a participant's message) so no log record of the current request contains it.

    The registration lives in the current context: the rest of the request, including work it hands
    to a thread pool or a streaming response, and nothing else.
    """
    text = text.strip()
    if len(text) >= _MIN_WITHHELD_CHARS:
        _withheld.set((*_withheld.get(), text))


def redact(text: str) -> str:
    """``text`` with registered message texts and bearer tokens replaced."""
    for secret in _withheld.get():
        if secret in text:
            text = text.replace(secret, WITHHELD)
    return _TOKENS.sub(TOKEN_WITHHELD, text)


class MessageTextFilter(logging.Filter):
    """Rewrites a record in place so it carries no message text and no token; never drops a record.

    Arguments are cleaned one by one rather than merged into the message, so formatters that read
    ``record.args`` (uvicorn's access log) keep working.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("sqlalchemy.engine") and record.args:
            record.msg, record.args = PARAMETERS_WITHHELD, None
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(value) for value in record.args)
        elif isinstance(record.args, Mapping):
            record.args = {key: _clean(value) for key, value in record.args.items()}
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _clean(value: object) -> object:
    if value is None or isinstance(value, int | float):
        return value
    text = value if isinstance(value, str) else _as_text(value)
    cleaned = redact(text)
    return value if cleaned == text else cleaned


def _as_text(value: object) -> str:
    try:
        return str(value)
    except Exception:  # a broken __str__ must not break logging
        return ""


def install_log_filter() -> None:
    """Filter every log record created from now on in this process (idempotent)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()
        message_filter = MessageTextFilter()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            message_filter.filter(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True
