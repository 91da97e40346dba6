"""A learned per-token "is this part of a person's name?" model, on top of spaCy's NER.

spaCy's small English NER misses names it has not seen in that form: lower-case names, names of
many cultures, single first names, nicknames in brackets. This logistic model reads, per token,
what spaCy says (entity label, part of speech), the word's shape, whether it is an ordinary
lower-case English word, hashed letter n-grams (names of a language share endings), the roster,
and the words around it (role nouns, titles, speech verbs, possessives). It is trained by
``tandem eval train`` on the PERSON entities of the personal-data train and dev splits and shipped
in the judgments weights file; inference is a dot product per token.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.privacy import lexicon
from assistant.privacy.common_words import COMMON_LOWER
from assistant.privacy.lexicon import fold

HASH_BUCKETS = 512
_CUES_BEFORE = lexicon.ROLE_NOUNS | lexicon.PERSON_VERBS_BEFORE | lexicon.PERSON_PREPOSITIONS | lexicon.TITLES

DENSE_FEATURES = (
    "bias_word",
    "title_case",
    "all_caps",
    "lower",
    "has_digit",
    "short",
    "long",
    "common_word",
    "non_name",
    "word_name",
    "function_word",
    "particle",
    "spacy_person",
    "spacy_other_entity",
    "propn",
    "noun",
    "verb_or_adj",
    "sentence_start",
    "after_cue",
    "after_title",
    "after_possessive_my",
    "before_speech_verb",
    "before_name_follower",
    "possessive",
    "prev_title_case",
    "next_title_case",
    "prev_spacy_person",
    "next_spacy_person",
    "in_brackets_or_quotes",
    "roster",
    "text_uncased",
    "after_at_or_in_url",
)


@dataclass(frozen=True)
class TokenView:
    """What the model needs of one spaCy token."""

    text: str
    start: int
    end: int
    ent_type: str
    pos: str
    sentence_start: bool


def tokens_of(doc: Any) -> list[TokenView]:
    return [TokenView(t.text, t.idx, t.idx + len(t.text), t.ent_type_, t.pos_, bool(t.is_sent_start)) for t in doc]


def _bucket(piece: str) -> int:
    return int.from_bytes(hashlib.blake2s(piece.encode(), digest_size=4).digest(), "little") % HASH_BUCKETS


def _is_word(token: TokenView) -> bool:
    return bool(re.fullmatch(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", token.text))


def token_rows(text: str, tokens: Sequence[TokenView], roster_parts: set[str]) -> tuple[np.ndarray, list[int]]:
    """One feature row per word token, and the indices (into ``tokens``) of those tokens."""
    uncased = not re.search(r"(?:^|[.!?]\s+|\n)\s*[A-Z]", text)
    rows, kept = [], []
    for i, token in enumerate(tokens):
        if not _is_word(token):
            continue
        word, folded = token.text, fold(token.text)
        prev = tokens[i - 1] if i > 0 else None
        prev2 = tokens[i - 2] if i > 1 else None
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        before = text[max(0, token.start - 2) : token.start]
        after = text[token.end : token.end + 2]
        dense = [
            1.0,
            float(word[:1].isupper() and not word.isupper()),
            float(len(word) > 1 and word.isupper()),
            float(word.islower()),
            float(any(c.isdigit() for c in word)),
            float(len(word) <= 2),
            float(len(word) >= 9),
            float(folded in COMMON_LOWER),
            float(folded in lexicon.NON_NAMES),
            float(folded in lexicon.WORD_NAMES),
            float(folded in lexicon.FUNCTION_WORDS),
            float(folded in lexicon.PARTICLES),
            float(token.ent_type == "PERSON"),
            float(token.ent_type not in ("", "PERSON")),
            float(token.pos == "PROPN"),
            float(token.pos == "NOUN"),
            float(token.pos in ("VERB", "ADJ", "ADV", "AUX")),
            float(token.sentence_start),
            float(prev is not None and fold(prev.text) in _CUES_BEFORE),
            float(prev is not None and fold(prev.text).rstrip(".") in lexicon.TITLES),
            float(
                prev2 is not None
                and fold(prev2.text) in ("my", "our", "his", "her")
                and prev is not None
                and fold(prev.text) in lexicon.ROLE_NOUNS
            ),
            float(nxt is not None and fold(nxt.text) in lexicon.SPEECH_VERBS),
            float(nxt is not None and fold(nxt.text) in lexicon.NAME_FOLLOWERS),
            float(nxt is not None and nxt.text in ("'s", "’s")),
            float(prev is not None and prev.text[:1].isupper() and _is_word(prev)),
            float(nxt is not None and nxt.text[:1].isupper() and _is_word(nxt)),
            float(prev is not None and prev.ent_type == "PERSON"),
            float(nxt is not None and nxt.ent_type == "PERSON"),
            float(bool(re.search(r"[(\"'‘“]\s*$", before)) or bool(re.match(r"\s*[)\"'’”]", after))),
            float(folded in roster_parts),
            float(uncased),
            float(bool(re.search(r"[@/.]$", before))),
        ]
        hashed = np.zeros(HASH_BUCKETS, dtype=np.float32)
        padded = f"<{folded}>"
        for n in (2, 3):
            for k in range(len(padded) - n + 1):
                hashed[_bucket(padded[k : k + n])] = 1.0
        rows.append(np.concatenate([np.asarray(dense, dtype=np.float32), hashed]))
        kept.append(i)
    width = len(DENSE_FEATURES) + HASH_BUCKETS
    return (np.vstack(rows) if rows else np.zeros((0, width), dtype=np.float32)), kept


class NameModel:
    """Logistic weights over :func:`token_rows`; ``spans`` joins positive tokens (and particles between them)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        if spec.get("dense_features") != list(DENSE_FEATURES) or spec.get("hash_buckets") != HASH_BUCKETS:
            raise ValueError("the name model was trained with other features; retrain with `tandem eval train`")
        self.weights = np.asarray(spec["w"], dtype=np.float32)
        self.bias = float(spec["b"])
        self.threshold = float(spec["threshold"])

    def spans(self, text: str, tokens: Sequence[TokenView], roster_parts: set[str]) -> list[tuple[int, int]]:
        rows, kept = token_rows(text, tokens, roster_parts)
        if not kept:
            return []
        probabilities = 1.0 / (1.0 + np.exp(-(rows @ self.weights + self.bias)))
        positive = [tokens[i] for i, p in zip(kept, probabilities, strict=True) if p >= self.threshold]
        return [(token.start, token.end) for token in positive if _may_be_name(text, token)]


def _may_be_name(text: str, token: TokenView) -> bool:
    """Products and particles never; a name that is also a word (Grace, Mark, Joy) only capitalised mid-sentence,
    since at a sentence start or in lower case it is the word far more often ("Mark as complete")."""
    folded = fold(token.text)
    if folded in lexicon.PARTICLES or folded in lexicon.NON_NAMES:
        return False
    if folded in lexicon.WORD_NAMES:
        return (
            token.text[:1].isupper()
            and not token.sentence_start
            and not re.search(r"[\n\-•:]\s*$", text[: token.start])
        )
    return True


def labelled_tokens(text: str, tokens: Sequence[TokenView], names: Sequence[str]) -> list[bool]:
    """Per token: inside an occurrence of one of ``names`` (the PERSON entities of a labelled row)."""
    ranges = [
        (m.start(), m.end()) for name in names for m in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text)
    ]
    return [any(s <= t.start and t.end <= e for s, e in ranges) for t in tokens]
