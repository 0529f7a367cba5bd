"""rating channels: a rating is tagged with the channel it came through (form, on_behalf, paper)

Revision ID: 0013_rating_channels
Revises: 0012_support_counts
Create Date: 2026-12-01 17:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_rating_channels"
down_revision: str | None = "0012_support_counts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agenda_ratings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=16), server_default="form", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("agenda_ratings", schema=None) as batch_op:
        batch_op.drop_column("channel")
