"""similar-opinion index: postings and document frequencies, filled from existing opinions

Revision ID: 0005_similar_index
Revises: 0004_interact
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_similar_index"
down_revision: str | None = "0004_interact"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "opinion_terms",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=48), nullable=False),
        sa.Column("opinion_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["opinion_id"],
            ["opinions.id"],
            name=op.f("fk_opinion_terms_opinion_id_opinions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("community_id", "term", "opinion_id", name=op.f("pk_opinion_terms")),
    )
    op.create_index("ix_opinion_terms_opinion_id", "opinion_terms", ["opinion_id"])
    op.create_table(
        "opinion_term_counts",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=48), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("community_id", "term", name=op.f("pk_opinion_term_counts")),
    )
    # the existing opinions are indexed by 0014_similar_weights (which rebuilds the index with
    # the posting weights the current code writes)


def downgrade() -> None:
    op.drop_table("opinion_term_counts")
    op.drop_index("ix_opinion_terms_opinion_id", table_name="opinion_terms")
    op.drop_table("opinion_terms")
