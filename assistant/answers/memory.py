"""The labelled questions as a memory: how close a new question is to ones a section is known to answer.

Participants describe situations ("he keeps grabbing my mouse") where the guideline names a topic
("let the mentee drive"); the embedding of the question is often nearer to another participant's
question about the same thing than to the guideline's own words. So each section, sentence and
scope label keeps the vectors of the training questions it answers, and the heads read the nearest
ones' similarity as a feature (doc2query by another route). A section nobody asked about yet simply
has no memory (its ``known`` feature is 0) and is ranked on its text alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

MEMORY_FILE = Path(__file__).with_name("weights") / "answers-memory-v1.npz"
IN_SCOPE, OUT_OF_SCOPE, RISK, SAFE = "in", "out", "risk", "safe"


def section_key(source: str, section: str) -> str:
    return f"{source}#{section}"


def sentence_key(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").replace("**", "").lower().split())


@dataclass
class QuestionMemory:
    """Unit vectors of labelled questions and, per vector, the keys it is remembered under."""

    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 384), np.float32))
    sections: list[str] = field(default_factory=list)  # one section key per vector ("" for none)
    scopes: list[str] = field(default_factory=list)  # in, out, risk or safe per vector
    sentence_pairs: list[tuple[int, str]] = field(default_factory=list)  # (vector index, sentence key)
    prior: SectionPrior | None = None

    def __post_init__(self) -> None:
        self._index()

    def _index(self) -> None:
        self._by_section: dict[str, np.ndarray] = {}
        for key in set(self.sections) - {""}:
            self._by_section[key] = np.array([i for i, s in enumerate(self.sections) if s == key], dtype=np.int64)
        by_sentence: dict[str, list[int]] = {}
        for index, key in self.sentence_pairs:
            by_sentence.setdefault(key, []).append(index)
        self._by_sentence = {k: np.array(v, dtype=np.int64) for k, v in by_sentence.items()}
        self._by_scope = {
            label: np.array([i for i, s in enumerate(self.scopes) if s == label], dtype=np.int64)
            for label in (IN_SCOPE, OUT_OF_SCOPE, RISK, SAFE)
        }

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        return self.vectors @ vector if len(self.vectors) else np.zeros(0, np.float32)

    @staticmethod
    def _near(sims: np.ndarray, members: np.ndarray | None) -> tuple[float, float, float]:
        """(best, mean of the best three, known) over ``members``' similarities."""
        if members is None or not len(members):
            return 0.0, 0.0, 0.0
        chosen = sims[members]
        top = np.sort(chosen)[-3:]
        return float(top[-1]), float(top.mean()), 1.0

    def section_features(self, sims: np.ndarray, keys: Sequence[str], vector: np.ndarray) -> list[tuple[float, ...]]:
        """Per section: nearest remembered questions (best, top three, known), then the prior (p, rank, its
        document's share, known)."""
        priors = self.prior.probabilities(vector) if self.prior is not None else {}
        ranked = sorted(priors, key=lambda k: -priors[k])
        rank_of = {key: rank for rank, key in enumerate(ranked)}
        documents: dict[str, float] = {}
        for key, p in priors.items():
            documents[key.split("#", 1)[0]] = documents.get(key.split("#", 1)[0], 0.0) + p
        rows: list[tuple[float, ...]] = []
        for key in keys:
            near = self._near(sims, self._by_section.get(key))
            document = documents.get(key.split("#", 1)[0], 0.0)
            if key in priors:
                rows.append((*near, priors[key], 1.0 / (1.0 + rank_of[key]), document, 1.0))
            else:
                rows.append((*near, 0.0, 0.0, document, 0.0))
        return rows

    def sentence_features(self, sims: np.ndarray, keys: Sequence[str]) -> list[tuple[float, float, float]]:
        return [self._near(sims, self._by_sentence.get(key)) for key in keys]

    def scope_features(self, sims: np.ndarray) -> tuple[float, ...]:
        values: list[float] = []
        for label in (IN_SCOPE, OUT_OF_SCOPE, RISK, SAFE):
            best, top3, _ = self._near(sims, self._by_scope.get(label))
            values += [best, top3]
        return tuple(values)

    def subset(self, keep: np.ndarray) -> QuestionMemory:
        """The memory of only the vectors in ``keep`` (training folds leave their own rows out)."""
        index = {int(old): new for new, old in enumerate(keep)}
        return QuestionMemory(
            self.vectors[keep],
            [self.sections[i] for i in keep],
            [self.scopes[i] for i in keep],
            [(index[i], key) for i, key in self.sentence_pairs if i in index],
            self.prior,
        )

    def same_as(self, other: QuestionMemory, tolerance: float = 2e-3) -> bool:
        """Equal keys, and vectors equal within float16 rounding."""
        return (
            self.sections == other.sections
            and self.scopes == other.scopes
            and self.sentence_pairs == other.sentence_pairs
            and self.vectors.shape == other.vectors.shape
            and bool(np.all(np.abs(self.vectors - other.vectors) <= tolerance))
            and (self.prior is None) == (other.prior is None)
            and (self.prior is None or other.prior is None or self.prior.same_as(other.prior))
        )

    def save(self, path: Path = MEMORY_FILE) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        pair_index = np.array([i for i, _ in self.sentence_pairs], dtype=np.int32)
        pair_key = np.array([k for _, k in self.sentence_pairs], dtype=str)
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                vectors=self.vectors.astype(np.float16),
                sections=np.array(self.sections, dtype=str),
                scopes=np.array(self.scopes, dtype=str),
                pair_index=pair_index,
                pair_key=pair_key,
                prior_keys=np.array(self.prior.keys if self.prior else [], dtype=str),
                prior_weights=self.prior.weights if self.prior else np.zeros((0, 384), np.float32),
                prior_bias=self.prior.bias if self.prior else np.zeros(0, np.float32),
            )


@dataclass
class SectionPrior:
    """A softmax over known sections from the question's vector, trained on the labelled questions and
    each section's own sentences and heading (so every indexed section has examples)."""

    keys: list[str]
    weights: np.ndarray  # sections x dimensions
    bias: np.ndarray

    def probabilities(self, vector: np.ndarray) -> dict[str, float]:
        z = self.weights @ vector + self.bias
        z = np.exp(z - z.max())
        p = z / z.sum()
        return dict(zip(self.keys, map(float, p), strict=True))

    def same_as(self, other: SectionPrior, tolerance: float = 1e-3) -> bool:
        return (
            self.keys == other.keys
            and self.weights.shape == other.weights.shape
            and bool(np.all(np.abs(self.weights - other.weights) <= tolerance))
            and bool(np.all(np.abs(self.bias - other.bias) <= tolerance))
        )


@lru_cache(maxsize=2)
def load_memory(path: Path = MEMORY_FILE) -> QuestionMemory:
    """The shipped memory, or an empty one (the heads then read every ``known`` feature as 0)."""
    if not path.is_file():
        return QuestionMemory()
    with np.load(path, allow_pickle=False) as data:
        return QuestionMemory(
            data["vectors"].astype(np.float32),
            [str(s) for s in data["sections"]],
            [str(s) for s in data["scopes"]],
            [(int(i), str(k)) for i, k in zip(data["pair_index"], data["pair_key"], strict=True)],
            SectionPrior(
                [str(k) for k in data["prior_keys"]],
                data["prior_weights"].astype(np.float32),
                data["prior_bias"].astype(np.float32),
            )
            if len(data["prior_keys"])
            else None,
        )
