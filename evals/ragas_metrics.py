"""The ragas 0.4 metrics that need no language model: ID-based context recall/precision and text overlap.

Text metrics come from ``ragas.metrics.collections`` (RougeScore, BleuScore, CHRFScore,
NonLLMStringSimilarity); each needs a package of its own (rouge-score, sacrebleu, rapidfuzz). One that
cannot be imported is skipped and named in the report, never silently dropped. The ID-based metrics
are the legacy ``SingleTurnMetric`` classes (ragas 0.4.3 has no collections version of them yet).

ragas sends usage analytics from a background thread unless ``RAGAS_DO_NOT_TRACK`` is true; an eval
must not phone home, so it is set before ragas is imported.
"""

from __future__ import annotations

import asyncio
import math
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


def _quiet_ragas() -> None:
    os.environ["RAGAS_DO_NOT_TRACK"] = "true"


@dataclass
class TextScores:
    """Per-metric lists of scores (one per pair), and the metrics skipped with the reason."""

    scores: dict[str, list[float]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def _text_metrics() -> tuple[dict[str, Any], dict[str, str]]:
    _quiet_ragas()
    from ragas.metrics import collections as rc

    factories = {
        "rouge_l": lambda: rc.RougeScore(rouge_type="rougeL", mode="fmeasure"),
        "bleu": lambda: rc.BleuScore(),
        "chrf": lambda: rc.CHRFScore(),
        "string_similarity": lambda: rc.NonLLMStringSimilarity(distance_measure=rc.DistanceMeasure.LEVENSHTEIN),
    }
    metrics, skipped = {}, {}
    for name, factory in factories.items():
        try:
            metric = factory()
            asyncio.run(metric.ascore(reference="probe text", response="probe text"))  # imports its package
        except ImportError as exc:
            skipped[name] = str(exc).split(". ")[0]
            continue
        metrics[name] = metric
    return metrics, skipped


def text_scores(pairs: Sequence[tuple[str, str]]) -> TextScores:
    """Scores of each (reference, response) pair on every available text metric."""
    metrics, skipped = _text_metrics()

    async def score_all() -> dict[str, list[float]]:
        result = {}
        for name, metric in metrics.items():
            values = await asyncio.gather(*(metric.ascore(reference=r, response=a) for r, a in pairs))
            result[name] = [float(v.value) for v in values]
        return result

    return TextScores(asyncio.run(score_all()), skipped)


def id_context_scores(samples: Sequence[tuple[Sequence[str], Sequence[str]]]) -> dict[str, list[float]]:
    """ragas IDBasedContextRecall and IDBasedContextPrecision of (retrieved ids, reference ids) pairs.

    An undefined score (nothing retrieved, for example a request declined before retrieval) counts 0.
    """
    _quiet_ragas()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from ragas.dataset_schema import SingleTurnSample
        from ragas.metrics import IDBasedContextPrecision, IDBasedContextRecall

    recall, precision = IDBasedContextRecall(), IDBasedContextPrecision()

    async def score(metric: Any, retrieved: Sequence[str], reference: Sequence[str]) -> float:
        if not retrieved:
            return 0.0
        sample = SingleTurnSample(retrieved_context_ids=list(retrieved), reference_context_ids=list(reference))
        value = float(await metric.single_turn_ascore(sample))
        return 0.0 if math.isnan(value) else value

    async def score_all() -> dict[str, list[float]]:
        return {
            "context_recall": [await score(recall, r, ref) for r, ref in samples],
            "context_precision": [await score(precision, r, ref) for r, ref in samples],
        }

    return asyncio.run(score_all())
