"""``tandem eval ...``: record answers, replay them offline against thresholds, compare providers.

The eval suite (``evals/``) lives in the repository next to its datasets, not in the installed package,
so these commands run from a clone (an editable install finds it there).
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.commands.common import console, errors, fail, load_settings, print_json
from assistant.config import PROJECT_ROOT

if TYPE_CHECKING:
    from evals.cases import Case
    from evals.harness import CaseRun

RECORDINGS = PROJECT_ROOT / "evals" / "recordings"


def register(app: typer.Typer) -> None:
    eval_app = typer.Typer(help="Evaluate answers on recorded responses (offline, for CI).", no_args_is_help=True)
    eval_app.command("record")(record)
    eval_app.command("run")(run)
    eval_app.command("compare")(compare)
    eval_app.command("train")(train)
    eval_app.command("judgments")(judgments)
    eval_app.command("train-answers")(train_answers)
    eval_app.command("answers")(answers)
    eval_app.command("conversations")(conversations)
    eval_app.command("rederive")(rederive)
    app.add_typer(eval_app, name="eval")


def _require_evals() -> None:
    """The eval suite lives in the repository (``evals/``), importable when Tandem is installed from a clone."""
    try:
        importlib.import_module("evals.cases")
    except ImportError:
        fail("the eval suite is not here: run tandem eval from a clone of the repository (pip install -e .)")


def record(
    provider: Annotated[str, typer.Option(help="offline (the embedded composer) or openai (any compatible URL).")],
    base_url: Annotated[str, typer.Option(help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1.")] = "",
    model: Annotated[str, typer.Option(help="Model name at the endpoint.")] = "",
    api_key_env: Annotated[str, typer.Option(help="Name of the environment variable holding the API key.")] = "",
    max_tokens: Annotated[int | None, typer.Option(help="Cap on each answer's length (slow local models).")] = None,
    timeout: Annotated[float | None, typer.Option(help="Seconds per model request (default: the setting's).")] = None,
    name: Annotated[
        str | None, typer.Option(help="Recording folder name (default: offline or openai-<model>).")
    ] = None,
    datasets: Annotated[str, typer.Option(help="Comma-separated datasets to record.")] = "qa,safety",
    limit: Annotated[int | None, typer.Option(help="Only the first N cases of each dataset (a quick try).")] = None,
    out: Annotated[Path, typer.Option(help="Where recordings go.")] = RECORDINGS,
    data_dir: Annotated[Path | None, typer.Option(help="Index folder (default: data/evals).")] = None,
    scrub: Annotated[bool, typer.Option(help="Anonymize the stored requests' text.")] = True,
    only: Annotated[str | None, typer.Option(help="Comma-separated case ids to record (default: all).")] = None,
    resume: Annotated[bool, typer.Option(help="Keep the cases an interrupted recording stored.")] = False,
) -> None:
    """Run every case through the real pipeline and store the requests, answers and provenance."""
    _require_evals()
    from evals.harness import DEFAULT_DATA_DIR
    from evals.providers import ProviderSpec
    from evals.record import default_scrubber
    from evals.record import record as record_cases

    try:
        spec = ProviderSpec(provider, model, base_url, api_key_env, max_tokens, timeout)
    except ValueError as exc:
        fail(str(exc))
    if api_key_env and api_key_env not in os.environ:
        fail(f"the variable {api_key_env} is not set")

    def progress(case: Case, run: CaseRun, seconds: float) -> None:
        reply = run.reply or {}
        outcome = run.status if run.reply is None else ("fallback" if reply["fallback"] else reply["provider"])
        errors.print(f"{case.dataset} {case.id}: {outcome} ({seconds:.1f}s)", markup=False, highlight=False)

    try:
        directory = record_cases(
            spec,
            out_dir=out,
            name=name,
            datasets=[d.strip() for d in datasets.split(",") if d.strip()],
            data_dir=data_dir or DEFAULT_DATA_DIR,
            scrub=default_scrubber() if scrub and provider != "offline" else None,  # offline sends no request
            limit=limit,
            only={i.strip() for i in only.split(",") if i.strip()} if only else None,
            progress=progress,
            resume=resume,
        )
    except ValueError as exc:
        fail(str(exc))
    console.print(f"recorded {directory}", markup=False, highlight=False)


def rederive(
    recording: Annotated[Path, typer.Argument(help="A recording folder.")],
    reason: Annotated[str, typer.Option(help="Why Tandem's handling changed (kept in the manifest).")],
    data_dir: Annotated[Path | None, typer.Option(help="Index folder (default: data/evals).")] = None,
) -> None:
    """Refresh outputs of cases whose model calls still match (no model call); the rest stay stale."""
    _require_evals()
    from evals.harness import DEFAULT_DATA_DIR
    from evals.recordings import RecordingError
    from evals.rederive import rederive as rederive_outputs

    try:
        refreshed, still_stale = rederive_outputs(recording, reason=reason, data_dir=data_dir or DEFAULT_DATA_DIR)
    except (RecordingError, ValueError) as exc:
        fail(str(exc))
    console.print(
        f"refreshed {len(refreshed)} cases ({', '.join(refreshed) or 'none'}); "
        f"{len(still_stale)} need a new recording ({', '.join(still_stale) or 'none'})",
        markup=False,
        highlight=False,
    )


def run(
    replay: Annotated[
        list[Path] | None, typer.Option("--replay", help="A recording folder (repeatable; default: offline).")
    ] = None,
    report_dir: Annotated[Path | None, typer.Option(help="Where reports go (default: evals/reports).")] = None,
    write: Annotated[bool, typer.Option("--write/--no-write", help="Write the Markdown and JSON reports.")] = True,
    thresholds: Annotated[Path | None, typer.Option(help="Thresholds file (default: evals/thresholds.yaml).")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Index folder (default: data/evals).")] = None,
    live: Annotated[bool, typer.Option(help="Also measure the skill and privacy figures (no model involved).")] = True,
) -> None:
    """Replay recordings with no network, score them and check the thresholds (exit 1 if one is missed)."""
    _require_evals()
    from evals.compare import compare_markdown
    from evals.harness import DEFAULT_DATA_DIR
    from evals.recordings import RecordingError
    from evals.report import REPORTS_DIR, write_report
    from evals.run import LIVE_DATASETS, evaluate_recording
    from evals.thresholds import THRESHOLDS_FILE

    reports = []
    for directory in replay or [RECORDINGS / "offline"]:
        try:
            report = evaluate_recording(
                directory,
                data_dir=data_dir or DEFAULT_DATA_DIR,
                thresholds_path=thresholds or THRESHOLDS_FILE,
                live=LIVE_DATASETS if live else (),
            )
        except RecordingError as exc:
            fail(str(exc))
        reports.append(report)
        _print_summary(report)
        if write:
            paths = write_report(report, report_dir or REPORTS_DIR)
            console.print("wrote " + ", ".join(str(p) for p in paths), markup=False, highlight=False)
    if len(reports) > 1:
        console.print(compare_markdown(reports), markup=False, highlight=False)
    if not all(report["passed"] for report in reports):
        raise typer.Exit(1)


def _print_summary(report: dict[str, Any]) -> None:
    missed = [c for c in report["checks"] if not c["passed"]]
    verdict = "[green]PASSED[/green]" if report["passed"] else "[red]FAILED[/red]"
    console.print(
        f"{verdict} {report['recording']}: {len(report['checks']) - len(missed)}/{len(report['checks'])} "
        f"thresholds met, {len(report['stale'])} stale cases"
    )
    for stale in report["stale"][:20]:
        console.print(f"  stale {stale['dataset']} {stale['case_id']}: {stale['why']}", markup=False, highlight=False)
    for check in missed:
        value = "not measured" if check["value"] is None else f"{check['value']:.3f}"
        bound = ">=" if check["bound"] == "min" else "<="
        console.print(
            f"  missed {check['dataset']}.{check['metric']}: {value} (needs {bound} {check['threshold']:g}) "
            f"{check['note']}",
            markup=False,
            highlight=False,
        )


def compare(
    inputs: Annotated[list[Path], typer.Argument(help="Report .json files or recording folders (replayed).")],
    out: Annotated[Path | None, typer.Option(help="Also write the comparison here.")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Index folder for replays (default: data/evals).")] = None,
) -> None:
    """Side by side: one table per dataset, one column per provider."""
    _require_evals()
    from evals.compare import compare_markdown
    from evals.harness import DEFAULT_DATA_DIR
    from evals.run import evaluate_recording

    reports = []
    for path in inputs:
        if path.is_file() and path.suffix == ".json":
            reports.append(json.loads(path.read_text(encoding="utf-8")))
        elif path.is_dir():
            reports.append(evaluate_recording(path, data_dir=data_dir or DEFAULT_DATA_DIR))
        else:
            fail(f"{path} is neither a report .json nor a recording folder")
    text = compare_markdown(reports)
    if out is not None:
        out.write_text(text, encoding="utf-8")
    console.print(text, markup=False, highlight=False)


def train(
    check: Annotated[
        bool, typer.Option("--check", help="Retrain in memory and fail if the shipped weights differ.")
    ] = False,
) -> None:
    """Retrain the judgment heads (SMART, SBI, themes) from evals/datasets/judgments, deterministically."""
    from assistant.judgments.datasets import DatasetError
    from assistant.judgments.model import WEIGHTS_FILE
    from assistant.judgments.tasks import task_specs
    from assistant.judgments.training import serialise, train_all, write_weights
    from assistant.retrieval.embeddings import MiniLMEmbedder

    try:
        weights = train_all(task_specs(), MiniLMEmbedder(cache_size=0))
    except DatasetError as exc:
        fail(str(exc))
    except ImportError as exc:
        fail(f"training needs scikit-learn (pip install -e '.[train]'): {exc}")
    if check:
        shipped = WEIGHTS_FILE.read_text(encoding="utf-8") if WEIGHTS_FILE.is_file() else ""
        if shipped != serialise(weights):
            fail(f"{WEIGHTS_FILE.name} differs from a retrain on evals/datasets/judgments: run tandem eval train", 1)
        console.print(f"{WEIGHTS_FILE.name}: a retrain gives the same bytes", highlight=False)
        return
    digest = write_weights(weights)
    for task, spec in weights["tasks"].items():
        if "heads" not in spec:
            console.print(
                f"{task}: C={spec['C']} t={spec['threshold']} cv token recall {spec['cv_token_recall']} "
                f"precision {spec['cv_token_precision']}",
                highlight=False,
            )
            continue
        heads = ", ".join(
            f"{label} C={head['C']} t={head['threshold']} cv {head.get('cv_accuracy', head.get('cv_f1'))}"
            for label, head in spec["heads"].items()
        )
        console.print(f"{task} ({spec['trained_on']['rows']} rows): {heads}", highlight=False)
    console.print(f"wrote {WEIGHTS_FILE} (sha256 {digest[:16]})", highlight=False)


def judgments(
    split: Annotated[str, typer.Option(help="test (report last), dev or train.")] = "test",
    only: Annotated[
        list[str] | None, typer.Option("--set", help="goals, feedback, themes or pii (repeatable).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    gate: Annotated[
        bool, typer.Option("--gate", help="Exit 1 when a figure is below its floor in the gate file.")
    ] = False,
) -> None:
    """Accuracy, precision and recall (95% intervals) of every judgment on one split of the labelled sets."""
    from assistant.judgments.datasets import SPLITS, DatasetError
    from assistant.judgments.evaluate import evaluate_split
    from assistant.judgments.report import below_floor, render

    if split not in SPLITS:
        fail(f"--split must be one of {', '.join(SPLITS)}")
    try:
        report = evaluate_split(split, load_settings().knowledge_dir, only)
    except DatasetError as exc:
        fail(str(exc))
    show_and_gate(report, render, below_floor if gate else None, as_json)


def train_answers(
    check: Annotated[
        bool, typer.Option("--check", help="Retrain in memory and fail if the shipped weights differ by over 1e-4.")
    ] = False,
) -> None:
    """Retrain the answer heads (reranker, selector, scope, follow-up, risk) from evals/datasets/questions."""
    _require_evals()
    from assistant.answers.memory import MEMORY_FILE, load_memory
    from assistant.answers.model import WEIGHTS_FILE, describe
    from assistant.retrieval.embeddings import MiniLMEmbedder
    from evals.answer_training import train_answer_model

    try:
        model, memory = train_answer_model(MiniLMEmbedder(cache_size=4096))
    except ImportError as exc:
        fail(f"training needs scikit-learn (pip install -e '.[train]'): {exc}")
    data = describe(model.heads, model.meta)
    if check:
        shipped = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8")) if WEIGHTS_FILE.is_file() else {}
        if not _same_weights(shipped, data):
            fail(
                f"{WEIGHTS_FILE.name} differs from a retrain on the question sets: run tandem eval train-answers",
                1,
            )
        if not load_memory(MEMORY_FILE).same_as(memory):
            fail(f"{MEMORY_FILE.name} differs from the train split's questions: run tandem eval train-answers", 1)
        console.print(f"{WEIGHTS_FILE.name}: a retrain gives the same weights (within 1e-4)", highlight=False)
        return
    WEIGHTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    WEIGHTS_FILE.write_text(json.dumps(data, sort_keys=True) + "\n", encoding="utf-8")
    memory.save(MEMORY_FILE)
    for name, figures in model.meta["dev"].items():
        console.print(f"{name}: {figures}", highlight=False)
    console.print(f"trained on {model.meta['trained_on']}; wrote {WEIGHTS_FILE}", highlight=False)


def _same_weights(a: Any, b: Any, tolerance: float = 1e-4) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_weights(a[k], b[k], tolerance) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_weights(x, y, tolerance) for x, y in zip(a, b, strict=True))
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return abs(float(a) - float(b)) <= tolerance
    return bool(a == b)


def answers(
    split: Annotated[str, typer.Option(help="test (report last), dev or train.")] = "test",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    gate: Annotated[bool, typer.Option("--gate", help="Exit 1 when a figure misses its target.")] = False,
) -> None:
    """How Tandem answers one split of evals/datasets/questions: facts, sections, scope, follow-ups, risk."""
    _require_evals()
    from assistant.retrieval.embeddings import MiniLMEmbedder
    from evals.answer_training import SPLIT_SHARES
    from evals.answers import below_target, evaluate, render

    if split not in {name for name, _ in SPLIT_SHARES}:
        fail("--split must be one of train, dev, test")
    report = evaluate(split, MiniLMEmbedder(cache_size=4096))
    show_and_gate(report, render, below_target if gate else None, as_json)


def conversations(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    gate: Annotated[bool, typer.Option("--gate", help="Exit 1 when a figure misses its target.")] = False,
) -> None:
    """Scripted goal dialogues and six-line rehearsals through the offline coach: the issue-27 measures."""
    _require_evals()
    from evals.conversations import below_target, evaluate, render

    settings = load_settings()
    report = evaluate(settings.knowledge_dir)
    show_and_gate(report, render, below_target if gate else None, as_json)


def show_and_gate(
    report: dict[str, Any],
    render: Callable[[dict[str, Any]], str],
    misses: Callable[[dict[str, Any]], list[str]] | None,
    as_json: bool,
) -> None:
    """Print a report (JSON or text); with ``misses``, print each figure it finds short and exit 1 if any."""
    if as_json:
        print_json(report)
    else:
        console.print(render(report), markup=False, highlight=False)
    failures = misses(report) if misses is not None else []
    for failure in failures:
        errors.print(f"gate: {failure}", markup=False, highlight=False)
    if failures:
        raise typer.Exit(1)
