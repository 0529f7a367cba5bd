"""Agenda items, their source opinions, their timeline, followers and inboxes."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    ScalarSelect,
    Select,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from live.statuses import AGENDA_FINISHED
from live.storage.base import Base, UTCDateTime

if TYPE_CHECKING:
    from live.storage.meetings import Meeting
    from live.storage.opinions import Opinion
    from live.storage.places import Community

SelectT = TypeVar("SelectT", bound="Select[*tuple[Any, ...]]")


class AgendaItem(Base):
    __tablename__ = "agenda_items"
    __table_args__ = (Index("ix_agenda_items_community_id_id", "community_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(32), default="other")
    location: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="proposed", index=True)
    responsible: Mapped[str | None] = mapped_column(String(128))
    due_date: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(Text)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    #: People who support the item's opinions (each once) and their distinct verified households.
    supporters: Mapped[int] = mapped_column(default=0, server_default="0")
    verified_households: Mapped[int] = mapped_column(default=0, server_default="0")
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # accountability (issue 10): the lead party, its limits and what the scheduled job has done
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_days: Mapped[int | None] = mapped_column()
    resolve_days: Mapped[int | None] = mapped_column()
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolve_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_soon_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extensions: Mapped[int] = mapped_column(default=0)
    rating_round: Mapped[int] = mapped_column(default=0)


class AgendaOpinion(Base):
    __tablename__ = "agenda_opinions"
    __table_args__ = (UniqueConstraint("item_id", "opinion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    opinion_id: Mapped[int] = mapped_column(ForeignKey("opinions.id"), index=True)


class AgendaEvent(Base):
    __tablename__ = "agenda_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")  # the person's own words, as typed
    kind: Mapped[str] = mapped_column(String(32), default="note")  # live.services.notices.TimelineKind
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Follow(Base):
    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("item_id", "person_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    person_key: Mapped[str] = mapped_column(String(80), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InboxEntry(Base):
    __tablename__ = "inbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_key: Mapped[str] = mapped_column(String(80), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"))
    kind: Mapped[str] = mapped_column(String(48))  # live.services.notices.InboxKind
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read: Mapped[bool] = mapped_column(default=False)


# -- queries ------------------------------------------------------------------------------------


async def open_items(s: AsyncSession, community_id: int, limit: int) -> list[AgendaItem]:
    """A community's unfinished agenda items, newest first."""
    query = (
        select(AgendaItem)
        .where(AgendaItem.community_id == community_id, AgendaItem.status.not_in(AGENDA_FINISHED))
        .order_by(AgendaItem.id.desc())
        .limit(limit)
    )
    return list((await s.execute(query)).scalars())


async def open_item_ids(s: AsyncSession, community_id: int, ids: list[int]) -> set[int]:
    """Which of ``ids`` are unfinished agenda items of the community."""
    if not ids:
        return set()
    query = select(AgendaItem.id).where(
        AgendaItem.id.in_(ids),
        AgendaItem.community_id == community_id,
        AgendaItem.status.not_in(AGENDA_FINISHED),
    )
    return set((await s.execute(query)).scalars())


async def item_ids_in_community(s: AsyncSession, community_id: int, ids: list[int]) -> set[int]:
    """Which of ``ids`` are agenda items of the community (in any state)."""
    if not ids:
        return set()
    query = select(AgendaItem.id).where(AgendaItem.id.in_(ids), AgendaItem.community_id == community_id)
    return set((await s.execute(query)).scalars())


async def get_item(s: AsyncSession, item_id: int, *, lock: bool = False) -> AgendaItem | None:
    return await s.get(AgendaItem, item_id, with_for_update=lock)


