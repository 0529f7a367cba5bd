"""Entries made by staff on behalf of residents without phones (网格员代录), for audit and
statistics by channel (all SQL of on-behalf entries lives here)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from live.storage.accountability import Rating
from live.storage.agenda import AgendaItem
from live.storage.base import Base, UTCDateTime
from live.storage.opinions import Opinion, OpinionSupport
from live.storage.votes import HouseholdBallot, HouseholdVote


class OnBehalfEntry(Base):
    __tablename__ = "on_behalf_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # opinion, support, rating, vote
    target_id: Mapped[int] = mapped_column()
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    resident_name: Mapped[str] = mapped_column(String(64))
    person_key: Mapped[str] = mapped_column(String(80))
    channel: Mapped[str] = mapped_column(String(16))
    consent: Mapped[bool] = mapped_column(default=True)
    entered_by: Mapped[str] = mapped_column(String(80))
    entered_by_name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OnBehalfStore:
    async def add(self, s: AsyncSession, entry: OnBehalfEntry) -> None:
        s.add(entry)
        await s.flush()

    async def of_community(
        self, s: AsyncSession, community_id: int, *, limit: int, after: int | None
    ) -> list[OnBehalfEntry]:
        query = select(OnBehalfEntry).where(OnBehalfEntry.community_id == community_id)
        if after is not None:
            query = query.where(OnBehalfEntry.id > after)
        return list(await s.scalars(query.order_by(OnBehalfEntry.id).limit(limit)))

    async def latest(self, s: AsyncSession, community_id: int, limit: int) -> list[OnBehalfEntry]:
        """The community's newest entries first."""
        query = select(OnBehalfEntry).where(OnBehalfEntry.community_id == community_id)
        return list(await s.scalars(query.order_by(OnBehalfEntry.id.desc()).limit(limit)))

    async def opinion_sources(self, s: AsyncSession, community_id: int) -> dict[str, int]:
        rows = await s.execute(
            select(Opinion.source, func.count(Opinion.id))
            .where(Opinion.community_id == community_id, Opinion.merged_into_id.is_(None))
            .group_by(Opinion.source)
        )
        return {source: n for source, n in rows}

    async def supports(self, s: AsyncSession, community_id: int) -> int:
        """Supports given to others' opinions (the author's own support is not counted)."""
        count = await s.scalar(
            select(func.count(OpinionSupport.id))
            .join(Opinion, Opinion.id == OpinionSupport.opinion_id)
            .where(Opinion.community_id == community_id, OpinionSupport.person_key != Opinion.author_key)
        )
        return int(count or 0)

    async def kind_channels(self, s: AsyncSession, community_id: int, kind: str) -> dict[str, int]:
        rows = await s.execute(
            select(OnBehalfEntry.channel, func.count(OnBehalfEntry.id))
            .where(OnBehalfEntry.community_id == community_id, OnBehalfEntry.kind == kind)
            .group_by(OnBehalfEntry.channel)
        )
        return {channel: n for channel, n in rows}

    async def ballot_channels(self, s: AsyncSession, community_id: int) -> dict[str, int]:
        rows = await s.execute(
            select(HouseholdBallot.channel, func.count(HouseholdBallot.id))
            .join(HouseholdVote, HouseholdVote.id == HouseholdBallot.vote_id)
            .where(HouseholdVote.community_id == community_id)
            .group_by(HouseholdBallot.channel)
        )
        return {channel: n for channel, n in rows}

    async def rating_channels(self, s: AsyncSession, community_id: int) -> dict[str, int]:
        """Ratings of the community's items (one per person and round), by channel."""
        rows = await s.execute(
            select(Rating.channel, func.count(Rating.id))
            .join(AgendaItem, AgendaItem.id == Rating.item_id)
            .where(AgendaItem.community_id == community_id)
            .group_by(Rating.channel)
        )
        return {channel: n for channel, n in rows}
