"""Tandem installed from its wheel, outside the repository, answers with citations (issue: a package that
installs anywhere). The wheel's own dependencies come from the test environment, so nothing is downloaded
but the build backend."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT


def run(*args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=600, **kwargs)  # type: ignore[call-overload]


@pytest.mark.slow
def test_the_wheel_installs_outside_the_clone_and_answers_with_citations(tmp_path: Path) -> None:
    built = run(sys.executable, "-m", "pip", "wheel", PROJECT_ROOT, "--no-deps", "-q", "-w", tmp_path / "dist")
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("tandem_assistant-*.whl")

    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", venv).returncode == 0
    site = Path(
        run(venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    )
    (site / "test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = run(venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-deps", wheel)
    assert installed.returncode == 0, installed.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OPENAI_", "LLM_", "DATABASE_URL", "KNOWLEDGE", "PROMPTS"))
    }
    env |= {"DATA_DIR": str(tmp_path / "data"), "LLM_PROVIDER": "offline"}
    where = run(venv / "bin" / "python", "-c", "import assistant; print(assistant.__file__)", cwd=elsewhere, env=env)
    assert where.stdout.strip().startswith(str(venv)), where.stdout

    ingest = run(venv / "bin" / "tandem", "ingest", cwd=elsewhere, env=env)
    assert ingest.returncode == 0, ingest.stderr
    asked = run(venv / "bin" / "tandem", "ask", "How often should pairs meet?", "--json", cwd=elsewhere, env=env)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert answer["in_scope"] is True and answer["citations"]
    assert all(citation["source"].startswith("knowledge/") for citation in answer["citations"])
