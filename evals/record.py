"""Record every QA and safety case through the real pipeline, with the real provider's answers."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evals.cases import DATASETS_DIR, RECORDED_DATASETS, Case, load_cases
from evals.harness import DEFAULT_DATA_DIR, PINNED_DEFAULTS, CaseRun, build_eval_services, eval_settings, run_all
from evals.providers import ProviderSpec, make_eval_model
from evals.recorders import RecordingChatModel, Scrubber
from evals.recordings import MANIFEST, Manifest, Recording, read_recording, write_recording

if TYPE_CHECKING:
    from assistant.retrieval.embeddings import Embedder

RECORDINGS_DIR = Path(__file__).resolve().parent / "recordings"
Progress = Callable[[Case, CaseRun, float], None]


def default_scrubber() -> Scrubber | None:
    """The project's anonymizer (names of the safety set's roster included), or None if it is unavailable."""
    try:
        from assistant.privacy.anonymize import Anonymizer
    except ImportError:
        return None
    import yaml

    roster = yaml.safe_load((DATASETS_DIR / "roster.yaml").read_text(encoding="utf-8")).get("roster") or []
    return Anonymizer(roster).scrub


def record(
    spec: ProviderSpec,
    *,
    out_dir: Path = RECORDINGS_DIR,
    name: str | None = None,
    datasets: Sequence[str] = RECORDED_DATASETS,
    data_dir: Path = DEFAULT_DATA_DIR,
    scrub: Scrubber | None = None,
    limit: int | None = None,
    only: Collection[str] | None = None,
    embedder: Embedder | None = None,
    knowledge_dir: Path | None = None,
    prompts_dir: Path | None = None,
    datasets_dir: Path = DATASETS_DIR,
    progress: Progress | None = None,
    resume: bool = False,
) -> Path:
    """Run the cases, write ``out_dir/<name>/`` and return that folder.

    ``limit`` keeps the first N cases of each dataset and ``only`` the cases with these ids. Such a
    recording, or one that was interrupted, is marked incomplete: a replay evaluates the recorded
    cases only and its report says how many were left out. ``resume`` keeps the cases an earlier run
    of the same recording stored (same provider, model, prompts, guidelines and settings) and records
    only the others.
    """
    api_key = os.environ.get(spec.api_key_env, "") if spec.api_key_env else ""
    settings = eval_settings(
        data_dir,
        provider=spec.provider,
        model=spec.model,
        base_url=spec.base_url,
        api_key=api_key,
        timeout_seconds=spec.timeout_seconds,
        knowledge_dir=knowledge_dir,
        prompts_dir=prompts_dir,
    )
    inner = make_eval_model(settings, spec.max_tokens)
    recorder = RecordingChatModel(inner=inner, scrub=scrub) if inner is not None else None
    services, probe = build_eval_services(settings, recorder, embedder)
    started: dict[str, float] = {}

    def before(case: Case) -> None:
        started[case.id] = time.perf_counter()

    def after(case: Case, run: CaseRun) -> None:
        if recorder is not None:
            run.calls = recorder.take_calls()
        if progress is not None:
            progress(case, run, time.perf_counter() - started[case.id])

    manifest = Manifest.describe(
        name=name or spec.default_name,
        provider=spec.provider,
        model=spec.model,
        base_url=spec.base_url,
        max_tokens=spec.max_tokens,
        datasets=list(datasets),
        prompts_dir=settings.prompts_dir,
        knowledge_dir=settings.knowledge_dir,
        settings={field: getattr(settings, field) for field in PINNED_DEFAULTS if field not in ("chroma_url",)},
        scrubbed=scrub is not None,
        datasets_dir=datasets_dir,
    )
    directory = out_dir / manifest.name
    runs: dict[str, list[dict[str, Any]]] = {dataset: [] for dataset in datasets}
    if resume and (directory / MANIFEST).is_file():
        runs = resume_from(read_recording(directory), manifest)
    done = {(dataset, case["id"]) for dataset, cases in runs.items() for case in cases}

    def checkpoint(case: Case, run: CaseRun) -> None:
        """Write after every case: an interrupted recording keeps what it has, marked incomplete."""
        after(case, run)
        runs[case.dataset].append(run.to_record())
        write_recording(directory, manifest, runs)

    try:
        for dataset in datasets:
            cases = [c for c in load_cases(dataset, datasets_dir) if only is None or c.id in only][:limit]
            todo = [c for c in cases if (dataset, c.id) not in done]
            run_all(services.qa, probe, todo, before=before, after=checkpoint)
    finally:
        services.close()
    manifest.complete = all(
        {c.id for c in load_cases(dataset, datasets_dir)} <= {case["id"] for case in runs.get(dataset, [])}
        for dataset in manifest.datasets
    )
    write_recording(directory, manifest, runs)
    return directory


RESUME_MUST_MATCH = ("provider", "model", "max_tokens", "prompts", "knowledge", "settings", "chunker_version")


def resume_from(previous: Recording, manifest: Manifest) -> dict[str, list[dict[str, Any]]]:
    """The earlier run's cases, if it was made under the same conditions; ``manifest`` absorbs its datasets."""
    old = previous.manifest
    for name in RESUME_MUST_MATCH:
        if getattr(old, name) != getattr(manifest, name):
            raise ValueError(f"cannot resume {previous.directory}: its {name} differs; record it afresh")
    for dataset, digest in old.datasets.items():
        if manifest.datasets.get(dataset, digest) != digest:
            raise ValueError(f"cannot resume {previous.directory}: {dataset}.yaml changed; record it afresh")
    manifest.datasets = {**old.datasets, **manifest.datasets}
    manifest.recorded_at = old.recorded_at
    return {dataset: list(previous.cases.get(dataset, {}).values()) for dataset in manifest.datasets}
