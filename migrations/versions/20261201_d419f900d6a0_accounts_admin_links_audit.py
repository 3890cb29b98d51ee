"""accounts administration: links, audit log, last log-in

Invitation and reset links (only token hashes), the audit log of administrative actions,
each user's last log-in, and no password for a user who is invited but has not chosen one.

Revision ID: d419f900d6a0
Revises: dcd78316ed15
Create Date: 2026-12-01 22:22:33.526716
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "d419f900d6a0"
down_revision: str | Sequence[str] | None = "dcd78316ed15"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_account_link_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_link_token_hash")),
    )
    with op.batch_alter_table("account_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_link_user_id"), ["user_id"], unique=False)

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("kkr_id", sa.Integer(), nullable=True),
        sa.Column("client_ip", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user_account.id"], name=op.f("fk_audit_event_actor_id_user_account")),
        sa.ForeignKeyConstraint(["kkr_id"], ["kkr.id"], name=op.f("fk_audit_event_kkr_id_kkr")),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["user_account.id"], name=op.f("fk_audit_event_subject_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_client_ip"), ["client_ip"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_kkr_id"), ["kkr_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_subject_id"), ["subject_id"], unique=False)

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column("password_hash", existing_type=sa.VARCHAR(length=255), nullable=True)


def downgrade() -> None:
    # An invited user who never chose a password cannot survive the NOT NULL: give them a value
    # no password matches (not an argon2 hash), so they stay unable to log in.
    op.execute("UPDATE user_account SET password_hash = '!' WHERE password_hash IS NULL")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column("password_hash", existing_type=sa.VARCHAR(length=255), nullable=False)
        batch_op.drop_column("last_login_at")

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_subject_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_kkr_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_client_ip"))
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")
    with op.batch_alter_table("account_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_link_user_id"))

    op.drop_table("account_link")
