"""The answer heads' own cost per question: candidate features, then rerank + select + scope.

usage: python -m bench.answers   (a fresh index in a temporary folder; prints one row per stage)
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from assistant.config import PROJECT_ROOT, Settings
from assistant.services import build_services
from bench.latency import clear_caches, qa_questions
from bench.stats import p50, p95


def measure(services_dir: Path) -> dict[str, list[float]]:
    settings = Settings(_env_file=None, data_dir=services_dir, knowledge_dir=PROJECT_ROOT / "knowledge")  # type: ignore[call-arg]
    services = build_services(settings)
    services.ensure_knowledge()
    questions = qa_questions()
    for question in questions[:10]:  # warm the model and the heading vectors
        services.qa.plan(question, "mentee")
    stages: dict[str, list[float]] = {}
    for question in questions:
        clear_caches(services)
        started = time.perf_counter()
        plan = services.qa.plan(question, "mentee")
        whole = (time.perf_counter() - started) * 1000
        stages.setdefault("whole plan (embed, retrieve, features, heads)", []).append(whole)
        for name, ms in plan.analysis.timings_ms.items():
            stages.setdefault(name, []).append(ms)
    services.close()
    return stages


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        stages = measure(Path(folder))
    for name, values in stages.items():
        print(f"{name:<48} p50 {p50(values):6.2f} ms  p95 {p95(values):6.2f} ms  (n={len(values)})")


if __name__ == "__main__":
    main()
