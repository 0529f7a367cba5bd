"""Aggregate queries for the statistics: the agenda items' rates (counted by the database,
grouped by community, party or category), broadcasts, viewers, messages, opinions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, and_, case, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from live.storage.accountability import Rating
from live.storage.agenda import AgendaItem
from live.storage.chat import Message
from live.storage.opinions import Opinion
from live.storage.presence import SessionViewer, ViewerSample
from live.storage.rooms import LiveSession


@dataclass
class Broadcasts:
    broadcasts: int = 0
    viewers_total: int = 0
    peak_viewers: int = 0
    unique_viewers: int = 0
    watch_minutes: int = 0
    messages: int = 0
    opinions: int = 0


def _microseconds(s: AsyncSession, moment: Any) -> Any:
    """A UTC datetime column as whole microseconds since 1970, exactly, in SQL."""
    if s.get_bind().dialect.name == "sqlite":  # stored as 'YYYY-MM-DD HH:MM:SS.ffffff'
        whole = cast(func.strftime("%s", moment), BigInteger)
        return whole * 1_000_000 + cast(func.substr(moment, 21, 6), BigInteger)
    return cast(func.round(func.extract("epoch", moment) * 1_000_000), BigInteger)


@dataclass
class SessionRow:
    """A session that went live, with the figures kept on its row."""

    id: int
    community_id: int
    started_at: datetime
    ended_at: datetime | None
    status: str
    unique_viewers: int
    peak_viewers: int


async def broadcast_sessions(s: AsyncSession) -> list[SessionRow]:
    """Every session that went live (a thousand rows in five years), oldest first."""
    x = LiveSession
    rows = await s.execute(
        select(x.id, x.community_id, x.started_at, x.ended_at, x.status, x.unique_viewers, x.peak_viewers)
        .where(x.started_at.is_not(None))
        .order_by(x.id)
    )
    return [
        SessionRow(id, community, started, ended, status, int(unique), int(peak))
        for id, community, started, ended, status, unique, peak in rows
        if started is not None
    ]


async def session_counts(s: AsyncSession, ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Per session of ``ids``: (messages, watch time in viewer-microseconds), counted by the
    database: each viewer sample's viewers watched until the session's next sample, for at most
    a minute (``LAG`` over consecutive samples, exact microseconds on both databases)."""
    out = dict.fromkeys(ids, (0, 0))
    for chunk in range(0, len(ids), 500):
        part = list(ids[chunk : chunk + 500])
        messages = await s.execute(
            select(Message.session_id, func.count(Message.id))
            .where(Message.session_id.in_(part))
            .group_by(Message.session_id)
        )
        for session_id, n in messages:
            out[session_id] = (int(n), 0)
        by, order = ViewerSample.session_id, (ViewerSample.at, ViewerSample.id)
        at = _microseconds(s, ViewerSample.at)
        pairs = (
            select(
                by.label("session_id"),
                at.label("at"),
                func.lag(at).over(partition_by=by, order_by=order).label("before"),
                func.lag(ViewerSample.viewers).over(partition_by=by, order_by=order).label("viewers"),
            )
            .where(by.in_(part))
            .subquery()
        )
        gap = pairs.c.at - pairs.c.before
        held = case((gap > MAX_GAP_US, MAX_GAP_US), (gap < 0, 0), else_=gap)
        watched = await s.execute(
            select(pairs.c.session_id, func.sum(pairs.c.viewers * held))
            .where(pairs.c.before.is_not(None))
            .group_by(pairs.c.session_id)
        )
        for session_id, total in watched:
            out[session_id] = (out[session_id][0], int(total or 0))
    return out


