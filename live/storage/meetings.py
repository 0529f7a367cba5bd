"""Offline deliberation meetings and the agenda items each discussed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from live.storage.base import Base, UTCDateTime

MEETING_FORMATS = (
    "roundtable",
    "one_issue",
    "peacemaker",
    "monday_face_to_face",
    "streetlamp",
    "family",
    "stairwell",
)


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    format: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(200))
    attendance: Mapped[int | None] = mapped_column()
    minutes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MeetingItem(Base):
    __tablename__ = "meeting_items"
    __table_args__ = (UniqueConstraint("meeting_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    decision: Mapped[str] = mapped_column(Text, default="")
