"""Accountability: responsible parties, their assignments to agenda items, progress notes,
limit extensions, satisfaction ratings, time-limit settings, calendar corrections, job locks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from live.storage.accounts import User
from live.storage.agenda import AgendaItem
from live.storage.base import Base, UTCDateTime


class Party(Base):
    """A responsible party: of a community, or of the subdistrict when ``community_id`` is null."""

    __tablename__ = "parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    contact: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Assignment(Base):
    """One party's part in an item: ``lead`` or ``support``; ``ended_at`` when reassigned."""

    __tablename__ = "agenda_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assigned_by: Mapped[str] = mapped_column(String(80))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Progress(Base):
    """A progress note by a party's account or a moderator, with photos (urls under /files/)."""

    __tablename__ = "agenda_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"))
    actor_key: Mapped[str] = mapped_column(String(80))
    actor_name: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    photos: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Extension(Base):
    """A limit pushed back by some working days, with its public reason."""

    __tablename__ = "agenda_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    which: Mapped[str] = mapped_column(String(16))
    days: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
    previous_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Rating(Base):
    """A participant's rating of a resolved item; ``round`` counts reopenings (one per round)."""

    __tablename__ = "agenda_ratings"
    __table_args__ = (UniqueConstraint("item_id", "round", "person_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    round: Mapped[int] = mapped_column(default=0)
    person_key: Mapped[str] = mapped_column(String(80))
    household_id: Mapped[int | None] = mapped_column()
    rating: Mapped[str] = mapped_column(String(24))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: How it came in: ``form`` (the resident's own), ``on_behalf`` or ``paper`` (entered by staff).
    channel: Mapped[str] = mapped_column(String(16), default="form", server_default="form")


class LimitOverride(Base):
    """A community's own limits for a category (working days)."""

    __tablename__ = "limit_overrides"
    __table_args__ = (UniqueConstraint("community_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    category: Mapped[str] = mapped_column(String(32))
    response_days: Mapped[int | None] = mapped_column()
    resolve_days: Mapped[int | None] = mapped_column()


class CalendarDay(Base):
    """An admin's correction of the official calendar (a year the library does not know yet)."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool] = mapped_column()
    note: Mapped[str] = mapped_column(String(128), default="")


class JobLock(Base):
    """One row per scheduled job: the process holding it until ``until``."""

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    until: Mapped[datetime] = mapped_column(UTCDateTime())


# ---- queries (inside the caller's transaction) ------------------------------------------------


async def corrections(s: AsyncSession) -> dict[date, bool]:
    rows = await s.execute(select(CalendarDay.day, CalendarDay.workday))
    return {day: bool(workday) for day, workday in rows}


async def add_party(s: AsyncSession, party: Party) -> None:
    """Stores a new party, flushed (its id is known)."""
    s.add(party)
    await s.flush()


def add(
    s: AsyncSession, row: Assignment | Progress | Extension | Rating | LimitOverride | CalendarDay
) -> None:
    """A new row of the item's accountability, written with the transaction."""
    s.add(row)


async def delete_calendar_day(s: AsyncSession, day: CalendarDay) -> None:
    await s.delete(day)


async def get_party(s: AsyncSession, party_id: int) -> Party | None:
    return await s.get(Party, party_id)


async def parties_of(
    s: AsyncSession, community_id: int | None, *, with_subdistrict: bool = True
) -> list[Party]:
    query = select(Party)
    if community_id is not None:
        cond = Party.community_id == community_id
        query = query.where(or_(cond, Party.community_id.is_(None)) if with_subdistrict else cond)
    return list((await s.execute(query.order_by(Party.id))).scalars())


async def parties_by_ids(s: AsyncSession, ids: Iterable[int]) -> dict[int, Party]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {p.id: p for p in (await s.execute(select(Party).where(Party.id.in_(wanted)))).scalars()}


async def party_names(s: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await s.execute(select(Party.id, Party.name).where(Party.id.in_(wanted)))
    return {pid: name for pid, name in rows}


async def active_assignments(s: AsyncSession, item_id: int) -> list[Assignment]:
    rows = await s.execute(
        select(Assignment)
        .where(Assignment.item_id == item_id, Assignment.ended_at.is_(None))
        .order_by(Assignment.id)
    )
    return list(rows.scalars())


async def assignments(s: AsyncSession, item_id: int) -> list[Assignment]:
    rows = await s.execute(select(Assignment).where(Assignment.item_id == item_id).order_by(Assignment.id))
    return list(rows.scalars())


async def progress_of(s: AsyncSession, item_id: int) -> list[Progress]:
    rows = await s.execute(select(Progress).where(Progress.item_id == item_id).order_by(Progress.id))
    return list(rows.scalars())


async def extensions_of(s: AsyncSession, item_id: int) -> list[Extension]:
    rows = await s.execute(select(Extension).where(Extension.item_id == item_id).order_by(Extension.id))
    return list(rows.scalars())


async def ratings_of(s: AsyncSession, item_id: int, round_: int | None = None) -> list[Rating]:
    query = select(Rating).where(Rating.item_id == item_id)
    if round_ is not None:
        query = query.where(Rating.round == round_)
    return list((await s.execute(query.order_by(Rating.id))).scalars())


async def rating_of(s: AsyncSession, item_id: int, round_: int, person_key: str) -> Rating | None:
    return await s.scalar(
        select(Rating).where(
            Rating.item_id == item_id, Rating.round == round_, Rating.person_key == person_key
        )
    )


async def override(s: AsyncSession, community_id: int, category: str) -> LimitOverride | None:
    return await s.scalar(
        select(LimitOverride).where(
            LimitOverride.community_id == community_id, LimitOverride.category == category
        )
    )


async def party_accounts(s: AsyncSession, party_ids: Iterable[int]) -> list[str]:
    wanted = sorted(set(party_ids))
    if not wanted:
        return []
    rows = await s.execute(
        select(User.id).where(User.party_id.in_(wanted), User.role == "party", User.disabled.is_(False))
    )
    return [f"u:{uid}" for uid in rows.scalars()]


async def staff_of(s: AsyncSession, community_id: int) -> list[str]:
    """Moderators and hosts of a community (they follow up on its items)."""
    rows = await s.execute(
        select(User.id).where(
            User.community_id == community_id,
            User.role.in_(("moderator", "host")),
            User.disabled.is_(False),
        )
    )
    return [f"u:{uid}" for uid in rows.scalars()]


async def admins(s: AsyncSession) -> list[str]:
    rows = await s.execute(select(User.id).where(User.role == "admin", User.disabled.is_(False)))
    return [f"u:{uid}" for uid in rows.scalars()]


async def tracked_items(s: AsyncSession, community_id: int | None = None) -> list[AgendaItem]:
    """Items with a lead party that are still open (the scheduled job looks at these), of one
    community or all."""
    query = select(AgendaItem).where(
        AgendaItem.party_id.is_not(None), AgendaItem.status.not_in(("resolved", "closed"))
    )
    if community_id is not None:
        query = query.where(AgendaItem.community_id == community_id)
    return list((await s.execute(query.order_by(AgendaItem.id))).scalars())


class TrackedDue(NamedTuple):
    """What the board's per-party table needs of one tracked item (core columns, no ORM row)."""

    party_id: int
    status: str
    resolve_due_at: datetime | None
    overdue_at: datetime | None


async def tracked_dues(s: AsyncSession, community_id: int | None = None) -> list[TrackedDue]:
    """:func:`tracked_items`' party, state and limits only: a board over five years of items
    builds no ORM object per item."""
    query = select(
        AgendaItem.party_id, AgendaItem.status, AgendaItem.resolve_due_at, AgendaItem.overdue_at
    ).where(AgendaItem.party_id.is_not(None), AgendaItem.status.not_in(("resolved", "closed")))
    if community_id is not None:
        query = query.where(AgendaItem.community_id == community_id)
    rows = await s.execute(query.order_by(AgendaItem.id))
    return [TrackedDue(p, st, due, late) for p, st, due, late in rows.all() if p is not None]


async def items_of_party(s: AsyncSession, party_id: int) -> list[AgendaItem]:
    current = select(Assignment.item_id).where(Assignment.party_id == party_id, Assignment.ended_at.is_(None))
    rows = await s.execute(
        select(AgendaItem).where(AgendaItem.id.in_(current)).order_by(AgendaItem.id.desc())
    )
    return list(rows.scalars())


async def claim_flag(s: AsyncSession, item_id: int, column: str, now: datetime) -> bool:
    """Set one of the job's flags (``due_soon_at``, ``overdue_at``, …) if still unset: True for
    exactly one caller, however many processes race for it."""
    col = getattr(AgendaItem, column)
    result = await s.execute(
        update(AgendaItem).where(AgendaItem.id == item_id, col.is_(None)).values({column: now})
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def take_lock(s: AsyncSession, name: str, holder: str, now: datetime, until: datetime) -> bool:
    """Hold the job lock ``name`` until ``until`` unless someone else holds it now."""
    result = await s.execute(
        update(JobLock)
        .where(JobLock.name == name, or_(JobLock.until <= now, JobLock.holder == holder))
        .values(holder=holder, until=until)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def ensure_lock_row(s: AsyncSession, name: str, now: datetime) -> None:
    if await s.get(JobLock, name) is None:
        s.add(JobLock(name=name, holder="", until=now))


async def release_lock(s: AsyncSession, name: str, holder: str, now: datetime) -> None:
    await s.execute(update(JobLock).where(JobLock.name == name, JobLock.holder == holder).values(until=now))


async def all_items(s: AsyncSession, community_id: int | None = None) -> list[AgendaItem]:
    query = select(AgendaItem)
    if community_id is not None:
        query = query.where(AgendaItem.community_id == community_id)
    return list((await s.execute(query.order_by(AgendaItem.id))).scalars())


async def all_ratings(s: AsyncSession, item_ids: Iterable[int]) -> list[Rating]:
    wanted = sorted(set(item_ids))
    found: list[Rating] = []
    for start in range(0, len(wanted), 500):
        rows = await s.execute(select(Rating).where(Rating.item_id.in_(wanted[start : start + 500])))
        found.extend(rows.scalars())
    return found


async def overrides_with_slugs(s: AsyncSession) -> list[tuple[LimitOverride, str]]:
    """Every community's own limits, with the community's slug."""
    from live.storage.places import Community

    rows = await s.execute(
        select(LimitOverride, Community.slug).join(Community, Community.id == LimitOverride.community_id)
    )
    return [(o, slug) for o, slug in rows]


async def calendar_day(s: AsyncSession, day: date) -> CalendarDay | None:
    return await s.get(CalendarDay, day)


async def calendar_days(s: AsyncSession) -> list[CalendarDay]:
    """The corrected days, in date order."""
    return list((await s.execute(select(CalendarDay).order_by(CalendarDay.day))).scalars())
