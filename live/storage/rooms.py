"""Live sessions (broadcasts) and their room state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from live.storage.base import Base, UTCDateTime


class LiveSession(Base):
    __tablename__ = "live_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="scheduled", index=True)
    stream_key: Mapped[str] = mapped_column(String(64), unique=True)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    chat_open: Mapped[bool] = mapped_column(default=True)
    slow_mode_s: Mapped[int] = mapped_column(default=0)
    pinned_message_id: Mapped[int | None] = mapped_column()
    peak_viewers: Mapped[int] = mapped_column(default=0)
    unique_viewers: Mapped[int] = mapped_column(default=0)
    recording_path: Mapped[str | None] = mapped_column(String(255))
    recording_duration_s: Mapped[float | None] = mapped_column()
    recording_bytes: Mapped[int | None] = mapped_column()


class SessionAgendaItem(Base):
    """An agenda item the host means to report on during a session."""

    __tablename__ = "session_agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"))
