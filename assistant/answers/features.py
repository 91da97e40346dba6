"""Feature vectors of the answer heads, built from one retrieval and the index mirror.

Every head sees a few named scalars (scores, overlaps, cue pairs) and, where it helps, the element-wise
product of the question's vector with the candidate's (a learned, diagonal bilinear similarity: which
dimensions of meaning count for "answers this" rather than "is about the same thing").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.answers.cues import CUE_NAMES, asked, held, overlap, stems
from assistant.knowledge.chunking import Chunk
from assistant.retrieval.mirror import Snapshot, tokenize

CHUNK_SCALARS = (
    "dense",
    "dense_gap",
    "dense_rank",
    "bm25",
    "lexical_rank",
    "heading_sim",
    "heading_gap",
    "sentence_max",
    "sentence_gap",
    "sentence_second",
    "overlap_text",
    "overlap_heading",
    "intro",
    "memory_best",
    "memory_top3",
    "memory_known",
    "prior",
    "prior_rank",
    "prior_document",
    "prior_known",
    *(f"cue_{name}" for name in CUE_NAMES),
)
MEMORY_SCOPE = tuple(f"memory_{label}_{kind}" for label in ("in", "out", "risk", "safe") for kind in ("best", "top3"))
SENTENCE_SCALARS = (
    "similarity",
    "similarity_gap",
    "similarity_rank",
    "rank_in_chunk",
    "chunk_probability",
    "chunk_rank",
    "overlap",
    "lead_in",
    "position",
    "length",
    "memory_best",
    "memory_top3",
    "memory_known",
    *(f"cue_{name}" for name in CUE_NAMES),
)
SCOPE_SCALARS = (
    "dense_max",
    "heading_max",
    "rerank_top",
    "select_top",
    "bm25_max",
    "overlap_max",
    "length",
    "task_request",
    "program_words",
    *MEMORY_SCOPE,
)
FOLLOWUP_SCALARS = (
    "length",
    "starts_joined",
    "anaphora",
    "what_about",
    "scope_alone",
    "dense_alone",
    "dense_gain",
    "rerank_alone",
    "rerank_gain",
    "shared_words",
    "no_content",
)
RISK_CUES = (
    "death",
    "hurt_self",
    "violence",
    "sexual",
    "bullying",
    "protected",
    "exclusion",
    "fraud",
    "data",
    "secrecy",
    "fear",
    "idiom",
    "protected_bullying",
    "data_secrecy",
    "violence_fear",
    "sexual_bullying",
    "death_secrecy",
)
RISK_SCALARS = ("length", *MEMORY_SCOPE, *(f"cue_{name}" for name in RISK_CUES))

TASK_REQUEST = re.compile(
    r"\b(?:write|compose|draft|generate|create|make|translate|summari[sz]e|code|script|sql|query|formula|poem|"
    r"song|joke|slogan|recipe|book\s+a|send\s+an?)\b",
    re.I,
)
PROGRAM_WORDS = re.compile(
    r"\b(?:mentor\w*|mentee\w*|pair\w*|session\w*|program\w*|cohort|reverse|agreement|feedback|goal\w*|HR)\b", re.I
)
STARTS_JOINED = re.compile(
    (r"^\s*(?:and|but|so|also|or|then|ok(?:ay)?|what\s+about|how\s+about|same|plus|\.\.\.)\b"), re.I
)
ANAPHORA = re.compile(
    (r"\b(?:it|that|this|those|these|them|they|he|she|him|her|each\s+one|one|there|then|the\s+same)\b"), re.I
)
WHAT_ABOUT = re.compile(
    (r"\b(?:what|how)\s+about\b|\bsame\s+(?:for|with)\b|\band\s+if\b|\binstead\b|\bthe\s+other\b"), re.I
)


@dataclass
class Candidate:
    """A retrieved chunk and what the reranker reads of it."""

    chunk: Chunk
    row: int
    dense: float
    lexical: float


class Vectors:
    """The vectors the features need, read from the mirror's snapshot: chunks, sentences, headings."""

    def __init__(self, snapshot: Snapshot, heading_vectors: dict[str, np.ndarray]) -> None:
        self.snapshot = snapshot
        self.row_of = {chunk.id: row for row, chunk in enumerate(snapshot.chunks)}
        self.headings = heading_vectors

    def heading(self, chunk: Chunk) -> np.ndarray:
        return self.headings[chunk.section]


