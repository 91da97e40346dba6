"""Replay a recording: the pipeline runs for real; model calls are answered from the recording.

A case is stale when what the pipeline does now is not what was recorded: its input changed, it made a
model call the recording cannot answer (the request's fingerprint is unknown: a prompt, the retrieved
passages or a model setting changed), it made fewer calls than recorded, or its outputs (retrieved
chunk ids, reply, citations) differ. Stale cases are reported, never silently answered some other way.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.knowledge.chunking import Chunk
from evals.cases import DATASETS_DIR, Case, load_cases
from evals.harness import DEFAULT_DATA_DIR, CaseRun, build_eval_services, eval_settings, run_all
from evals.providers import make_eval_model
from evals.recorders import ReplayChatModel
from evals.recordings import Recording, knowledge_hashes, prompt_hashes, read_recording

if TYPE_CHECKING:
    from assistant.retrieval.embeddings import Embedder


@dataclass(frozen=True)
class StaleCase:
    dataset: str
    case_id: str
    why: str


@dataclass
class ReplayResult:
    recording: Recording
    cases: dict[str, list[Case]]
    runs: dict[str, list[CaseRun]]
    stale: list[StaleCase] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    chunks: dict[str, Chunk] = field(default_factory=dict)  # the index the replay ran on, by chunk id


def call_key(dataset: str, case_id: str) -> str:
    return f"{dataset}/{case_id}"


def replay(
    directory: Path,
    *,
    data_dir: Path = DEFAULT_DATA_DIR,
    embedder: Embedder | None = None,
    knowledge_dir: Path | None = None,
    prompts_dir: Path | None = None,
    datasets_dir: Path = DATASETS_DIR,
    only: Collection[str] | None = None,
) -> ReplayResult:
    """Replay ``directory``; ``only`` restricts the run to these case ids (a quick subset)."""
    recording = read_recording(directory)
    manifest = recording.manifest
    settings = eval_settings(
        data_dir,
        provider=manifest.provider,
        model=manifest.model,
        knowledge_dir=knowledge_dir,
        prompts_dir=prompts_dir,
    )
    reference = make_eval_model(settings, manifest.max_tokens)
    replayer = None
    if reference is not None:
        recorded_calls = {
            call_key(dataset, case_id): case.get("calls", [])
            for dataset, cases in recording.cases.items()
            for case_id, case in cases.items()
        }
        replayer = ReplayChatModel(reference=reference, recorded=recorded_calls)
    services, probe = build_eval_services(settings, replayer, embedder)
    result = ReplayResult(recording, {}, {})
    if recording.makes_model_calls:
        result.notes += _changes("prompt", manifest.prompts, prompt_hashes(settings.prompts_dir))
    result.notes += _changes("guideline", manifest.knowledge, knowledge_hashes(settings.knowledge_dir))
    try:
        result.chunks = {chunk.id: chunk for chunk in services.store.all_chunks()}
        for dataset, recorded in recording.cases.items():
            cases = [c for c in load_cases(dataset, datasets_dir) if only is None or c.id in only]
            if not manifest.complete and set(recorded) < {c.id for c in cases}:
                every = len(cases)
                cases = [c for c in cases if c.id in recorded]
                result.notes.append(
                    f"incomplete recording: {len(cases)} of {every} {dataset} cases were recorded; "
                    "only those are evaluated"
                )

            def before(case: Case, dataset: str = dataset) -> None:
                if replayer is not None:
                    replayer.start_case(call_key(dataset, case.id))

            runs = run_all(services.qa, probe, cases, before=before)
            result.cases[dataset], result.runs[dataset] = cases, runs
            for case, run in zip(cases, runs, strict=True):
                why = _staleness(case, run, recorded.get(case.id), replayer, call_key(dataset, case.id))
                if why:
                    result.stale.append(StaleCase(dataset, case.id, why))
            if only is None:
                current = {case.id for case in cases}
                result.stale += [
                    StaleCase(dataset, case_id, "recorded, but no longer in the dataset")
                    for case_id in sorted(set(recorded) - current)
                ]
    finally:
        services.close()
    return result


def _staleness(
    case: Case, run: CaseRun, recorded: dict[str, Any] | None, replayer: ReplayChatModel | None, key: str
) -> str:
    if recorded is None:
        return "not in the recording (a case added since it was made)"
    if recorded["input_sha256"] != case.input_sha256:
        return "the case's text or role changed since it was recorded"
    if replayer is not None:
        misses = [m for m in replayer.misses if m.case_id == key]
        if misses:
            return f"model call {misses[0].fingerprint[:12]} has no recorded answer: {misses[0].why}"
        if replayer.unused_calls(key):
            return f"{replayer.unused_calls(key)} recorded model call(s) were not made by the pipeline"
    live = run.outputs()
    was = {k: recorded.get(k) for k in live}
    if live != was:
        return _first_output_difference(was, live)
    return ""


def _first_output_difference(was: dict[str, Any], now: dict[str, Any]) -> str:
    for key in ("status", "rejection", "retrieved"):
        if was[key] != now[key]:
            return f"{key} changed: recorded {_short(was[key])}, now {_short(now[key])}"
    before, after = was["reply"] or {}, now["reply"] or {}
    for key in ("provider", "in_scope", "fallback", "citations", "text"):
        if before.get(key) != after.get(key):
            return f"reply {key} changed: recorded {_short(before.get(key))}, now {_short(after.get(key))}"
    return "outputs changed"


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _changes(kind: str, recorded: dict[str, str], current: dict[str, str]) -> list[str]:
    """Files that differ from the recording's (a hint at why cases went stale)."""
    return [
        f"{kind} {name} changed since recording (sha256 {recorded[name][:12]} -> {current.get(name, 'missing')[:12]})"
        for name in sorted(recorded)
        if recorded[name] != current.get(name)
    ] + [f"{kind} {name} was added since recording" for name in sorted(set(current) - set(recorded))]