def _live_in(
    community_id: int | None, start: datetime | None, end: datetime | None
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [LiveSession.started_at.is_not(None)]
    if community_id is not None:
        where.append(LiveSession.community_id == community_id)
    if start is not None and end is not None:
        where += [LiveSession.started_at >= start, LiveSession.started_at < end]
    return where


async def unique_viewers(
    s: AsyncSession, community_id: int | None, start: datetime | None, end: datetime | None
) -> int:
    """People who watched any session that went live in [start, end), in one community or all."""
    sessions = select(LiveSession.id).where(*_live_in(community_id, start, end))
    query = select(func.count(func.distinct(SessionViewer.person_key))).where(
        SessionViewer.session_id.in_(sessions)
    )
    return int(await s.scalar(query) or 0)


async def opinion_count(
    s: AsyncSession, community_id: int | None, start: datetime | None, end: datetime | None
) -> int:
    query = select(func.count(Opinion.id))
    if community_id is not None:
        query = query.where(Opinion.community_id == community_id)
    if start is not None and end is not None:
        query = query.where(Opinion.created_at >= start, Opinion.created_at < end)
    return int(await s.scalar(query) or 0)


#: a viewer sample counts for at most this long (microseconds) until the next one
MAX_GAP_US = 60_000_000


GOOD_RATINGS = ("satisfied", "basically_satisfied")
#: what ``item_counts`` can group by
GROUPS = {
    "community": AgendaItem.community_id,
    "party": AgendaItem.party_id,
    "category": AgendaItem.category,
}


@dataclass
class ItemCounts:
    """The counts behind the item rates of one cohort (``live.services.stats`` defines them)."""

    opened: int = 0
    counted: int = 0  # not closed
    resolved: int = 0
    due_response: int = 0
    responded: int = 0  # by the response limit
    with_limit: int = 0  # resolved, with a resolution limit
    on_time: int = 0
    ratings: int = 0
    good: int = 0
    assigned: int = 0
    extended: int = 0  # assigned items with at least one extension
    extensions: int = 0
    overdue: int = 0
    #: (assigned_at or created_at, resolved_at) of the resolved items, for the median days
    spans: list[tuple[datetime, datetime]] = field(default_factory=list)


def _cohort(
    community_id: int | None, start: datetime | None, end: datetime | None
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if community_id is not None:
        where.append(AgendaItem.community_id == community_id)
    if start is not None and end is not None:
        where += [AgendaItem.created_at >= start, AgendaItem.created_at < end]
    return where


async def item_counts(
    s: AsyncSession,
    now: datetime,
    *,
    community_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    by: str | None = None,
) -> dict[Any, ItemCounts]:
    """The counts of the items opened in [start, end) (all when None), in one community or all,
    by ``GROUPS[by]`` (one group ``None`` without ``by``; items without a party are left out
    of the ``party`` groups). Two statements: the counts, and the resolved items' spans."""
    i = AgendaItem
    key: Any = GROUPS[by] if by else None
    where = _cohort(community_id, start, end)
    if by == "party":
        where.append(i.party_id.is_not(None))
    counted = i.status != "closed"
    resolved = and_(counted, i.status == "resolved")
    due = and_(
        counted,
        i.response_due_at.is_not(None),
        or_(i.responded_at.is_not(None), i.response_due_at < now),
    )
    with_limit = and_(resolved, i.resolve_due_at.is_not(None), i.resolved_at.is_not(None))
    assigned = and_(counted, i.assigned_at.is_not(None))
    overdue = and_(
        i.status.not_in(("resolved", "closed")),
        i.resolve_due_at.is_not(None),
        or_(i.overdue_at.is_not(None), i.resolve_due_at < now),
    )
    rated = (
        select(
            Rating.item_id.label("item_id"),
            func.count().label("n"),
            func.sum(case((Rating.rating.in_(GOOD_RATINGS), 1), else_=0)).label("good"),
        )
        .group_by(Rating.item_id)
        .subquery()
    )

    def n(cond: ColumnElement[bool], value: Any = 1) -> Any:
        return func.coalesce(func.sum(case((cond, value), else_=0)), 0)

    columns = [
        func.count(),
        n(counted),
        n(resolved),
        n(due),
        n(and_(due, i.responded_at.is_not(None), i.responded_at <= i.response_due_at)),
        n(with_limit),
        n(and_(with_limit, i.resolved_at <= i.resolve_due_at)),
        n(and_(counted, rated.c.n.is_not(None)), rated.c.n),
        n(and_(counted, rated.c.good.is_not(None)), rated.c.good),
        n(assigned),
        n(and_(assigned, i.extensions != 0)),
        n(assigned, i.extensions),
        n(overdue),
    ]
    query = select(*(([key] if by else []) + columns)).outerjoin(rated, rated.c.item_id == i.id)
    if where:
        query = query.where(*where)
    if by:
        query = query.group_by(key)
    out: dict[Any, ItemCounts] = {}
    for row in await s.execute(query):
        values = [int(v or 0) for v in (row[1:] if by else row)]
        out[row[0] if by else None] = ItemCounts(*values)  # type: ignore[arg-type]
    spans = select(key if by else i.id, i.assigned_at, i.created_at, i.resolved_at).where(
        *where, resolved, i.resolved_at.is_not(None)
    )
    for group, assigned_at, created_at, resolved_at in await s.execute(spans):
        out[group if by else None].spans.append((assigned_at or created_at, resolved_at))
    return out


async def resolved_count(s: AsyncSession, community_id: int | None, start: datetime, end: datetime) -> int:
    """Items resolved in [start, end), whenever they were opened."""
    query = select(func.count()).where(
        AgendaItem.status == "resolved", AgendaItem.resolved_at >= start, AgendaItem.resolved_at < end
    )
    if community_id is not None:
        query = query.where(AgendaItem.community_id == community_id)
    return int(await s.scalar(query) or 0)


async def item_months(s: AsyncSession, community_id: int | None) -> Sequence[datetime]:
    """When each item was opened (for the months that have items)."""
    query = select(AgendaItem.created_at)
    if community_id is not None:
        query = query.where(AgendaItem.community_id == community_id)
    return list((await s.execute(query)).scalars())


async def resolved_items(
    s: AsyncSession, community_id: int, start: datetime, end: datetime
) -> list[AgendaItem]:
    """A community's items resolved in [start, end), in the order they were opened."""
    query = select(AgendaItem).where(
        AgendaItem.community_id == community_id,
        AgendaItem.status == "resolved",
        AgendaItem.resolved_at >= start,
        AgendaItem.resolved_at < end,
    )
    return list((await s.execute(query.order_by(AgendaItem.id))).scalars())


async def overdue_items(
    s: AsyncSession, community_id: int, now: datetime, *, before: datetime
) -> list[AgendaItem]:
    """A community's items opened before ``before`` and overdue at ``now``: their resolution
    limit passed (or they were marked overdue) while neither resolved nor closed."""
    i = AgendaItem
    query = select(i).where(
        i.community_id == community_id,
        i.created_at < before,
        i.status.not_in(("resolved", "closed")),
        i.resolve_due_at.is_not(None),
        or_(i.overdue_at.is_not(None), i.resolve_due_at < now),
    )
    return list((await s.execute(query.order_by(i.id))).scalars())
