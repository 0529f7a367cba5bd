"""similar-opinion index: rebuilt for the new stop words

Connectives and adverbs (反而, 但是, 随便 …) are stop words now, and a two-character stop word no
longer counts as a character bigram either. Postings and document frequencies made before would
still hold them (and weigh every other term of their opinion by a vector that included them), so
the index is rebuilt from the opinions' texts.

Revision ID: 0015_similar_stopwords
Revises: 0014_similar_weights
Create Date: 2026-12-01 23:55:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015_similar_stopwords"
down_revision: str | None = "0014_similar_weights"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from live.storage.similar_index import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    # nothing to undo: the older code reads this index too (its extra terms find no postings)
    pass
