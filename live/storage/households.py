"""Households (户): the last level of places, a room of a unit; who is a verified member of
which household; the one-time codes a moderator hands over at the door.

``HouseholdStore`` holds every query about households; services call it and hold the rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from live.storage.accounts import User
from live.storage.base import Base, UTCDateTime
from live.storage.db import Database
from live.storage.places import Building, Community, Compound, Unit


class Household(Base):
    """A household (户): one room of a stairwell unit."""

    __tablename__ = "households"
    __table_args__ = (UniqueConstraint("unit_id", "room"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    room: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HouseholdMember(Base):
    """A resident's verified membership of a household; ``revoked_at`` ends it (kept for the record)."""

    __tablename__ = "household_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(16))  # "code" or "staff"
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime())
    verified_by: Mapped[str] = mapped_column(String(80))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(80))


class HouseholdCode(Base):
    """A one-time code (8 characters) that makes its redeemer a verified member of a household."""

    __tablename__ = "household_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


@dataclass(frozen=True)
class HouseholdPlace:
    """A household with the places above it (for labels and community scoping)."""

    household: Household
    unit: Unit
    building: Building
    compound: Compound
    community: Community

    @property
    def id(self) -> int:
        return self.household.id

    @property
    def community_id(self) -> int:
        return self.community.id

    @property
    def label(self) -> str:
        """E.g. ``阳光小区 3栋 2单元 301``: the place names as the admins wrote them, then the room."""
        return f"{self.compound.name} {self.building.name} {self.unit.name} {self.household.room}"


@dataclass(frozen=True)
class UnitPlace:
    unit: Unit
    building: Building
    compound: Compound
    community: Community

    @property
    def label(self) -> str:
        return f"{self.compound.name} {self.building.name} {self.unit.name}"


@dataclass(frozen=True)
class Membership:
    member: HouseholdMember
    place: HouseholdPlace


def _place_query() -> object:
    return (
        select(Household, Unit, Building, Compound, Community)
        .join(Unit, Unit.id == Household.unit_id)
        .join(Building, Building.id == Unit.building_id)
        .join(Compound, Compound.id == Building.compound_id)
        .join(Community, Community.id == Compound.community_id)
    )


