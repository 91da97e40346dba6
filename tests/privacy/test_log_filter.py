"""Tokens never reach a log line, however the URL spells them."""

from __future__ import annotations

import pytest

from assistant.privacy.log_filter import TOKEN_WITHHELD, redact

TOKEN = "tdm_Q2xAb9Zk7vLm3PqR"


@pytest.mark.parametrize(
    "line",
    [
        f'GET /signin?token={TOKEN} HTTP/1.1" 200',
        f'GET /signin?token={TOKEN.replace("_", "%5F")} HTTP/1.1" 200',
        f'GET /signin?token={TOKEN.replace("_", "%5f")} HTTP/1.1" 200',
        f"Authorization: Bearer {TOKEN}",
    ],
)
def test_a_token_is_withheld_in_any_spelling(line: str) -> None:
    cleaned = redact(line)
    assert TOKEN[4:] not in cleaned and TOKEN_WITHHELD in cleaned


def test_ordinary_words_stay() -> None:
    assert redact("GET /api/v1/health HTTP/1.1 200") == "GET /api/v1/health HTTP/1.1 200"
