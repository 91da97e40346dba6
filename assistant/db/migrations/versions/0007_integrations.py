"""integrations: roster e-mail and department, identity provider subject, e-mail nudges

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _users_batch():  # type: ignore[no-untyped-def]
    """SQLite rebuilds the table for these changes: keep AUTOINCREMENT (0003), so a forgotten user's id is
    never given to someone else."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    return op.batch_alter_table("users", table_kwargs={"sqlite_autoincrement": True} if sqlite else {})


def upgrade() -> None:
    with _users_batch() as batch:
        batch.add_column(sa.Column("email", sa.String(length=320), nullable=True))
        batch.add_column(sa.Column("department", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("nudges_off", sa.JSON(), nullable=False, server_default="[]"))
        batch.create_unique_constraint("uq_users_email", ["email"])
        batch.create_unique_constraint("uq_users_oidc_subject", ["oidc_subject"])
    op.create_table(
        "nudges_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("about", sa.String(length=200), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_nudges_sent_once", "nudges_sent", ["user_id", "kind", "about"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_nudges_sent_once", table_name="nudges_sent")
    op.drop_table("nudges_sent")
    with _users_batch() as batch:
        batch.drop_constraint("uq_users_oidc_subject", type_="unique")
        batch.drop_constraint("uq_users_email", type_="unique")
        batch.drop_column("nudges_off")
        batch.drop_column("department")
        batch.drop_column("oidc_subject")
        batch.drop_column("email")