async def item_with_community(s: AsyncSession, item_id: int) -> tuple[AgendaItem, Community] | None:
    """The item and its community, in one query (the item page)."""
    from live.storage.places import Community

    row = (
        await s.execute(
            select(AgendaItem, Community)
            .join(Community, Community.id == AgendaItem.community_id)
            .where(AgendaItem.id == item_id)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def meeting_with_decision(s: AsyncSession, meeting_id: int, item_id: int) -> tuple[Meeting, str] | None:
    """A meeting and what it decided about one item ("" if nothing), in one query."""
    from live.storage.meetings import Meeting, MeetingItem

    row = (
        await s.execute(
            select(Meeting, MeetingItem.decision)
            .outerjoin(MeetingItem, (MeetingItem.meeting_id == Meeting.id) & (MeetingItem.item_id == item_id))
            .where(Meeting.id == meeting_id)
        )
    ).first()
    return (row[0], row[1] or "") if row is not None else None


async def lock_item(s: AsyncSession, item_id: int) -> AgendaItem | None:
    """The item, locked for the rest of the transaction (``SELECT … FOR UPDATE``)."""
    return await get_item(s, item_id, lock=True)


async def item_opinion_totals(s: AsyncSession, item_id: int) -> tuple[int, int]:
    """How many opinions an item was made of, and their supporters in all."""
    from live.storage.opinions import Opinion

    row = (
        await s.execute(
            select(func.count(Opinion.id), func.coalesce(func.sum(Opinion.supporters), 0))
            .join(AgendaOpinion, AgendaOpinion.opinion_id == Opinion.id)
            .where(AgendaOpinion.item_id == item_id)
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


async def add_item(s: AsyncSession, item: AgendaItem) -> None:
    """Stores a new item, flushed (its id is known)."""
    s.add(item)
    await s.flush()


async def is_linked(s: AsyncSession, item_id: int, opinion_id: int) -> bool:
    found = await s.scalar(
        select(AgendaOpinion.id).where(
            AgendaOpinion.item_id == item_id, AgendaOpinion.opinion_id == opinion_id
        )
    )
    return found is not None


def link_opinion(s: AsyncSession, item_id: int, opinion_id: int) -> None:
    s.add(AgendaOpinion(item_id=item_id, opinion_id=opinion_id))


def add_event(s: AsyncSession, event: AgendaEvent) -> None:
    """One step of the item's timeline."""
    s.add(event)


async def recount_item(s: AsyncSession, item: AgendaItem) -> None:
    """After linking opinions: flushes the links, recounts the item's supporters and households,
    and reads the item again with its new totals."""
    from live.storage.support_counts import recount_items

    await s.flush()
    await recount_items(s, [item.id])
    await s.refresh(item)


async def opinions_of_item(s: AsyncSession, item_id: int) -> list[Opinion]:
    """The item's source opinions, in id order."""
    from live.storage.opinions import Opinion

    query = (
        select(Opinion)
        .join(AgendaOpinion, AgendaOpinion.opinion_id == Opinion.id)
        .where(AgendaOpinion.item_id == item_id)
        .order_by(Opinion.id)
    )
    return list((await s.execute(query)).scalars())


async def timeline(s: AsyncSession, item_id: int) -> list[AgendaEvent]:
    """An item's events in the order they happened (an event entered later about an earlier
    moment, such as a paper record, takes its place by time)."""
    query = select(AgendaEvent).where(AgendaEvent.item_id == item_id).order_by(AgendaEvent.at, AgendaEvent.id)
    return list((await s.execute(query)).scalars())


async def items_in_status(s: AsyncSession, community_id: int, status: str, limit: int) -> list[AgendaItem]:
    """A community's items in one status, newest first."""
    rows = await s.scalars(
        select(AgendaItem)
        .where(AgendaItem.community_id == community_id, AgendaItem.status == status)
        .order_by(AgendaItem.id.desc())
        .limit(limit)
    )
    return list(rows)


async def items_page(
    s: AsyncSession,
    *,
    community_id: ScalarSelect[int] | None,
    status: str | None,
    category: str | None,
    location: str | None,
    limit: int,
    after: int | None,
) -> list[tuple[AgendaItem, str, str | None]]:
    """Items newest first (by id), each with its community's slug and its lead party's name,
    filtered (one query whatever the rows)."""
    from live.storage.accountability import Party
    from live.storage.places import Community

    query = (
        select(AgendaItem, Community.slug, Party.name)
        .join(Community, Community.id == AgendaItem.community_id)
        .outerjoin(Party, Party.id == AgendaItem.party_id)
    )
    query = _filtered(query, community_id, status, category, location)
    if after is not None:
        query = query.where(AgendaItem.id < after)
    rows = await s.execute(query.order_by(AgendaItem.id.desc()).limit(limit))
    return [(item, slug, party) for item, slug, party in rows]


def _filtered(
    query: SelectT,
    community_id: ScalarSelect[int] | None,
    status: str | None,
    category: str | None,
    location: str | None,
) -> SelectT:
    if community_id is not None:
        query = query.where(AgendaItem.community_id == community_id)
    if status:
        query = query.where(AgendaItem.status == status)
    if category:
        query = query.where(AgendaItem.category == category)
    if location:
        query = query.where(AgendaItem.location.contains(location, autoescape=True))
    return query


async def newest_per_state(
    s: AsyncSession,
    *,
    community_id: ScalarSelect[int] | None,
    category: str | None,
    location: str | None,
    per_state: int,
) -> list[tuple[AgendaItem, str, str | None]]:
    """The ``per_state`` newest items of each state (by id), filtered, each with its community's
    slug and lead party's name: one query (a window over the filtered items)."""
    from live.storage.accountability import Party
    from live.storage.places import Community

    ranked = _filtered(
        select(
            AgendaItem.id,
            func.row_number().over(partition_by=AgendaItem.status, order_by=AgendaItem.id.desc()).label("n"),
        ),
        community_id,
        None,
        category,
        location,
    ).subquery()
    rows = await s.execute(
        select(AgendaItem, Community.slug, Party.name)
        .join(ranked, ranked.c.id == AgendaItem.id)
        .join(Community, Community.id == AgendaItem.community_id)
        .outerjoin(Party, Party.id == AgendaItem.party_id)
        .where(ranked.c.n <= per_state)
        .order_by(AgendaItem.id.desc())
    )
    return [(item, slug, party) for item, slug, party in rows]


async def state_counts(
    s: AsyncSession,
    *,
    community_id: ScalarSelect[int] | None,
    category: str | None,
    location: str | None,
) -> dict[str, int]:
    """How many items of each state pass the filters (states without any are left out)."""
    query = _filtered(
        select(AgendaItem.status, func.count()).group_by(AgendaItem.status),
        community_id,
        None,
        category,
        location,
    )
    return {status: int(n) for status, n in (await s.execute(query)).all()}
