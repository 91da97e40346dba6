"""Train the answer heads (reranker, selector, scope, follow-up, risk) from the labelled question sets.

The rows of each head are built by :class:`assistant.answers.plan.Answerer`'s own stages over a fresh
index of ``knowledge/``, so training and serving share one feature code path. Each head is a
standardised logistic regression; C is chosen on the dev split by the head's own figure, and so is
its threshold. Deterministic: the same sets, index and packages give the same weights.
"""

from __future__ import annotations

import hashlib
import random
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answers.memory import (
    IN_SCOPE,
    OUT_OF_SCOPE,
    RISK,
    SAFE,
    QuestionMemory,
    SectionPrior,
    section_key,
    sentence_key,
)
from assistant.answers.model import HEADS, AnswerModel, LogisticHead
from assistant.answers.plan import Analysis, Answerer, followup_row, join_turns
from assistant.answers.risk import risk_row
from assistant.knowledge.ingest import ingest_paths
from assistant.retrieval.embeddings import Embedder
from assistant.retrieval.hybrid import HybridRetriever
from assistant.retrieval.store import make_vector_store
from evals.question_sets import KNOWLEDGE, load_rows, normalise, sections

SPLIT_SEED = "tandem-questions-2026-12-07"
SPLIT_SHARES = (("train", 0.7), ("dev", 0.15), ("test", 0.15))
AUDIENCE: str | None = None
"""Retrieval is not filtered by a document's audience for any role (see ``QAService.plan``); training matches."""
C_GRID = (0.02, 0.1, 0.5)
FOLDS = 5


