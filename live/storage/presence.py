"""Durable traces of presence: viewer-count samples and who watched each session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from live.storage.base import Base, UTCDateTime


class ViewerSample(Base):
    __tablename__ = "viewer_samples"
    __table_args__ = (Index("ix_viewer_samples_session_id_at", "session_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    viewers: Mapped[int] = mapped_column()


class SessionViewer(Base):
    """One row per distinct person who joined a session, for the `unique` count."""

    __tablename__ = "session_viewers"
    __table_args__ = (UniqueConstraint("session_id", "person_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    person_key: Mapped[str] = mapped_column(String(80))
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
