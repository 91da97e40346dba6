"""Refresh a recording's outputs after Tandem's own handling changed, without calling the model again.

A recording keeps two things per case: the model's responses (keyed by request fingerprint) and what
Tandem made of them (status, retrieved chunks, reply). When only the second changes, for example a new
check that turns a reply into an offline fallback, replay reports the case as stale although every model
call still matches. Re-deriving replays the recording and, for those cases only, stores the new outputs
next to the unchanged model responses, and notes in the manifest when, with which Tandem version and
for which cases. A case whose model calls no longer match, or whose input changed, is left stale: it
needs a new recording.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from assistant import __version__
from evals.harness import DEFAULT_DATA_DIR
from evals.recordings import write_recording
from evals.replay import replay

if TYPE_CHECKING:
    from assistant.retrieval.embeddings import Embedder

NEEDS_NEW_RECORDING = (
    "not in the recording",
    "the case's text or role changed",
    "model call ",
    "recorded, but no longer",
)


def rederive(
    directory: Path,
    *,
    reason: str,
    data_dir: Path = DEFAULT_DATA_DIR,
    embedder: Embedder | None = None,
    only: Collection[str] | None = None,
) -> tuple[list[str], list[str]]:
    """Update the outputs of cases stale only in their outputs; returns (refreshed, still stale) case keys."""
    if not reason.strip():
        raise ValueError("say why the outputs changed (--reason)")
    result = replay(directory, data_dir=data_dir, embedder=embedder, only=only)
    recording = result.recording
    refreshed, still_stale = [], []
    for stale in result.stale:
        key = f"{stale.dataset}/{stale.case_id}"
        if stale.why.startswith(NEEDS_NEW_RECORDING) or " recorded model call(s) were not made" in stale.why:
            still_stale.append(key)
            continue
        cases = result.cases[stale.dataset]
        run = result.runs[stale.dataset][[c.id for c in cases].index(stale.case_id)]
        recording.cases[stale.dataset][stale.case_id].update(run.outputs())
        refreshed.append(key)
    if refreshed:
        recording.manifest.rederived.append(
            {
                "at": datetime.now(UTC).replace(microsecond=0).isoformat(),
                "tandem_version": __version__,
                "cases": refreshed,
                "reason": reason.strip(),
            }
        )
        runs = {dataset: list(cases.values()) for dataset, cases in recording.cases.items()}
        write_recording(directory, recording.manifest, runs)
    return refreshed, still_stale
