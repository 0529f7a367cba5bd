"""similar-opinion index: each posting keeps its weight in the opinion's normalised vector

Candidates are then ranked by their cosine to the query instead of by the query weight they
share (which favoured long opinions full of common words and lost the full scan's best
suggestion among 50,000 opinions). The index is rebuilt with the weights.

Revision ID: 0014_similar_weights
Revises: 0013_rating_channels
Create Date: 2026-12-01 17:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_similar_weights"
down_revision: str | None = "0013_rating_channels"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _create(weight: bool) -> None:
    columns = [
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=48), nullable=False),
        sa.Column("opinion_id", sa.Integer(), nullable=False),
    ]
    if weight:
        columns.append(sa.Column("weight", sa.Float(), server_default="1", nullable=False))
    op.create_table(
        "opinion_terms",
        *columns,
        sa.ForeignKeyConstraint(
            ["opinion_id"],
            ["opinions.id"],
            name=op.f("fk_opinion_terms_opinion_id_opinions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "community_id",
            "term",
            "opinion_id",
            name=op.f("pk_opinion_terms"),
            **({"postgresql_include": ["weight"]} if weight else {}),
        ),
        **({"sqlite_with_rowid": False} if weight else {}),
    )
    op.create_index("ix_opinion_terms_opinion_id", "opinion_terms", ["opinion_id"])


def _rebuild() -> None:
    from live.storage.similar_index import INDEXED, index_many

    conn = op.get_bind()
    op.execute("DELETE FROM opinion_term_counts")
    opinions = sa.table(
        "opinions", sa.column("id"), sa.column("community_id"), sa.column("text"), sa.column("status")
    )
    rows = conn.execute(
        sa.select(opinions.c.id, opinions.c.community_id, opinions.c.text)
        .where(opinions.c.status.in_(INDEXED))
        .order_by(opinions.c.id)
    ).all()
    index_many(conn, [(i, c, t) for i, c, t in rows])


def upgrade() -> None:
    # a new table rather than a new column: the postings are stored in key order with their
    # weight (SQLite WITHOUT ROWID; PostgreSQL: the key's index INCLUDEs it)
    op.drop_index("ix_opinion_terms_opinion_id", table_name="opinion_terms")
    op.drop_table("opinion_terms")
    _create(weight=True)
    _rebuild()


def downgrade() -> None:
    op.drop_index("ix_opinion_terms_opinion_id", table_name="opinion_terms")
    op.drop_table("opinion_terms")
    _create(weight=False)
    op.execute("DELETE FROM opinion_term_counts")  # 0012's code rebuilds nothing: left empty
