"""The SMTP server from ``SMTP_URL``, with the standard library: one connection for a whole run."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
TRUE = ("true", "1", "yes")
FALSE = ("false", "0", "no")


class MailUnavailableError(RuntimeError):
    """The SMTP server cannot be reached, refuses the login or the sender, or went away mid-run."""


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    username: str
    password: str
    security: str  # "ssl" (smtps), "starttls" or "none"

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        """``smtp://user:pass@host:587?starttls=true`` or ``smtps://user:pass@host:465``; else a one-line ValueError."""
        parts = urlsplit(url.strip())
        if parts.scheme not in DEFAULT_PORTS:
            raise ValueError("SMTP_URL must start with smtp:// or smtps://")
        try:
            port = parts.port or DEFAULT_PORTS[parts.scheme]
        except ValueError:
            raise ValueError("SMTP_URL has a port that is not a number from 1 to 65535") from None
        if not parts.hostname:
            raise ValueError("SMTP_URL names no host")
        query = parse_qs(parts.query)
        unknown = sorted(set(query) - {"starttls"})
        if unknown:
            raise ValueError(f"SMTP_URL has an unknown option {unknown[0]!r}; the only one is starttls=true")
        starttls = query.get("starttls", ["false"])[-1].lower()
        if starttls not in TRUE + FALSE:
            raise ValueError("SMTP_URL's starttls is true or false")
        security = "ssl" if parts.scheme == "smtps" else "starttls" if starttls in TRUE else "none"
        return cls(
            host=parts.hostname,
            port=port,
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            security=security,
        )

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


@contextmanager
def smtp_session(target: SmtpTarget, *, timeout: float) -> Iterator[smtplib.SMTP]:
    """A connected (and, with a user in the URL, logged-in) SMTP client, closed afterwards."""
    context = ssl.create_default_context()
    client: smtplib.SMTP | None = None
    try:
        if target.security == "ssl":
            client = smtplib.SMTP_SSL(target.host, target.port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(target.host, target.port, timeout=timeout)
            if target.security == "starttls":
                client.starttls(context=context)
        if target.username:
            client.login(target.username, target.password)
    except smtplib.SMTPAuthenticationError:
        _close(client)
        raise MailUnavailableError(f"the SMTP server at {target} refused the login in SMTP_URL") from None
    except (OSError, smtplib.SMTPException) as exc:
        _close(client)
        raise MailUnavailableError(f"cannot reach the SMTP server at {target}: {_reason(exc)}") from None
    try:
        yield client
    finally:
        _close(client)


def _close(client: smtplib.SMTP | None) -> None:
    if client is not None:
        with suppress(OSError, smtplib.SMTPException):
            client.quit()
        with suppress(OSError):
            client.close()


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
