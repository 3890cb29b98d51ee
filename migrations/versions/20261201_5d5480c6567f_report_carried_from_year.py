"""A report remembers the status year its rows were carried over from (issue 16).

Revision ID: 5d5480c6567f
Revises: 86d5747e3186
Create Date: 2026-12-01 22:21:53.644330
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d5480c6567f"
down_revision: str | Sequence[str] | None = "86d5747e3186"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("status_report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carried_from_year", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("status_report", schema=None) as batch_op:
        batch_op.drop_column("carried_from_year")
