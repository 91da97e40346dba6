"""Normalising participant text before anything else sees it."""

from __future__ import annotations

import unicodedata

_DROP_CATEGORIES = {"Cc", "Cf", "Co", "Cs"}
_KEEP = {"\n", "\t"}


def clean_text(text: str) -> str:
    """NFKC-normalise and drop invisible characters: controls, zero-width and bidi marks, BOMs.

    Full-width letters become ASCII, so filters and retrieval see what a reader sees; newlines and
    tabs stay; the replacement character (U+FFFD) left by broken encodings goes too.
    """
    normalised = unicodedata.normalize("NFKC", text)
    kept = [
        ch for ch in normalised if ch in _KEEP or (unicodedata.category(ch) not in _DROP_CATEGORIES and ch != "\ufffd")
    ]
    return "".join(kept).replace("\r\n", "\n").strip()


MAX_MESSAGE_CHARS = 4000
EMPTY_MESSAGE = "message must not be empty, whitespace or invisible characters only"


def participant_message(text: str, max_chars: int = MAX_MESSAGE_CHARS) -> str:
    """The one input rule for a chat message, whichever front-end sent it (JSON, SSE, ``/v1``, the CLI):
    cleaned, not empty, at most ``max_chars`` characters. Raises ``ValueError`` with one line."""
    cleaned = clean_text(text)
    if not cleaned:
        raise ValueError(EMPTY_MESSAGE)
    if len(cleaned) > max_chars:
        raise ValueError(f"message is longer than {max_chars} characters")
    return cleaned


def word_set(words: str) -> frozenset[str]:
    """The whitespace-separated words of ``words``: word lists kept readable in the source."""
    return frozenset(words.split())
