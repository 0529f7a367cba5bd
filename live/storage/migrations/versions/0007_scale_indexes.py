"""indexes for five years of data (looked at with EXPLAIN on the five-year PostgreSQL seed)

- opinions of a community newest first (with and without a status): without them PostgreSQL
  walked the primary key backwards over every community's opinions (127 ms → under 1 ms);
- a session's visible messages (counts on the archive and session lists) and its messages by
  offset (replay ranges);
- a session's viewer samples in time order; a community's agenda items newest first.

Revision ID: 0007_scale_indexes
Revises: 0006_opinion_media
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_scale_indexes"
down_revision: str | None = "0006_opinion_media"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_opinions_community_id_id", "opinions", ["community_id", "id"]),
    ("ix_opinions_community_id_status_id", "opinions", ["community_id", "status", "id"]),
    ("ix_messages_session_id_status", "messages", ["session_id", "status"]),
    ("ix_messages_session_id_offset_ms", "messages", ["session_id", "offset_ms"]),
    ("ix_viewer_samples_session_id_at", "viewer_samples", ["session_id", "at"]),
    ("ix_agenda_items_community_id_id", "agenda_items", ["community_id", "id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
