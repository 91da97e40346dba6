"""``python -m bench.judgments``: milliseconds per judgment, warm, one at a time, on the dev split's texts.

Each figure is the whole call a contract makes (validation, one uncached embedding, features, the
heads, the "why"); the embedder's cache is cleared before every call so repeated texts cannot help.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from assistant.config import PROJECT_ROOT
from assistant.judgments import datasets
from assistant.retrieval.embeddings import get_embedder
from bench.stats import p50, p95

KNOWLEDGE = PROJECT_ROOT / "knowledge"


def timed(texts: list[str], judge: Callable[[str], object]) -> list[float]:
    embedder = get_embedder()
    judge(texts[0])
    out = []
    for text in texts:
        embedder.clear_cache()
        start = time.perf_counter()
        judge(text)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    from assistant.coaching.feedback import check_feedback
    from assistant.coaching.goals import check_goal
    from assistant.privacy.anonymize import Anonymizer
    from assistant.themes.classify import ThemeClassifier

    classifier = ThemeClassifier(None, get_embedder())
    anonymizer = Anonymizer()
    runs = {
        "goal check (SMART)": ("goals", lambda t: check_goal(t, KNOWLEDGE)),
        "feedback check (SBI)": ("feedback", lambda t: check_feedback(t, KNOWLEDGE)),
        "themes classify": ("themes", classifier.classify),
        "anonymize": ("pii", anonymizer.anonymize),
    }
    print("| judgment | texts | p50 ms | p95 ms | max ms |")
    print("|---|---|---|---|---|")
    for name, (dataset, judge) in runs.items():
        texts = [row["text"] for row in datasets.load(dataset, split="dev")]
        ms = timed(texts, judge)
        print(f"| {name} | {len(ms)} | {p50(ms):.1f} | {p95(ms):.1f} | {max(ms):.1f} |")


if __name__ == "__main__":
    main()
