"""Settings on a database and an SMTP server of the test's own (the run counts everything due in the database,
so nothing may be left by another test). No vector index: nudges never retrieve guidelines."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from assistant.config import Settings
from tests.conftest import KNOWLEDGE
from tests.nudges.smtp_inbox import SmtpServer, smtp_server

__all__ = ["smtp_server"]

MAIL_FROM = "Tandem <tandem@example.org>"
PUBLIC_URL = "https://tandem.example.org"
K = 3


@pytest.fixture
def settings(tmp_path: Path, own_database_url: str, smtp_server: SmtpServer) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        data_dir=data_dir,
        database_url=own_database_url,
        knowledge_dir=KNOWLEDGE,
        llm_provider="offline",
        smtp_url=SecretStr(smtp_server.url),
        mail_from=MAIL_FROM,
        public_url=PUBLIC_URL,
        k_anonymity=K,
        nudge_link_secret=SecretStr("nudge-test-secret"),
        smtp_timeout_seconds=5.0,
    )
