"""Opinions residents raise, their categories and "me too" supports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from live.storage.base import Base, UTCDateTime


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    response_days: Mapped[int] = mapped_column(default=2)  # working days to respond
    resolve_days: Mapped[int] = mapped_column(default=15)  # working days to resolve


class Opinion(Base):
    __tablename__ = "opinions"
    __table_args__ = (
        Index("ix_opinions_community_id_id", "community_id", "id"),
        Index("ix_opinions_community_id_status_id", "community_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32), default="other")
    location: Mapped[str | None] = mapped_column(String(200))
    compound_id: Mapped[int | None] = mapped_column(ForeignKey("compounds.id"))
    source: Mapped[str] = mapped_column(String(16), default="web")
    session_id: Mapped[int | None] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    offset_ms: Mapped[int | None] = mapped_column()
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    author_key: Mapped[str] = mapped_column(String(80))
    author_name: Mapped[str] = mapped_column(String(64), default="")
    contact: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("opinions.id"))
    reject_reason: Mapped[str | None] = mapped_column(String(32))
    reject_note: Mapped[str | None] = mapped_column(Text)
    supporters: Mapped[int] = mapped_column(default=1)
    public: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # a voice message (file name under LIVE_DATA_DIR/uploads/) and its length; photos as
    # [{"file": name, "thumb": name}]: see live/services/uploads.py
    voice_file: Mapped[str | None] = mapped_column(String(80))
    voice_duration_s: Mapped[float | None] = mapped_column(Float())  # as migration 0006 made it
    photos: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)


class OpinionSupport(Base):
    __tablename__ = "opinion_supports"
    __table_args__ = (UniqueConstraint("opinion_id", "person_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(ForeignKey("opinions.id"), index=True)
    person_key: Mapped[str] = mapped_column(String(80))
    #: The supporter's account when they were signed in (how verified households are counted).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
