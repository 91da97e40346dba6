"""The one place that reads the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.resources import CLONE_ROOT, bundled, is_packaged
from assistant.text import MAX_MESSAGE_CHARS

PROJECT_ROOT = CLONE_ROOT  # the clone, when Tandem runs from one (evals/, bench/ and the labelled sets live there)
OidcRole = Literal["mentee", "mentor", "hr", "admin"]
"""The roles single sign-on may give (``assistant.db.models.ROLES``), checked when the settings load."""


class Settings(BaseSettings):
    """Tandem's configuration; every field can be set by an environment variable of the same name."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    environment: Literal["development", "production", "test"] = "development"
    data_dir: Path = Field(
        default_factory=lambda: Path(user_data_dir("tandem", appauthor=False)),
        description="The database, the vector index and the organisation's own guidelines (``knowledge/``).",
    )
    knowledge_dir: Path = Field(
        default_factory=lambda: bundled("knowledge"),
        description="Default: DATA_DIR/knowledge when that folder exists, else the shipped guidelines.",
    )
    prompts_dir: Path = Field(default_factory=lambda: bundled("prompts"))

    database_url: str = ""
    chroma_url: str = ""
    chroma_collection: str = "guidelines"

    llm_provider: Literal["offline", "openai"] = "offline"
    openai_api_key: SecretStr = SecretStr("")
    openai_base_url: str = ""
    openai_model: str = "gpt-4o-mini"
    llm_timeout_seconds: float = 30.0
    llm_max_retries: int = Field(default=2, ge=0, le=5)
    llm_first_token_seconds: float = Field(
        default=15.0, gt=0, description="A model that sends no text this long after the call is given up on."
    )
    llm_total_seconds: float = Field(
        default=60.0, gt=0, description="The longest one model reply may take, however steadily it streams."
    )
    llm_max_tokens: int = Field(
        default=600, ge=16, le=8192, description="Cap on the tokens of one model reply (a looping model stops there)."
    )
    scrub_before_llm: bool = False

    embedding_threads: int = Field(default=2, ge=1)
    retrieval_top_k: int = Field(default=5, ge=1, le=20)

    max_message_chars: int = Field(default=MAX_MESSAGE_CHARS, ge=1)
    max_request_bytes: int = Field(default=64_000, ge=1024, description="Larger API bodies get 413.")
    max_upload_bytes: int = Field(default=5_000_000, ge=1024, description="Limit for guideline uploads.")
    rate_limit_per_minute: int = Field(default=30, ge=0, description="Messages per user per minute; 0 = off.")
    rate_limit_burst: int = Field(default=10, ge=1, description="In-memory limiter only: the burst allowed.")
    signin_attempts_per_minute: int = Field(
        default=10, ge=0, description="Token sign-ins a client address may try a minute before 429; 0 = off."
    )
    redis_url: str = Field(
        default="",
        description="redis://host:6379/0 to share rate limits and the theme workers' queue across processes "
        "and machines (else both stay in each process).",
    )
    theme_stream: str = Field(default="tandem:themes", description="With REDIS_URL: the theme queue's stream key.")
    theme_claim_idle_seconds: float = Field(
        default=60.0,
        gt=0,
        description="With REDIS_URL: a delivered message not acknowledged this long is taken over by another "
        "worker, and an outbox row this old that no worker was told about is swept.",
    )
    theme_hmac_secret: SecretStr = SecretStr("development-only-theme-secret")
    theme_taxonomy_path: Path | None = Field(default=None, description="An organisation's own taxonomy YAML.")
    theme_worker: Literal["in-process", "external"] = Field(
        default="in-process",
        description="Who counts the themes waiting in the outbox: each server process, or `tandem worker` only.",
    )
    skills_path: Path | None = Field(default=None, description="An organisation's own skills list (YAML) for matching.")
    k_anonymity: int = Field(default=5, ge=2, description="Report cells with fewer distinct participants are hidden.")
    smtp_url: SecretStr = Field(
        default=SecretStr(""),
        description="Where e-mail nudges are sent: smtp://user:pass@mail.example:587?starttls=true or "
        "smtps://user:pass@mail.example:465 (empty: no nudges).",
    )
    mail_from: str = Field(default="", description="The From address of nudges, e.g. 'Tandem <tandem@example.org>'.")
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The web app's address as people reach it (links in e-mails), e.g. https://tandem.example.org.",
    )
    nudge_goal_days_before: int = Field(
        default=7, ge=1, le=90, description="A goal_due nudge goes out this many days before an active goal's date."
    )
    nudge_digest_weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = Field(
        default="mon", description="The admins' weekly digest goes out on the first run on or after this day."
    )
    nudge_link_secret: SecretStr = Field(
        default=SecretStr("development-only-nudge-secret"),
        description="Signs the one-click links that turn a kind of nudge off; set it when SMTP_URL is set.",
    )
    smtp_timeout_seconds: float = Field(default=15.0, gt=0, description="Connecting to and talking to the SMTP server.")
    oidc_issuer: str = Field(
        default="",
        description="Single sign-on: the OpenID Connect provider's issuer URL (its discovery document is at "
        "ISSUER/.well-known/openid-configuration), e.g. https://login.example.org/realms/staff; empty = off.",
    )
    oidc_client_id: str = Field(default="", description="Tandem's client id at the provider.")
    oidc_client_secret: SecretStr = Field(default=SecretStr(""), description="Tandem's client secret there.")
    oidc_scopes: str = Field(default="openid email profile", description="The scopes asked for, space-separated.")
    oidc_role_claim: str = Field(
        default="tandem_role",
        description="The ID token claim that names the Tandem role: a string or a list such as 'groups'; a dotted "
        "path reaches into an object ('realm_access.roles').",
    )
    oidc_role_map: dict[str, OidcRole] = Field(
        default={},
        description='Claim value -> Tandem role, e.g. {"hr-team": "hr", "mentors": "mentor"}; a value that is already '
        "a role name maps to itself. Of several roles the most privileged wins (admin, hr, mentor, mentee).",
    )
    oidc_default_role: OidcRole | Literal[""] = Field(
        default="",
        description="The role of a new user whose claims map to no role; empty = such a user is refused.",
    )
    oidc_provider_name: str = Field(
        default="your organisation account", description="Shown on the sign-in button: 'Sign in with <name>'."
    )
    oidc_session_secret: SecretStr = Field(
        default=SecretStr("development-only-oidc-secret"),
        description="Signs the single sign-on cookies (the sign-in under way and the signed-in session); set it "
        "when OIDC_ISSUER is set.",
    )
    cors_origins: list[str] = []
    pii_id_patterns: list[str] = Field(
        default=[],
        description="The organisation's own employee-id formats (regular expressions, e.g. '[A-Z]{2}\\d{7}'), "
        "anonymized as [ID] in addition to the built-in ones.",
    )

    @field_validator("data_dir", "knowledge_dir", "prompts_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @model_validator(mode="after")
    def _own_guidelines_in_the_data_dir(self) -> Settings:
        own = self.data_dir / "knowledge"
        if "knowledge_dir" not in self.model_fields_set and own.is_dir():
            self.knowledge_dir = own
        return self

    @property
    def shipped_guidelines(self) -> bool:
        """True when the guidelines are the read-only ones inside the installed package."""
        return is_packaged(self.knowledge_dir)

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.theme_hmac_secret.get_secret_value().startswith(
            "development-only"
        ):
            raise ValueError("THEME_HMAC_SECRET must be set in production")
        return self

    @model_validator(mode="after")
    def _refuse_default_nudge_secret_in_production(self) -> Settings:
        if (
            self.environment == "production"
            and self.smtp_url.get_secret_value()
            and self.nudge_link_secret.get_secret_value().startswith("development-only")
        ):
            raise ValueError("NUDGE_LINK_SECRET must be set in production when SMTP_URL is set")
        return self

    @model_validator(mode="after")
    def _complete_single_sign_on(self) -> Settings:
        if not self.oidc_issuer:
            return self
        if not self.oidc_client_id:
            raise ValueError("OIDC_CLIENT_ID must be set when OIDC_ISSUER is set")
        if self.environment == "production" and self.oidc_session_secret.get_secret_value().startswith(
            "development-only"
        ):
            raise ValueError("OIDC_SESSION_SECRET must be set in production when OIDC_ISSUER is set")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'tandem.db'}"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"


@lru_cache
def get_settings() -> Settings:
    return Settings()
