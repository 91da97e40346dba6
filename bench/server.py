"""Start a real Tandem server (uvicorn in a subprocess) on 127.0.0.1 for load, fault and speed runs."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from assistant.config import Settings
from assistant.db import crud
from assistant.db.engine import make_db_factory, make_engine, migrate, transaction


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    data_dir: Path
    env_overrides: dict[str, str] = field(default_factory=dict)
    workers: int = 1
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        return self.env_overrides.get("DATABASE_URL") or f"sqlite:///{self.data_dir / 'tandem.db'}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "LLM_", "DATABASE_URL", "CHROMA_"))}
        env.update(DATA_DIR=str(self.data_dir), LLM_PROVIDER="offline", RATE_LIMIT_PER_MINUTE="0")
        env.update(self.env_overrides)
        return env

    def start(self, timeout: float = 120.0) -> None:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "server:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--log-level",
            "warning",
        ]
        root = Path(__file__).resolve().parent.parent
        # A file, not a pipe: nobody reads a pipe during a run, and a full one blocks the server's logging.
        log_file = (self.data_dir / "server.log").open("ab")
        self.process = subprocess.Popen(command, cwd=root, env=self.env(), stdout=subprocess.DEVNULL, stderr=log_file)
        log_file.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = (self.data_dir / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"server exited: {tail}")
            try:
                if httpx.get(f"{self.url}/api/v1/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise TimeoutError("server did not become ready")

    def kill_hard(self) -> None:
        """``kill -9``: no shutdown handlers, no flushing."""
        kill_hard(self.process)

    def stop(self) -> None:
        stop(self.process, grace=20)


@dataclass
class WorkerProcess:
    """``tandem worker`` as its own process, with a server's environment (THEME_WORKER=external servers)."""

    server: ServerProcess
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        root = Path(__file__).resolve().parent.parent
        log_file = (self.server.data_dir / "worker.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "worker"],
            cwd=root,
            env=self.server.env(),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        log_file.close()

    def kill_hard(self) -> None:
        kill_hard(self.process)

    def stop(self) -> None:
        stop(self.process, grace=30)


def kill_hard(process: subprocess.Popen[bytes] | None) -> None:
    """``kill -9`` a child process and reap it."""
    if process is not None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)


def stop(process: subprocess.Popen[bytes] | None, *, grace: float) -> None:
    """SIGTERM, then ``kill -9`` if the process has not exited within ``grace`` seconds."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            kill_hard(process)


def prepare_data_dir(data_dir: Path, indexed_chroma: Path | None = None) -> None:
    """A data folder, with a copy of an already built index when given (saves the first-start ingest)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if indexed_chroma is not None and not (data_dir / "chroma").exists():
        shutil.copytree(indexed_chroma, data_dir / "chroma")


def create_participants(database_url: str, count: int, data_dir: Path) -> list[str]:
    """Tokens of ``count`` new participants (half mentees, half mentors)."""
    settings = Settings(_env_file=None, data_dir=data_dir, database_url=database_url)  # type: ignore[call-arg]
    engine = make_engine(settings.sqlalchemy_url)
    migrate(engine)
    tokens = []
    with transaction(make_db_factory(engine)) as db:
        for number in range(count):
            role = "mentee" if number % 2 == 0 else "mentor"
            _, token = crud.create_user(db, name=f"Load Participant {number}", role=role, cohort="load")
            tokens.append(token)
    engine.dispose()
    return tokens
