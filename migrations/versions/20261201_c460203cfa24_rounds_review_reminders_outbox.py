"""Rounds: reminder schedule and reminders; the e-mail outbox

Revision ID: c460203cfa24
Revises: 5d5480c6567f
Create Date: 2026-12-01 22:18:54.182279
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "c460203cfa24"
down_revision: str | Sequence[str] | None = "5d5480c6567f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("to_address", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dedupe_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_mail")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_mail_dedupe_key")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_mail_message_id")),
    )
    with op.batch_alter_table("outbox_mail", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_mail_due", ["state", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_mail_kind"), ["kind"], unique=False)

    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.Integer(), nullable=False),
        sa.Column("days_before", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("recipients", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["user_account.id"], name=op.f("fk_reminder_by_id_user_account")),
        sa.ForeignKeyConstraint(
            ["municipality_code"], ["municipality.code"], name=op.f("fk_reminder_municipality_code_municipality")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["reporting_round.id"], name=op.f("fk_reminder_round_id_reporting_round")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder")),
        sa.UniqueConstraint(
            "round_id",
            "municipality_code",
            "days_before",
            name=op.f("uq_reminder_round_id_municipality_code_days_before"),
        ),
    )
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_municipality_code"), ["municipality_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_reminder_round_id"), ["round_id"], unique=False)

    with op.batch_alter_table("reporting_round", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "reminder_days", sqlmodel.sql.sqltypes.AutoString(length=100), server_default="14,3,-1", nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("reporting_round", schema=None) as batch_op:
        batch_op.drop_column("reminder_days")

    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_round_id"))
        batch_op.drop_index(batch_op.f("ix_reminder_municipality_code"))

    op.drop_table("reminder")

    with op.batch_alter_table("outbox_mail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_mail_kind"))
        batch_op.drop_index("ix_outbox_mail_due")

    op.drop_table("outbox_mail")