def split_of(row_id: str) -> str:
    """A row's split, fixed by its id and the seed: adding rows never moves an existing one."""
    value = int(hashlib.sha256(f"{SPLIT_SEED}:{row_id}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    edge = 0.0
    for name, share in SPLIT_SHARES:
        edge += share
        if value < edge:
            return name
    return SPLIT_SHARES[-1][0]


def fold_of(row_id: str) -> int:
    return int(hashlib.sha256(f"fold:{row_id}".encode()).hexdigest()[:8], 16) % FOLDS


def rows_of(split: str, rows: Sequence[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    return [row for row in (rows if rows is not None else load_rows()) if split_of(row["id"]) == split]


@contextmanager
def fresh_answerer(
    embedder: Embedder, model: AnswerModel | None = None, memory: QuestionMemory | None = None
) -> Iterator[Answerer]:
    """An answerer over a new index of the shipped guidelines, in a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        store = make_vector_store("", Path(folder), "guidelines")
        ingest_paths([KNOWLEDGE], store, embedder)
        yield Answerer(HybridRetriever(store, embedder), model or placeholder_model(), memory or QuestionMemory())


def memory_text(row: dict[str, Any]) -> str:
    if row["kind"] == "followup":
        return join_turns(row["turns"][0], row["turns"][1])
    return str(row.get("question") or row.get("text"))


def build_memory(rows: Sequence[dict[str, Any]], embedder: Embedder) -> QuestionMemory:
    """The memory of ``rows`` (the train split: dev and test never enter it)."""
    vectors = np.asarray(embedder.embed([memory_text(r) for r in rows]), np.float32)
    sections, scopes, pairs = [], [], []
    for index, row in enumerate(rows):
        answerable = row["kind"] in ("single", "followup")
        sections.append(section_key(row["source"], row["section"]) if answerable else "")
        if answerable:
            scopes.append(IN_SCOPE)
            pairs += [(index, sentence_key(a)) for a in row["answers"]]
        elif row["kind"] == "out_of_scope":
            scopes.append(OUT_OF_SCOPE)
        else:
            scopes.append(SAFE if row["risk"] == "none" else RISK)
    return QuestionMemory(vectors, sections, scopes, pairs, fit_prior(vectors, sections, embedder))


PRIOR_C = 10.0


def fit_prior(vectors: np.ndarray, keys: Sequence[str], embedder: Embedder) -> SectionPrior:
    """The section softmax over the questions' vectors plus every section's own sentences and heading."""
    from sklearn.linear_model import LogisticRegression

    texts, labels = [], []
    for (source, section), sentences in sections().items():
        for text in [*sentences, section]:
            texts.append(text)
            labels.append(section_key(source, section))
    pseudo = np.asarray(embedder.embed(texts), np.float32)
    answerable = [i for i, key in enumerate(keys) if key]
    x = np.vstack([vectors[answerable], pseudo])
    y = [keys[i] for i in answerable] + labels
    model = LogisticRegression(C=PRIOR_C, max_iter=3000)
    model.fit(x, y)
    return SectionPrior(
        [str(c) for c in model.classes_], model.coef_.astype(np.float32), model.intercept_.astype(np.float32)
    )


def placeholder_model() -> AnswerModel:
    flat = LogisticHead(np.zeros(1, np.float32), 0.0, 0.5, np.zeros(1, np.float32), np.ones(1, np.float32))
    return AnswerModel(dict.fromkeys(HEADS, flat), {})


def query_of(row: dict[str, Any]) -> tuple[str, str, str | None]:
    """(retrieval query, cue text, audience) of an answerable row."""
    if row["kind"] == "followup":
        return join_turns(row["turns"][0], row["turns"][1]), row["turns"][1], AUDIENCE
    return row["question"], row["question"], AUDIENCE


def is_gold(row: dict[str, Any], source: str, section: str) -> bool:
    return row.get("source") == source and row.get("section") == section


def answers_sentence(row: dict[str, Any], text: str) -> bool:
    sentence = normalise(text)
    return any(normalise(a) in sentence or sentence in normalise(a) for a in row.get("answers", []))


@dataclass
class Fitted:
    head: LogisticHead
    C: float
    dev_figure: float


def fit(x: np.ndarray, y: np.ndarray, C: float) -> LogisticHead:
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    model = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
    model.fit((x - mean) / scale, y)
    return LogisticHead(
        model.coef_[0].astype(np.float32),
        float(model.intercept_[0]),
        0.5,
        mean.astype(np.float32),
        scale.astype(np.float32),
    )


def choose_c(
    x: np.ndarray, y: np.ndarray, figure: Callable[[LogisticHead], float], grid: Sequence[float] = C_GRID
) -> Fitted:
    best: Fitted | None = None
    for C in grid:
        head = fit(x, y, C)
        value = figure(head)
        if best is None or value > best.dev_figure + 1e-9:
            best = Fitted(head, C, value)
    assert best is not None
    return best


def top1_rate(
    head: LogisticHead,
    rows: Sequence[dict[str, Any]],
    matrix: Callable[[dict[str, Any]], np.ndarray],
    right: Callable[[dict[str, Any], int], bool],
) -> float:
    """The share of ``rows`` whose best-scored candidate is right (a row with no candidate is a miss)."""
    hits = 0
    for row in rows:
        x = matrix(row)
        if len(x):
            hits += right(row, int(np.argmax(head.probabilities(x))))
    return hits / max(len(rows), 1)


def with_threshold(head: LogisticHead, threshold: float) -> LogisticHead:
    return LogisticHead(head.weights, head.bias, float(threshold), head.mean, head.scale)


class Trainer:
    """Train rows read a memory without their own fold (stacking), dev and test rows the whole train memory."""

    def __init__(self, answerer: Answerer, rows: Sequence[dict[str, Any]]) -> None:
        self.answerer = answerer
        self.rows = list(rows)
        self.split = {row["id"]: split_of(row["id"]) for row in self.rows}
        train = [r for r in self.rows if self.split[r["id"]] == "train"]
        embedder = answerer.retriever.embedder
        self.memory = build_memory(train, embedder)
        folds = np.array([fold_of(r["id"]) for r in train])
        self.fold_memory = {}
        for fold in range(FOLDS):
            kept = self.memory.subset(np.flatnonzero(folds != fold))
            kept.prior = fit_prior(kept.vectors, kept.sections, embedder)
            self.fold_memory[fold] = kept
        self.answerable = [r for r in self.rows if r["kind"] in ("single", "followup")]
        self.analyses: dict[str, Analysis] = {}
        self.log: dict[str, Any] = {}
        self.thresholds: dict[str, float] = {}

    def of(self, split: str, kinds: Sequence[str]) -> list[dict[str, Any]]:
        return [r for r in self.rows if self.split[r["id"]] == split and r["kind"] in kinds]

    def memory_for(self, row: dict[str, Any]) -> QuestionMemory:
        return self.fold_memory[fold_of(row["id"])] if self.split[row["id"]] == "train" else self.memory

    def analysis(self, row: dict[str, Any]) -> Analysis:
        if row["id"] not in self.analyses:
            self.answerer.memory = self.memory_for(row)
            if row["kind"] == "out_of_scope":
                query, cue, audience = row["question"], row["question"], AUDIENCE
            else:
                query, cue, audience = query_of(row)
            self.analyses[row["id"]] = self.answerer.candidates(query, cue, audience)
        return self.analyses[row["id"]]

    def set_head(self, name: str, head: LogisticHead) -> None:
        self.answerer.model = AnswerModel({**self.answerer.model.heads, name: head}, {})

    # --- reranker -----------------------------------------------------------------------------------
    def train_rerank(self) -> LogisticHead:
        def stack(rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
            xs, ys = [], []
            for row in rows:
                analysis = self.analysis(row)
                labels = [is_gold(row, c.chunk.source, c.chunk.section) for c in analysis.candidates]
                if any(labels):
                    xs.append(analysis.chunk_rows)
                    ys.extend(labels)
            return np.concatenate(xs), np.asarray(ys, dtype=int)

        train_rows = self.of("train", ("single", "followup"))
        dev_rows = self.of("dev", ("single", "followup"))
        x, y = stack(train_rows)

        def right_section(row: dict[str, Any], best: int) -> bool:
            chunk = self.analysis(row).candidates[best].chunk
            return is_gold(row, chunk.source, chunk.section)

        fitted = choose_c(
            x, y, lambda head: top1_rate(head, dev_rows, lambda r: self.analysis(r).chunk_rows, right_section)
        )
        self.log["rerank"] = {"C": fitted.C, "dev_section_at_1": round(fitted.dev_figure, 4), "rows": len(y)}
        self.set_head("rerank", fitted.head)
        for row in self.answerable:
            self.answerer.rerank(self.analysis(row))
            self.answerer.sentence_rows(self.analysis(row))
        return fitted.head

    # --- selector -----------------------------------------------------------------------------------
    def train_select(self) -> LogisticHead:
        def labels(row: dict[str, Any]) -> list[bool]:
            analysis = self.analysis(row)
            return [
                is_gold(row, s.chunk.source, s.chunk.section) and answers_sentence(row, s.text)
                for s in analysis.sentences
            ]

        train_rows = [r for r in self.of("train", ("single", "followup")) if any(labels(r))]
        dev_rows = self.of("dev", ("single", "followup"))
        x = np.concatenate([self.analysis(r).sentence_rows for r in train_rows])
        y = np.asarray([label for r in train_rows for label in labels(r)], dtype=int)

        fitted = choose_c(
            x,
            y,
            lambda head: top1_rate(
                head, dev_rows, lambda r: self.analysis(r).sentence_rows, lambda r, best: labels(r)[best]
            ),
        )
        # supports: the threshold with the best F1 over the non-lead sentences of dev
        scored = []
        for row in dev_rows:
            analysis = self.analysis(row)
            if not analysis.sentences:
                continue
            p = fitted.head.probabilities(analysis.sentence_rows)
            lead = int(np.argmax(p))
            scored += [(float(p[i]), label) for i, label in enumerate(labels(row)) if i != lead]
        threshold = best_f1_threshold(scored)
        head = with_threshold(fitted.head, threshold)
        self.log["select"] = {"C": fitted.C, "dev_lead_is_answer": round(fitted.dev_figure, 4), "threshold": threshold}
        self.set_head("select", head)
        for row in self.answerable:
            self.answerer.select(self.analysis(row))
            self.answerer.scope_row(self.analysis(row), query_of(row)[0])
        return head

    # --- scope --------------------------------------------------------------------------------------
    def scope_rows(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        xs, ys = [], []
        for row in self.of(split, ("single", "followup", "out_of_scope")):
            if row["kind"] == "out_of_scope":
                analysis = self.analysis(row)
                if not len(analysis.scope_row):
                    self.answerer.rerank(analysis)
                    self.answerer.sentence_rows(analysis)
                    self.answerer.select(analysis)
                    self.answerer.scope_row(analysis, row["question"])
            else:
                analysis = self.analysis(row)
            xs.append(analysis.scope_row)
            ys.append(int(row["kind"] != "out_of_scope"))
        return np.stack(xs), np.asarray(ys, dtype=int)

    def train_scope(self) -> LogisticHead:
        x, y = self.scope_rows("train")
        dx, dy = self.scope_rows("dev")

        fitted = choose_c(x, y, lambda head: auc_of(head.probabilities(dx), dy), grid=(0.05, 0.2, 1.0))
        p = fitted.head.probabilities(dx)
        # the highest threshold that still answers at least 98.5% of dev's answerable questions
        threshold = float(np.quantile(p[dy == 1], 0.015)) if (dy == 1).any() else 0.5
        threshold = min(max(threshold, 0.05), 0.95)
        head = with_threshold(fitted.head, threshold)
        declined = float(np.mean(p[dy == 0] < threshold)) if (dy == 0).any() else 1.0
        self.log["scope"] = {"C": fitted.C, "threshold": round(threshold, 4), "dev_oos_declined": round(declined, 4)}
        self.set_head("scope", head)
        for row in self.rows:
            if row["id"] in self.analyses:
                self.answerer.scope(self.analyses[row["id"]])
        return head

    # --- follow-ups ---------------------------------------------------------------------------------
    def followup_rows(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        positives = self.of(split, ("followup",))
        singles = self.of(split, ("single",))
        pool = [r for r in self.rows if r["kind"] == "single"]
        rng = random.Random(f"{SPLIT_SEED}:{split}")
        xs, ys = [], []
        for row in positives:
            self.answerer.memory = self.memory_for(row)
            xs.append(self._followup_row(row["turns"][1], row["turns"][0]))
            ys.append(1)
        for row in singles:
            previous = rng.choice(pool)
            if previous["id"] == row["id"]:
                continue
            self.answerer.memory = self.memory_for(row)
            xs.append(self._followup_row(row["question"], previous["question"]))
            ys.append(0)
        return np.stack(xs), np.asarray(ys, dtype=int)

    def _followup_row(self, text: str, previous: str) -> np.ndarray:
        alone = self.answerer.analyse(text, text, AUDIENCE)
        joined = self.answerer.analyse(join_turns(previous, text), text, AUDIENCE)
        return followup_row(text, previous, alone, joined)

    def train_followup(self) -> LogisticHead:
        x, y = self.followup_rows("train")
        dx, dy = self.followup_rows("dev")

        def accuracy(head: LogisticHead) -> float:
            p = head.probabilities(dx)
            return float(np.mean(p[dy == 1] >= 0.5) + np.mean(p[dy == 0] < 0.5)) / 2

        fitted = choose_c(x, y, accuracy, grid=(0.1, 1.0, 10.0))
        p = fitted.head.probabilities(dx)
        threshold = best_f1_threshold(list(zip(map(float, p), map(bool, dy), strict=True)))
        head = with_threshold(fitted.head, threshold)
        self.log["followup"] = {"C": fitted.C, "threshold": threshold, "dev_balanced": round(fitted.dev_figure, 4)}
        self.set_head("followup", head)
        return head

    # --- risk ---------------------------------------------------------------------------------------
    def risk_rows(self, split: str) -> tuple[np.ndarray, np.ndarray]:
        chosen = self.of(split, ("risk", "single", "out_of_scope"))
        texts = [row.get("text") or row["question"] for row in chosen]
        ys = [int(row["kind"] == "risk" and row["risk"] != "none") for row in chosen]
        vectors = self.answerer.retriever.embedder.embed(texts)
        x = [risk_row(v, t, self.memory_for(r)) for v, t, r in zip(vectors, texts, chosen, strict=True)]
        return np.stack(x), np.asarray(ys, dtype=int)

    def train_risk(self) -> LogisticHead:
        x, y = self.risk_rows("train")
        dx, dy = self.risk_rows("dev")

        fitted = choose_c(x, y, lambda head: auc_of(head.probabilities(dx), dy), grid=(0.02, 0.05, 0.2, 1.0))
        p = fitted.head.probabilities(dx)
        negatives = np.sort(p[dy == 0])
        # possible (the steps lead, the answer follows): above all but 6% of dev's ordinary messages, so a
        # false alarm costs one paragraph 6 times in 100; certain (the steps alone): all but 0.5%
        threshold = quantile_above(negatives, 0.94)
        certain = quantile_above(negatives, 0.995)
        certain = max(certain, threshold)
        head = with_threshold(fitted.head, threshold)
        self.log["risk"] = {
            "C": fitted.C,
            "threshold": round(threshold, 4),
            "certain": round(certain, 4),
            "dev_auc": round(fitted.dev_figure, 4),
            "dev_flagged_ordinary": round(float(np.mean(negatives >= threshold)), 4),
            "dev_recall_certain": round(float(np.mean(p[dy == 1] >= certain)), 4),
            "dev_recall": round(float(np.mean(p[dy == 1] >= threshold)), 4),
        }
        self.thresholds["risk_certain"] = round(certain, 4)
        self.set_head("risk", head)
        return head

    def train(self) -> AnswerModel:
        heads = {
            "rerank": self.train_rerank(),
            "select": self.train_select(),
            "scope": self.train_scope(),
            "followup": self.train_followup(),
            "risk": self.train_risk(),
        }
        counts: dict[str, int] = {}
        for row in self.rows:
            if self.split[row["id"]] == "train":
                counts[row["kind"]] = counts.get(row["kind"], 0) + 1
        return AnswerModel(heads, {"trained_on": counts, "dev": self.log, "thresholds": self.thresholds})


def quantile_above(sorted_values: np.ndarray, share: float) -> float:
    """A threshold just above ``share`` of the values (0.5 when there are none)."""
    if not len(sorted_values):
        return 0.5
    return float(sorted_values[min(int(np.ceil(share * len(sorted_values))) - 1, len(sorted_values) - 1)]) + 1e-4


def auc_of(p: np.ndarray, y: np.ndarray) -> float:
    """The probability that a positive scores above a negative (ties count half)."""
    positives, negatives = p[y == 1], p[y == 0]
    if not len(positives) or not len(negatives):
        return 0.0
    above = positives[:, None] > negatives[None, :]
    ties = positives[:, None] == negatives[None, :]
    return float(np.mean(above + 0.5 * ties))


def best_f1_threshold(scored: Sequence[tuple[float, bool]]) -> float:
    if not any(label for _, label in scored):
        return 0.5
    best, best_f1 = 0.5, -1.0
    for threshold in np.linspace(0.05, 0.95, 91):
        tp = sum(1 for p, label in scored if p >= threshold and label)
        fp = sum(1 for p, label in scored if p >= threshold and not label)
        fn = sum(1 for p, label in scored if p < threshold and label)
        f1 = 2 * tp / max(2 * tp + fp + fn, 1)
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(round(threshold, 2)), f1
    return best


def train_answer_model(
    embedder: Embedder, rows: Sequence[dict[str, Any]] | None = None
) -> tuple[AnswerModel, QuestionMemory]:
    """The trained heads and the memory they read (the train split's questions)."""
    with fresh_answerer(embedder) as answerer:
        trainer = Trainer(answerer, rows if rows is not None else load_rows())
        return trainer.train(), trainer.memory
