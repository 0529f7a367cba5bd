"""Polls asked during a broadcast: options and one ballot per person (all SQL of polls lives here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, String, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from live.storage.base import Base, UTCDateTime


class Poll(Base):
    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    question: Mapped[str] = mapped_column(String(300))
    multiple: Mapped[bool] = mapped_column(default=False)
    open: Mapped[bool] = mapped_column(default=True)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offset_ms: Mapped[int] = mapped_column(default=0)
    closed_offset_ms: Mapped[int | None] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PollOption(Base):
    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(String(200))


class PollVote(Base):
    """One chosen option of one person's ballot (a multiple-choice ballot has several rows)."""

    __tablename__ = "poll_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), index=True)
    option_id: Mapped[int] = mapped_column(ForeignKey("poll_options.id"))
    person_key: Mapped[str] = mapped_column(String(80), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PollStore:
    """Queries of polls, on a session the service opened."""

    async def add(self, s: AsyncSession, poll: Poll, options: Sequence[str]) -> None:
        s.add(poll)
        await s.flush()
        for position, text in enumerate(options):
            s.add(PollOption(poll_id=poll.id, position=position, text=text))
        await s.flush()

    async def get(self, s: AsyncSession, poll_id: int, *, lock: bool = False) -> Poll | None:
        return await s.get(Poll, poll_id, with_for_update=lock)

    async def options(self, s: AsyncSession, poll_id: int) -> list[PollOption]:
        rows = await s.scalars(
            select(PollOption).where(PollOption.poll_id == poll_id).order_by(PollOption.position)
        )
        return list(rows)

    async def counts(self, s: AsyncSession, poll_id: int) -> dict[int, int]:
        rows = await s.execute(
            select(PollVote.option_id, func.count(PollVote.id))
            .where(PollVote.poll_id == poll_id)
            .group_by(PollVote.option_id)
        )
        return {option_id: count for option_id, count in rows}

    async def voters(self, s: AsyncSession, poll_id: int) -> int:
        count = await s.scalar(
            select(func.count(func.distinct(PollVote.person_key))).where(PollVote.poll_id == poll_id)
        )
        return int(count or 0)

    async def ballot(self, s: AsyncSession, poll_id: int, person_key: str) -> list[int]:
        rows = await s.scalars(
            select(PollVote.option_id)
            .where(PollVote.poll_id == poll_id, PollVote.person_key == person_key)
            .order_by(PollVote.option_id)
        )
        return list(rows)

    async def replace_ballot(
        self, s: AsyncSession, poll_id: int, person_key: str, option_ids: Sequence[int], now: datetime
    ) -> None:
        await s.execute(
            delete(PollVote).where(PollVote.poll_id == poll_id, PollVote.person_key == person_key)
        )
        for option_id in option_ids:
            s.add(PollVote(poll_id=poll_id, option_id=option_id, person_key=person_key, created_at=now))
        await s.flush()

    async def of_session(self, s: AsyncSession, session_id: int) -> list[Poll]:
        rows = await s.scalars(select(Poll).where(Poll.session_id == session_id).order_by(Poll.id))
        return list(rows)

    async def due(self, s: AsyncSession, now: datetime) -> list[Poll]:
        """Open polls whose end time has passed, locked so one process closes each."""
        rows = await s.scalars(
            select(Poll)
            .where(Poll.open.is_(True), Poll.closes_at.is_not(None), Poll.closes_at <= now)
            .order_by(Poll.id)
            .with_for_update(skip_locked=True)
        )
        return list(rows)

    async def open_of_session(self, s: AsyncSession, session_id: int) -> list[Poll]:
        rows = await s.scalars(
            select(Poll)
            .where(Poll.session_id == session_id, Poll.open.is_(True))
            .order_by(Poll.id)
            .with_for_update()
        )
        return list(rows)
