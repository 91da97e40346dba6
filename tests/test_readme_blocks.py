"""The README is a test: every shell block of README.md and docs/integrations.md runs as a newcomer would
paste it, in a scratch folder with its own data, unless the line before it says why it does not
(``<!-- not run: ... -->``: it starts a server that runs until stopped, needs a model endpoint, retrains
for minutes, ...). A block fails on its first failing command (``bash -e``)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = ("README.md", "docs/integrations.md")
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?:bash|sh|shell)[ \t]*\n(?P<body>.*?)^(?P=indent)```", re.M | re.S)
NOT_RUN = re.compile(r"<!--\s*not run:\s*(?P<why>.+?)\s*-->\s*$")
PREAMBLE = """set -euo pipefail
TOKEN=$(tandem users add "README Reader" --role mentee | grep -o 'tdm_[A-Za-z0-9_-]*')
export TANDEM_TOKEN="$TOKEN"
"""
"""What a newcomer has by the time they reach a block: a token from `tandem users add` (the README says so)."""


@dataclass(frozen=True)
class Block:
    document: str
    line: int
    body: str
    not_run: str

    @property
    def id(self) -> str:
        return f"{self.document}:{self.line}"


def shell_blocks() -> list[Block]:
    found = []
    for name in DOCUMENTS:
        text = (ROOT / name).read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            before = [row for row in text[: match.start()].splitlines() if row.strip()][-1:]
            reason = NOT_RUN.search(before[0]) if before else None
            body = "\n".join(row.removeprefix(match.group("indent")) for row in match.group("body").splitlines())
            found.append(Block(name, line, body, reason.group("why") if reason else ""))
    return found


BLOCKS = shell_blocks()


def test_the_documents_have_blocks_and_every_skipped_one_says_why() -> None:
    assert len(BLOCKS) >= 10
    assert sum(not b.not_run for b in BLOCKS) >= 3, "most of what a newcomer pastes must run"


@pytest.fixture
def scratch(tmp_path: Path, indexed_chroma: Path) -> tuple[Path, dict[str, str]]:
    """A folder like a fresh clone's working directory: the repo's files beside a data folder of its own,
    the guideline index already built (a first ingest would cost the suite half a minute per block)."""
    for name in ("evals", "knowledge", "prompts", "docs", ".venv"):
        if (ROOT / name).exists():
            (tmp_path / name).symlink_to(ROOT / name)
    data = tmp_path / "data"
    data.mkdir()
    shutil.copytree(indexed_chroma, data / "chroma")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLM_", "DATABASE_URL", "TANDEM_"))}
    bin_dir = str(Path(sys.executable).parent)
    env.update(DATA_DIR=str(data), LLM_PROVIDER="offline", PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}")
    return tmp_path, env


@pytest.mark.parametrize("block", [b for b in BLOCKS if not b.not_run], ids=lambda b: b.id)
def test_a_readme_block_runs_as_written(block: Block, scratch: tuple[Path, dict[str, str]]) -> None:
    folder, env = scratch
    done = subprocess.run(
        ["bash", "-c", PREAMBLE + block.body],
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"{block.id} failed:\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}"
    assert "Traceback" not in done.stderr
