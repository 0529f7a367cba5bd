"""Moderation: bans, mutes, the word list and the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from live.clock import Clock, aware
from live.storage.base import Base, UTCDateTime
from live.storage.db import Database


class Ban(Base):
    __tablename__ = "bans"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    person_key: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(80))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Mute(Base):
    __tablename__ = "mutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    person_key: Mapped[str] = mapped_column(String(80), index=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The muted person's address when muted (a fresh identity from it stays muted).
    address: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")


class Word(Base):
    """A word-list entry: chat messages containing it are held for review."""

    __tablename__ = "words"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    actor_key: Mapped[str] = mapped_column(String(80))
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str | None] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditStore:
    """Writes audit entries for actions outside a live session (households, accounts)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def record(
        self,
        community_id: int | None,
        actor_key: str,
        actor_name: str,
        action: str,
        target: str | None,
        reason: str = "",
    ) -> None:
        async with self.db.transaction() as s:
            s.add(
                AuditEntry(
                    community_id=community_id,
                    session_id=None,
                    actor_key=actor_key,
                    actor_name=actor_name[:64],
                    action=action,
                    target=target,
                    reason=reason,
                    at=self.clock.now(),
                )
            )


async def active_sanctions(
    s: AsyncSession, community_id: int, now: datetime
) -> tuple[list[tuple[str, str | None]], dict[str, datetime]]:
    """A community's bans in force (person, address) and mutes running (person → until)."""
    bans = await s.execute(
        select(Ban.person_key, Ban.address).where(Ban.community_id == community_id, Ban.lifted_at.is_(None))
    )
    mutes = await s.execute(
        select(Mute.person_key, func.max(Mute.until))
        .where(Mute.community_id == community_id, Mute.until > now)
        .group_by(Mute.person_key)
    )
    return [(k, a) for k, a in bans.all()], {k: aware(u) for k, u in mutes.all() if u is not None}
