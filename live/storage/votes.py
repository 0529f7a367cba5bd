"""Household votes (表决) on agenda items: one ballot per verified household, open or secret,
changeable until the vote closes; every cast is logged for audit (all SQL of votes lives here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from live.storage.base import Base, UTCDateTime
from live.storage.households import Household, HouseholdMember
from live.storage.places import Building, Compound, Unit


class HouseholdVote(Base):
    __tablename__ = "household_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    question: Mapped[str] = mapped_column(String(300))
    secret: Mapped[bool] = mapped_column(default=False)
    open: Mapped[bool] = mapped_column(default=True)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    eligible_at_close: Mapped[int | None] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class HouseholdVoteOption(Base):
    __tablename__ = "household_vote_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("household_votes.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(String(200))


class HouseholdVoteScope(Base):
    """A compound or building the vote is limited to (none: the whole community)."""

    __tablename__ = "household_vote_scopes"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("household_votes.id"), index=True)
    compound_id: Mapped[int | None] = mapped_column(ForeignKey("compounds.id"))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"))


class HouseholdBallot(Base):
    """The household's current ballot: the last one cast counts."""

    __tablename__ = "household_ballots"
    __table_args__ = (UniqueConstraint("vote_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("household_votes.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    option_id: Mapped[int] = mapped_column(ForeignKey("household_vote_options.id"))
    channel: Mapped[str] = mapped_column(String(16))
    voter_key: Mapped[str | None] = mapped_column(String(80))
    voter_name: Mapped[str] = mapped_column(String(64), default="")
    entered_by: Mapped[str | None] = mapped_column(String(80))
    consent: Mapped[bool] = mapped_column(default=False)
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changes: Mapped[int] = mapped_column(default=0)


class HouseholdBallotLog(Base):
    """Every cast, for the audit; ``option_id`` is never stored for a secret vote."""

    __tablename__ = "household_ballot_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("household_votes.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    option_id: Mapped[int | None] = mapped_column(ForeignKey("household_vote_options.id"))
    channel: Mapped[str] = mapped_column(String(16))
    voter_key: Mapped[str | None] = mapped_column(String(80))
    voter_name: Mapped[str] = mapped_column(String(64), default="")
    entered_by: Mapped[str | None] = mapped_column(String(80))
    consent: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class VoteStore:
    async def add(
        self,
        s: AsyncSession,
        vote: HouseholdVote,
        options: Sequence[str],
        compounds: Sequence[int],
        buildings: Sequence[int],
    ) -> None:
        s.add(vote)
        await s.flush()
        for position, text in enumerate(options):
            s.add(HouseholdVoteOption(vote_id=vote.id, position=position, text=text))
        for compound_id in compounds:
            s.add(HouseholdVoteScope(vote_id=vote.id, compound_id=compound_id))
        for building_id in buildings:
            s.add(HouseholdVoteScope(vote_id=vote.id, building_id=building_id))
        await s.flush()

    async def get(self, s: AsyncSession, vote_id: int, *, lock: bool = False) -> HouseholdVote | None:
        return await s.get(HouseholdVote, vote_id, with_for_update=lock)

    async def of_item(self, s: AsyncSession, item_id: int) -> list[HouseholdVote]:
        rows = await s.scalars(
            select(HouseholdVote).where(HouseholdVote.item_id == item_id).order_by(HouseholdVote.id)
        )
        return list(rows)

    async def open_of_community(
        self, s: AsyncSession, community_id: int, now: datetime, limit: int
    ) -> list[int]:
        """Ids of a community's household votes still open at ``now``, newest first."""
        rows = await s.scalars(
            select(HouseholdVote.id)
            .where(
                HouseholdVote.community_id == community_id,
                HouseholdVote.open.is_(True),
                (HouseholdVote.closes_at.is_(None)) | (HouseholdVote.closes_at > now),
            )
            .order_by(HouseholdVote.id.desc())
            .limit(limit)
        )
        return list(rows)

    async def options(self, s: AsyncSession, vote_id: int) -> list[HouseholdVoteOption]:
        rows = await s.scalars(
            select(HouseholdVoteOption)
            .where(HouseholdVoteOption.vote_id == vote_id)
            .order_by(HouseholdVoteOption.position)
        )
        return list(rows)

    async def scopes(self, s: AsyncSession, vote_id: int) -> list[HouseholdVoteScope]:
        rows = await s.scalars(select(HouseholdVoteScope).where(HouseholdVoteScope.vote_id == vote_id))
        return list(rows)

    async def compounds_in(self, s: AsyncSession, community_id: int, ids: Sequence[int]) -> set[int]:
        if not ids:
            return set()
        rows = await s.scalars(
            select(Compound.id).where(Compound.community_id == community_id, Compound.id.in_(list(ids)))
        )
        return set(rows)

    async def buildings_in(self, s: AsyncSession, community_id: int, ids: Sequence[int]) -> set[int]:
        if not ids:
            return set()
        rows = await s.scalars(
            select(Building.id)
            .join(Compound, Compound.id == Building.compound_id)
            .where(Compound.community_id == community_id, Building.id.in_(list(ids)))
        )
        return set(rows)

    def _eligible_query(self, vote: HouseholdVote, scopes: Sequence[HouseholdVoteScope]) -> object:
        """Households of the vote's places that have at least one verified member."""
        verified = select(HouseholdMember.household_id).where(HouseholdMember.revoked_at.is_(None))
        query = (
            select(Household.id)
            .join(Unit, Unit.id == Household.unit_id)
            .join(Building, Building.id == Unit.building_id)
            .join(Compound, Compound.id == Building.compound_id)
            .where(Compound.community_id == vote.community_id, Household.id.in_(verified))
        )
        compounds = [sc.compound_id for sc in scopes if sc.compound_id is not None]
        buildings = [sc.building_id for sc in scopes if sc.building_id is not None]
        if compounds or buildings:
            query = query.where(Compound.id.in_(compounds) | Building.id.in_(buildings))
        return query

    async def is_eligible(
        self, s: AsyncSession, vote: HouseholdVote, scopes: Sequence[HouseholdVoteScope], household_id: int
    ) -> bool:
        query = self._eligible_query(vote, scopes).where(Household.id == household_id)  # type: ignore[attr-defined]
        return await s.scalar(query) is not None

    async def eligible_count(
        self, s: AsyncSession, vote: HouseholdVote, scopes: Sequence[HouseholdVoteScope]
    ) -> int:
        sub = self._eligible_query(vote, scopes).subquery()  # type: ignore[attr-defined]
        return int(await s.scalar(select(func.count()).select_from(sub)) or 0)

    async def ballot(self, s: AsyncSession, vote_id: int, household_id: int) -> HouseholdBallot | None:
        return await s.scalar(
            select(HouseholdBallot)
            .where(HouseholdBallot.vote_id == vote_id, HouseholdBallot.household_id == household_id)
            .with_for_update()
        )

    async def add_ballot(self, s: AsyncSession, ballot: HouseholdBallot) -> None:
        s.add(ballot)
        await s.flush()

    async def log(self, s: AsyncSession, entry: HouseholdBallotLog) -> None:
        s.add(entry)
        await s.flush()

    async def counts(self, s: AsyncSession, vote_id: int) -> dict[int, int]:
        rows = await s.execute(
            select(HouseholdBallot.option_id, func.count(HouseholdBallot.id))
            .where(HouseholdBallot.vote_id == vote_id)
            .group_by(HouseholdBallot.option_id)
        )
        return {option_id: n for option_id, n in rows}

    async def channels(self, s: AsyncSession, vote_id: int) -> dict[str, int]:
        rows = await s.execute(
            select(HouseholdBallot.channel, func.count(HouseholdBallot.id))
            .where(HouseholdBallot.vote_id == vote_id)
            .group_by(HouseholdBallot.channel)
        )
        return {channel: n for channel, n in rows}

    async def turnout(self, s: AsyncSession, vote_id: int) -> int:
        return int(
            await s.scalar(select(func.count(HouseholdBallot.id)).where(HouseholdBallot.vote_id == vote_id))
            or 0
        )

    async def ballots(self, s: AsyncSession, vote_id: int) -> list[HouseholdBallot]:
        rows = await s.scalars(
            select(HouseholdBallot).where(HouseholdBallot.vote_id == vote_id).order_by(HouseholdBallot.id)
        )
        return list(rows)

    async def log_of(self, s: AsyncSession, vote_id: int) -> list[HouseholdBallotLog]:
        rows = await s.scalars(
            select(HouseholdBallotLog)
            .where(HouseholdBallotLog.vote_id == vote_id)
            .order_by(HouseholdBallotLog.id)
        )
        return list(rows)
