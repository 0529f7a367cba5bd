"""Chat messages of a session's room."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from live.storage.base import Base, UTCDateTime


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_session_id_id", "session_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    author_key: Mapped[str] = mapped_column(String(80), index=True)
    author_name: Mapped[str] = mapped_column(String(64))
    author_role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    nonce: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    offset_ms: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="visible")
    address: Mapped[str | None] = mapped_column(String(64))