class HouseholdStore:
    """Every query about households, memberships and household codes."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- places ------------------------------------------------------------------------------

    async def unit(self, unit_id: int) -> UnitPlace | None:
        async with self.db.read() as s:
            return await unit_place(s, unit_id)

    async def place(self, household_id: int) -> HouseholdPlace | None:
        async with self.db.read() as s:
            return await household_place(s, household_id)

    async def user_role(self, user_id: int) -> str | None:
        """The account's role, None when there is no such account."""
        async with self.db.read() as s:
            return await s.scalar(select(User.role).where(User.id == user_id))

    async def user_id_with_phone(self, phone: str) -> int | None:
        async with self.db.read() as s:
            return await s.scalar(select(User.id).where(User.phone == phone))

    async def units_of(self, community_id: int) -> list[UnitPlace]:
        """A community's units with their buildings and compounds, in place order."""
        async with self.db.read() as s:
            rows = await s.execute(
                select(Unit, Building, Compound, Community)
                .join(Building, Building.id == Unit.building_id)
                .join(Compound, Compound.id == Building.compound_id)
                .join(Community, Community.id == Compound.community_id)
                .where(Community.id == community_id)
                .order_by(Compound.id, Building.id, Unit.id)
                .limit(5000)
            )
            return [UnitPlace(*row) for row in rows]

    async def households_of_unit(self, unit_id: int) -> list[Household]:
        async with self.db.read() as s:
            rows = await s.execute(
                select(Household).where(Household.unit_id == unit_id).order_by(Household.room)
            )
            return list(rows.scalars())

    async def find_or_create(self, unit_id: int, room: str, now: datetime) -> tuple[HouseholdPlace, bool]:
        """The household (unit, room), created if it is new; True when it was created. Two
        processes creating it at once: one insert wins, the other raises ``Duplicate``."""
        async with self.db.transaction() as s:
            existing = await s.scalar(
                select(Household.id).where(Household.unit_id == unit_id, Household.room == room)
            )
            household = await _household_in(s, unit_id, room, now)
            place = await household_place(s, household.id)
        assert place is not None
        return place, existing is None

    async def rooms_of_unit(self, unit_id: int, limit: int = 1000) -> list[tuple[Household, int]]:
        """A unit's households in room order, each with its number of verified members."""
        async with self.db.read() as s:
            rows = await s.execute(
                select(Household, func.count(HouseholdMember.id))
                .outerjoin(
                    HouseholdMember,
                    (HouseholdMember.household_id == Household.id) & HouseholdMember.revoked_at.is_(None),
                )
                .where(Household.unit_id == unit_id)
                .group_by(Household.id)
                .order_by(Household.room)
                .limit(limit)
            )
            return [(household, int(n)) for household, n in rows]

    # -- codes -------------------------------------------------------------------------------

    async def issue_code(
        self, unit_id: int, room: str, code: str, created_by: str, now: datetime, expires_at: datetime
    ) -> tuple[HouseholdCode, HouseholdPlace]:
        """Create the household (unit, room) if it is new, and a code for it."""
        async with self.db.transaction() as s:
            household = await _household_in(s, unit_id, room, now)
            row = HouseholdCode(
                code=code,
                household_id=household.id,
                created_by=created_by,
                created_at=now,
                expires_at=expires_at,
            )
            s.add(row)
            await s.flush()
            place = await household_place(s, household.id)
        assert place is not None
        return row, place

    async def code(self, code: str) -> HouseholdCode | None:
        async with self.db.read() as s:
            return (
                await s.execute(select(HouseholdCode).where(HouseholdCode.code == code))
            ).scalar_one_or_none()

    async def redeem(self, code_id: int, user_id: int, now: datetime) -> bool:
        """Mark a code used by ``user_id`` and make them a member (ending any other membership),
        atomically; False if someone else used the code first."""
        async with self.db.transaction() as s:
            used = await s.execute(
                update(HouseholdCode)
                .where(HouseholdCode.id == code_id, HouseholdCode.used_at.is_(None))
                .values(used_at=now, used_by=user_id)
            )
            if used.rowcount != 1:  # type: ignore[attr-defined]
                return False
            household_id = await s.scalar(
                select(HouseholdCode.household_id).where(HouseholdCode.id == code_id)
            )
            assert household_id is not None
            await _make_member(s, household_id, user_id, "code", f"u:{user_id}", now)
        return True

    # -- memberships -------------------------------------------------------------------------

    async def verify(self, unit_id: int, room: str, user_id: int, by: str, now: datetime) -> HouseholdPlace:
        """Staff verify a resident on the spot (or move them): membership of (unit, room)."""
        async with self.db.transaction() as s:
            household = await _household_in(s, unit_id, room, now)
            await _make_member(s, household.id, user_id, "staff", by, now)
            place = await household_place(s, household.id)
        assert place is not None
        return place

    async def revoke(self, user_id: int, by: str, now: datetime) -> HouseholdPlace | None:
        """End a resident's membership; the household it was, or None if they had none."""
        async with self.db.transaction() as s:
            member = await _active(s, user_id)
            if member is None:
                return None
            member.revoked_at = now
            member.revoked_by = by
            await s.flush()
            await recount_for_user(s, user_id)
            return await household_place(s, member.household_id)

    async def membership(self, user_id: int) -> Membership | None:
        async with self.db.read() as s:
            member = await _active(s, user_id)
            if member is None:
                return None
            place = await household_place(s, member.household_id)
        assert place is not None
        return Membership(member, place)

    async def household_of(self, user_id: int) -> int | None:
        """The id of the household ``user_id`` is a verified member of, if any."""
        async with self.db.read() as s:
            return await household_of(s, user_id)

    async def members(self, household_id: int) -> list[HouseholdMember]:
        async with self.db.read() as s:
            rows = await s.execute(
                select(HouseholdMember)
                .where(HouseholdMember.household_id == household_id, HouseholdMember.revoked_at.is_(None))
                .order_by(HouseholdMember.id)
            )
            return list(rows.scalars())

    async def households_of_users(self, user_ids: Iterable[int]) -> dict[int, int]:
        """user id -> household id, for those of ``user_ids`` who are verified members."""
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        async with self.db.read() as s:
            return await households_of_users(s, ids)

    async def memberships_in(self, community_id: int, limit: int = 500) -> list[Membership]:
        """The community's current memberships, newest first (for the staff page)."""
        async with self.db.read() as s:
            rows = await s.execute(
                select(HouseholdMember)
                .join(Household, Household.id == HouseholdMember.household_id)
                .join(Unit, Unit.id == Household.unit_id)
                .join(Building, Building.id == Unit.building_id)
                .join(Compound, Compound.id == Building.compound_id)
                .where(Compound.community_id == community_id, HouseholdMember.revoked_at.is_(None))
                .order_by(HouseholdMember.id.desc())
                .limit(limit)
            )
            result = []
            for member in rows.scalars():
                place = await household_place(s, member.household_id)
                assert place is not None
                result.append(Membership(member, place))
            return result

    async def count_verified(self, community_id: int) -> int:
        async with self.db.read() as s:
            return (
                await s.scalar(
                    select(func.count(func.distinct(HouseholdMember.household_id)))
                    .join(Household, Household.id == HouseholdMember.household_id)
                    .join(Unit, Unit.id == Household.unit_id)
                    .join(Building, Building.id == Unit.building_id)
                    .join(Compound, Compound.id == Building.compound_id)
                    .where(Compound.community_id == community_id, HouseholdMember.revoked_at.is_(None))
                )
                or 0
            )


