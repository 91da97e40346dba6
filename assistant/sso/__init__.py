"""Single sign-on with OpenID Connect: the provider client, the accounts it signs in, the signed cookies."""

from __future__ import annotations


class SignInRefusedError(Exception):
    """A single sign-on that stops here: ``message`` is one sentence for the person, ``status_code`` 400-502."""

    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
