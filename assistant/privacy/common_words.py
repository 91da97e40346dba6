"""Ordinary lower-case English words: the whole-word entries of the MiniLM tokenizer's vocabulary.

Used only to decide which words of a text written without capitals could be names and are worth
showing the NER capitalised. The vocabulary ships with the package (``retrieval/minilm_tokenizer``),
so nothing is downloaded; it also holds many common Western first names, which therefore stay in
lower case there (the roster and the context rules still find them).
"""

from __future__ import annotations

from assistant.retrieval.embeddings import TOKENIZER_DIR


def _load() -> frozenset[str]:
    lines = (TOKENIZER_DIR / "vocab.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(word for word in lines if word.isalpha() and word.islower() and len(word) >= 2)


COMMON_LOWER = _load()
