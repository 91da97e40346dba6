"""Record through the real OpenAI client against the local stub, then replay with the stub gone."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT
from assistant.retrieval.embeddings import MiniLMEmbedder
from evals.providers import ProviderSpec
from evals.record import record
from evals.rederive import rederive
from evals.replay import replay
from evals.run import evaluate_recording
from tests.support.openai_stub import OpenAIStub

SECRET = "sk-eval-recording-secret-7"
CASES = (
    "qa001",
    "qa007",
    "qa081",
    "qa090",
    "s001",
    "s034",
)  # answered, answered, out of scope x2, guarded, odd unicode


@pytest.fixture(scope="module")
def stub_recording(
    tmp_path_factory: pytest.TempPathFactory, eval_data_dir: Path, embedder: MiniLMEmbedder
) -> Iterator[tuple[Path, OpenAIStub]]:
    """A recording of a few cases, made through ChatOpenAI against the stub; the stub is gone afterwards."""
    out = tmp_path_factory.mktemp("recordings")
    with OpenAIStub() as stub, pytest.MonkeyPatch.context() as env:
        env.setenv("EVAL_TEST_API_KEY", SECRET)
        spec = ProviderSpec("openai", "stub-model", stub.base_url, "EVAL_TEST_API_KEY", max_tokens=50)
        directory = record(spec, out_dir=out, data_dir=eval_data_dir, embedder=embedder, only=CASES)
    yield directory, stub


def test_the_recording_keeps_requests_answers_and_provenance_but_no_credential(
    stub_recording: tuple[Path, OpenAIStub],
) -> None:
    directory, stub = stub_recording
    assert stub.behaviour.headers and all(h["authorization"] == f"Bearer {SECRET}" for h in stub.behaviour.headers)
    stored = "\n".join(path.read_text(encoding="utf-8") for path in directory.iterdir())
    assert SECRET not in stored
    assert "Bearer" not in stored and "authorization" not in stored.lower()
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["provider"] == "openai" and manifest["model"] == "stub-model"
    assert manifest["base_url_host"].startswith("127.0.0.1:") and manifest["max_tokens"] == 50
    assert set(manifest["prompts"]) == {"qa_system.md", "qa_user.md"}
    qa = {case["id"]: case for case in json.loads((directory / "qa.json").read_text())["cases"]}
    call = qa["qa001"]["calls"][0]
    assert call["response"]["text"] == stub.behaviour.reply
    assert call["request"]["params"] == {"max_tokens": 50, "temperature": 0.0}
    sent = stub.behaviour.requests[0]
    assert sent["max_completion_tokens"] == sent["max_tokens"] == 50  # servers that ignore the new name cap too
    assert len(qa["qa001"]["retrieved"]) == 5 and qa["qa081"]["calls"] == []  # out of scope: no model call
    safety = json.loads((directory / "safety.json").read_text())["cases"]
    assert len(stub.behaviour.requests) == sum(len(case["calls"]) for case in [*qa.values(), *safety])


def test_replay_needs_no_network_and_is_deterministic(
    stub_recording: tuple[Path, OpenAIStub], eval_data_dir: Path, embedder: MiniLMEmbedder
) -> None:
    directory, stub = stub_recording
    requests_before = len(stub.behaviour.requests)
    first = replay(directory, data_dir=eval_data_dir, embedder=embedder, only=CASES)
    second = replay(directory, data_dir=eval_data_dir, embedder=embedder, only=CASES)
    assert first.stale == [] and second.stale == []
    outputs = [[run.outputs() for run in result.runs["qa"] + result.runs["safety"]] for result in (first, second)]
    assert outputs[0] == outputs[1]
    assert first.runs["qa"][0].reply is not None and first.runs["qa"][0].reply["provider"] == "openai:stub-model"
    assert len(stub.behaviour.requests) == requests_before


def test_a_changed_prompt_makes_the_replay_fail_as_stale(
    stub_recording: tuple[Path, OpenAIStub], eval_data_dir: Path, embedder: MiniLMEmbedder, tmp_path: Path
) -> None:
    directory, _ = stub_recording
    prompts = tmp_path / "prompts"
    shutil.copytree(PROJECT_ROOT / "prompts", prompts)
    system = prompts / "qa_system.md"
    system.write_text(system.read_text().replace("at most six sentences", "at most three sentences"))
    report = evaluate_recording(
        directory, data_dir=eval_data_dir, embedder=embedder, prompts_dir=prompts, live=(), only=CASES
    )
    assert not report["passed"]
    stale = {s["case_id"]: s["why"] for s in report["stale"]}
    assert set(stale) == {"qa001", "qa007", "s034"}  # the cases that reached the model
    assert "has no recorded answer" in stale["qa001"] and "message 1 (system) changed" in stale["qa001"]
    assert any("qa_system.md changed" in note for note in report["notes"])


def test_an_edited_offline_answer_is_reported_as_stale(
    eval_data_dir: Path, embedder: MiniLMEmbedder, tmp_path: Path
) -> None:
    directory = tmp_path / "offline"
    shutil.copytree(PROJECT_ROOT / "evals" / "recordings" / "offline", directory)
    qa_file = directory / "qa.json"
    qa = json.loads(qa_file.read_text())
    qa["cases"][0]["reply"]["text"] = "A made-up answer. [1]"
    qa_file.write_text(json.dumps(qa))
    result = replay(directory, data_dir=eval_data_dir, embedder=embedder, only={qa["cases"][0]["id"], "qa002"})
    assert [(s.case_id, s.why.split(":")[0]) for s in result.stale] == [(qa["cases"][0]["id"], "reply text changed")]


def test_rederiving_refreshes_outputs_but_never_stands_in_for_a_model_call(
    stub_recording: tuple[Path, OpenAIStub], eval_data_dir: Path, embedder: MiniLMEmbedder, tmp_path: Path
) -> None:
    directory = tmp_path / "copy"
    shutil.copytree(stub_recording[0], directory)
    qa_file = directory / "qa.json"
    qa = json.loads(qa_file.read_text())
    by_id = {case["id"]: case for case in qa["cases"]}
    calls_before = json.dumps(by_id["qa001"]["calls"], sort_keys=True)
    by_id["qa001"]["reply"]["text"] = "What an older Tandem made of the same model answer."
    by_id["qa007"]["input_sha256"] = "0" * 64  # the question itself changed: only a new recording helps
    qa_file.write_text(json.dumps(qa))

    refreshed, still_stale = rederive(
        directory, reason="a test", data_dir=eval_data_dir, embedder=embedder, only={"qa001", "qa007"}
    )
    assert (refreshed, still_stale) == (["qa/qa001"], ["qa/qa007"])
    after = {case["id"]: case for case in json.loads(qa_file.read_text())["cases"]}
    assert after["qa001"]["reply"]["text"] != "What an older Tandem made of the same model answer."
    assert json.dumps(after["qa001"]["calls"], sort_keys=True) == calls_before, "model responses are never edited"
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["rederived"][0]["cases"] == ["qa/qa001"] and manifest["rederived"][0]["reason"] == "a test"
    assert manifest["recorded_at"] == json.loads((stub_recording[0] / "manifest.json").read_text())["recorded_at"]
    result = replay(directory, data_dir=eval_data_dir, embedder=embedder, only={"qa001", "qa007"})
    assert [s.case_id for s in result.stale] == ["qa007"]


def test_an_interrupted_recording_resumes_without_asking_again(
    tmp_path: Path, eval_data_dir: Path, embedder: MiniLMEmbedder
) -> None:
    with OpenAIStub() as stub:
        spec = ProviderSpec("openai", "stub-model", stub.base_url, max_tokens=50)
        common = {"out_dir": tmp_path, "data_dir": eval_data_dir, "embedder": embedder, "datasets": ("qa",)}
        record(spec, only={"qa001"}, **common)  # type: ignore[arg-type]
        directory = record(spec, only={"qa001", "qa007"}, resume=True, **common)  # type: ignore[arg-type]
        assert len(stub.behaviour.requests) == 2  # qa001 once, then qa007
        with pytest.raises(ValueError, match="max_tokens differs"):
            record(ProviderSpec("openai", "stub-model", stub.base_url, max_tokens=99), resume=True, **common)  # type: ignore[arg-type]
    recorded = json.loads((directory / "qa.json").read_text())["cases"]
    assert [case["id"] for case in recorded] == ["qa001", "qa007"]
    assert json.loads((directory / "manifest.json").read_text())["complete"] is False
    result = replay(directory, data_dir=eval_data_dir, embedder=embedder)
    assert result.stale == [] and [run.case_id for run in result.runs["qa"]] == ["qa001", "qa007"]
    assert any("2 of 92 qa cases were recorded" in note for note in result.notes)