# -- helpers usable inside another store's transaction --------------------------------------


async def unit_place(s: AsyncSession, unit_id: int) -> UnitPlace | None:
    row = (
        await s.execute(
            select(Unit, Building, Compound, Community)
            .join(Building, Building.id == Unit.building_id)
            .join(Compound, Compound.id == Building.compound_id)
            .join(Community, Community.id == Compound.community_id)
            .where(Unit.id == unit_id)
        )
    ).one_or_none()
    return UnitPlace(*row) if row is not None else None


async def get_household(s: AsyncSession, household_id: int) -> Household | None:
    return await s.get(Household, household_id)


async def household_place(s: AsyncSession, household_id: int) -> HouseholdPlace | None:
    query = _place_query().where(Household.id == household_id)  # type: ignore[attr-defined]
    row = (await s.execute(query)).one_or_none()
    return HouseholdPlace(*row) if row is not None else None


async def household_of(s: AsyncSession, user_id: int) -> int | None:
    member = await _active(s, user_id)
    return member.household_id if member is not None else None


async def households_of_users(s: AsyncSession, user_ids: Sequence[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for start in range(0, len(user_ids), 500):
        rows = await s.execute(
            select(HouseholdMember.user_id, HouseholdMember.household_id).where(
                HouseholdMember.user_id.in_(user_ids[start : start + 500]),
                HouseholdMember.revoked_at.is_(None),
            )
        )
        found.update({user_id: household_id for user_id, household_id in rows})
    return found


async def _active(s: AsyncSession, user_id: int) -> HouseholdMember | None:
    return (
        await s.execute(
            select(HouseholdMember)
            .where(HouseholdMember.user_id == user_id, HouseholdMember.revoked_at.is_(None))
            .order_by(HouseholdMember.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def _household_in(s: AsyncSession, unit_id: int, room: str, now: datetime) -> Household:
    existing = (
        await s.execute(select(Household).where(Household.unit_id == unit_id, Household.room == room))
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    household = Household(unit_id=unit_id, room=room, created_at=now)
    s.add(household)
    await s.flush()
    return household


async def recount_for_user(s: AsyncSession, user_id: int) -> None:
    from live.storage.support_counts import recount_for_user as recount

    await recount(s, user_id)


async def _make_member(
    s: AsyncSession, household_id: int, user_id: int, method: str, by: str, now: datetime
) -> None:
    """One current household per resident: joining one ends the membership of another."""
    current = await _active(s, user_id)
    if current is not None:
        if current.household_id == household_id:
            return
        current.revoked_at = now
        current.revoked_by = by
    s.add(
        HouseholdMember(
            household_id=household_id, user_id=user_id, method=method, verified_at=now, verified_by=by
        )
    )
    await s.flush()
    await recount_for_user(s, user_id)