def chunk_features(
    vector: np.ndarray,
    cue_text: str,
    candidates: Sequence[Candidate],
    vectors: Vectors,
    memory: Sequence[tuple[float, ...]],
) -> np.ndarray:
    """One row per candidate: the scalars, then the question*chunk product (question*heading was tried and
    lowered section@1 on dev, 0.438 -> 0.394)."""
    if not candidates:
        return np.zeros((0, len(CHUNK_SCALARS) + vector.shape[0]), np.float32)
    snapshot = vectors.snapshot
    wants = asked(cue_text)
    question_stems = stems(cue_text)
    dense = np.array([c.dense for c in candidates], np.float32)
    lexical = np.array([c.lexical for c in candidates], np.float32)
    dense_rank = np.argsort(np.argsort(-dense, kind="stable"), kind="stable")
    lexical_rank = np.argsort(np.argsort(-lexical, kind="stable"), kind="stable")
    chunk_matrix = snapshot.matrix[[c.row for c in candidates]]
    heading_matrix = np.stack([vectors.heading(c.chunk) for c in candidates])
    heading_sims = heading_matrix @ vector
    sentence_best = []
    for candidate in candidates:
        indexes = snapshot.sentence_rows.get(candidate.chunk.id, [])
        sims = np.sort(snapshot.sentence_matrix[indexes] @ vector)[::-1] if indexes else np.zeros(1, np.float32)
        sentence_best.append((float(sims[0]), float(sims[1]) if len(sims) > 1 else float(sims[0])))
    best_sentence = max(b for b, _ in sentence_best)
    lexical_max = float(lexical.max()) or 1.0
    rows = []
    for i, candidate in enumerate(candidates):
        chunk = candidate.chunk
        has = held(chunk.text)
        scalars = [
            dense[i],
            dense[i] - dense.max(),
            1.0 / (1.0 + dense_rank[i]),
            lexical[i] / lexical_max,
            1.0 / (1.0 + lexical_rank[i]) if lexical[i] > 0 else 0.0,
            heading_sims[i],
            heading_sims[i] - heading_sims.max(),
            sentence_best[i][0],
            sentence_best[i][0] - best_sentence,
            sentence_best[i][1],
            overlap(question_stems, chunk.text),
            overlap(question_stems, chunk.section),
            float(chunk.section == chunk.title),
            *memory[i],
            *(float(wants[name] and has[name]) for name in CUE_NAMES),
        ]
        rows.append(np.concatenate([np.asarray(scalars, np.float32), vector * chunk_matrix[i]]))
    return np.stack(rows).astype(np.float32)


@dataclass
class SentenceCandidate:
    chunk_index: int  # the rank of its chunk after reranking
    chunk: Chunk
    position: int
    row: int
    text: str


def sentence_candidates(chunks: Sequence[Chunk], snapshot: Snapshot) -> list[SentenceCandidate]:
    found = []
    for index, chunk in enumerate(chunks):
        for row in snapshot.sentence_rows.get(chunk.id, []):
            sentence = snapshot.sentences[row]
            found.append(SentenceCandidate(index, chunk, sentence.position, row, sentence.text))
    return found


def sentence_features(
    vector: np.ndarray,
    cue_text: str,
    candidates: Sequence[SentenceCandidate],
    chunk_probabilities: Sequence[float],
    snapshot: Snapshot,
    memory: Sequence[tuple[float, float, float]],
) -> np.ndarray:
    if not candidates:
        return np.zeros((0, len(SENTENCE_SCALARS) + vector.shape[0]), np.float32)
    wants = asked(cue_text)
    question_stems = stems(cue_text)
    matrix = snapshot.sentence_matrix[[c.row for c in candidates]]
    sims = matrix @ vector
    order = np.argsort(np.argsort(-sims, kind="stable"), kind="stable")
    in_chunk_rank: dict[int, int] = {}
    for chunk_index in {c.chunk_index for c in candidates}:
        members = [i for i, c in enumerate(candidates) if c.chunk_index == chunk_index]
        for rank, i in enumerate(sorted(members, key=lambda i: -sims[i])):
            in_chunk_rank[i] = rank
    rows = []
    for i, candidate in enumerate(candidates):
        has = held(candidate.text)
        scalars = [
            sims[i],
            sims[i] - sims.max(),
            1.0 / (1.0 + order[i]),
            1.0 / (1.0 + in_chunk_rank[i]),
            chunk_probabilities[candidate.chunk_index],
            1.0 / (1.0 + candidate.chunk_index),
            overlap(question_stems, candidate.text),
            float(": " in candidate.text[:80]),
            1.0 / (1.0 + candidate.position),
            min(len(candidate.text.split()), 60) / 60.0,
            *memory[i],
            *(float(wants[name] and has[name]) for name in CUE_NAMES),
        ]
        rows.append(np.concatenate([np.asarray(scalars, np.float32), vector * matrix[i]]))
    return np.stack(rows).astype(np.float32)


def scope_features(
    vector: np.ndarray,
    text: str,
    dense_max: float,
    heading_max: float,
    rerank_top: float,
    select_top: float,
    bm25_max: float,
    overlap_max: float,
    memory: Sequence[float],
) -> np.ndarray:
    scalars = [
        dense_max,
        heading_max,
        rerank_top,
        select_top,
        min(bm25_max, 20.0) / 20.0,
        overlap_max,
        min(len(tokenize(text)), 40) / 40.0,
        float(bool(TASK_REQUEST.search(text))),
        float(bool(PROGRAM_WORDS.search(text))),
        *memory,
    ]
    return np.concatenate([np.asarray(scalars, np.float32), vector]).astype(np.float32)


def followup_features(
    text: str,
    previous: str,
    scope_alone: float,
    dense_alone: float,
    dense_joined: float,
    rerank_alone: float,
    rerank_joined: float,
) -> np.ndarray:
    words = tokenize(text)
    scalars = [
        min(len(text.split()), 30) / 30.0,
        float(bool(STARTS_JOINED.search(text))),
        float(bool(ANAPHORA.search(text))),
        float(bool(WHAT_ABOUT.search(text))),
        scope_alone,
        dense_alone,
        dense_joined - dense_alone,
        rerank_alone,
        rerank_joined - rerank_alone,
        overlap(stems(text), previous),
        float(len(words) <= 2),
    ]
    return np.asarray(scalars, np.float32)


def risk_features(vector: np.ndarray, text: str, memory: Sequence[float]) -> np.ndarray:
    scalars = [min(len(text.split()), 80) / 80.0, *memory]
    return np.concatenate([np.asarray(scalars, np.float32), vector]).astype(np.float32)
