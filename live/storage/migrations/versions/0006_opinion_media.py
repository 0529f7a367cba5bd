"""voice and photos on opinions

Revision ID: 0006_opinion_media
Revises: 0005_similar_index
Create Date: 2026-12-01 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_opinion_media"
down_revision: str | None = "0005_similar_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("opinions") as batch:
        batch.add_column(sa.Column("voice_file", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("voice_duration_s", sa.Float(), nullable=True))
        batch.add_column(sa.Column("photos", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("opinions") as batch:
        batch.drop_column("photos")
        batch.drop_column("voice_duration_s")
        batch.drop_column("voice_file")
