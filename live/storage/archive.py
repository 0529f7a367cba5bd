"""Read-only queries over ended sessions: the archive list, its totals and one session's replay."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from live.statuses import AgendaStatus, MessageStatus, OpinionStatus, SessionStatus
from live.storage.agenda import AgendaItem
from live.storage.chat import Message
from live.storage.opinions import Opinion, public_clause
from live.storage.presence import ViewerSample
from live.storage.rooms import LiveSession


def _when() -> ColumnElement[datetime]:
    """When a session took place: its start, else its end, else its creation."""
    return func.coalesce(LiveSession.started_at, LiveSession.ended_at, LiveSession.created_at)


async def ended_sessions(
    s: AsyncSession, community_id: int | None, limit: int, after: int | None
) -> list[LiveSession]:
    """Ended sessions, latest first (by when they took place, then id), after the session ``after``."""
    when = _when()
    query = select(LiveSession).where(LiveSession.status == SessionStatus.ENDED)
    if community_id is not None:
        query = query.where(LiveSession.community_id == community_id)
    if after is not None:
        anchor = await s.get(LiveSession, after)
        if anchor is None:
            return []
        anchor_when = anchor.started_at or anchor.ended_at or anchor.created_at
        query = query.where(or_(when < anchor_when, and_(when == anchor_when, LiveSession.id < anchor.id)))
    query = query.order_by(when.desc(), LiveSession.id.desc()).limit(limit)
    return list((await s.execute(query)).scalars())


async def message_counts(s: AsyncSession, session_ids: list[int]) -> dict[int, int]:
    if not session_ids:
        return {}
    rows = await s.execute(
        select(Message.session_id, func.count(Message.id))
        .where(Message.session_id.in_(session_ids), Message.status == MessageStatus.VISIBLE)
        .group_by(Message.session_id)
    )
    return {int(sid): int(n) for sid, n in rows.all()}


async def opinion_counts(s: AsyncSession, session_ids: list[int]) -> dict[int, int]:
    if not session_ids:
        return {}
    rows = await s.execute(
        select(Opinion.session_id, func.count(Opinion.id))
        .where(Opinion.session_id.in_(session_ids))
        .group_by(Opinion.session_id)
    )
    return {int(sid): int(n) for sid, n in rows.all() if sid is not None}


async def archive_totals(s: AsyncSession, community_id: int | None) -> dict[str, int]:
    """Broadcasts, viewers (unique, summed), opinions raised in them, resolved agenda items."""
    ended = select(LiveSession.id).where(LiveSession.status == SessionStatus.ENDED)
    sessions = select(func.count(LiveSession.id), func.coalesce(func.sum(LiveSession.unique_viewers), 0))
    sessions = sessions.where(LiveSession.status == SessionStatus.ENDED)
    resolved = select(func.count(AgendaItem.id)).where(AgendaItem.status == AgendaStatus.RESOLVED)
    if community_id is not None:
        ended = ended.where(LiveSession.community_id == community_id)
        sessions = sessions.where(LiveSession.community_id == community_id)
        resolved = resolved.where(AgendaItem.community_id == community_id)
    broadcasts, viewers = (await s.execute(sessions)).one()
    opinions = await s.scalar(select(func.count()).where(Opinion.session_id.in_(ended)))
    return {
        "broadcasts": int(broadcasts or 0),
        "viewers": int(viewers or 0),
        "opinions": int(opinions or 0),
        "resolved": int(await s.scalar(resolved) or 0),
    }


async def replay_messages(
    s: AsyncSession, session_id: int, *, from_ms: int | None, limit: int
) -> list[Message]:
    """A stretch of the session's visible chat in broadcast order, for the replay: the first
    ``limit`` messages from ``from_ms`` on, or (``from_ms`` None) the last ``limit`` of all."""
    visible = (Message.session_id == session_id, Message.status == MessageStatus.VISIBLE)
    if from_ms is None:
        query = select(Message).where(*visible).order_by(Message.offset_ms.desc(), Message.id.desc())
        return list(reversed((await s.execute(query.limit(limit))).scalars().all()))
    query = (
        select(Message)
        .where(*visible, Message.offset_ms >= from_ms)
        .order_by(Message.offset_ms, Message.id)
        .limit(limit)
    )
    return list((await s.execute(query)).scalars())


async def viewer_samples(s: AsyncSession, session_id: int) -> list[ViewerSample]:
    query = select(ViewerSample).where(ViewerSample.session_id == session_id).order_by(ViewerSample.at)
    return list((await s.execute(query)).scalars())


async def public_opinions(s: AsyncSession, session_id: int) -> list[Opinion]:
    """The session's public opinions by their moment in the broadcast (a merged one is shown
    through the opinion it was merged into)."""
    query = (
        select(Opinion)
        .where(
            Opinion.session_id == session_id,
            public_clause(),
            Opinion.status != OpinionStatus.MERGED,
        )
        .order_by(Opinion.offset_ms, Opinion.id)
    )
    return list((await s.execute(query)).scalars())


async def category_names(s: AsyncSession) -> dict[str, tuple[str, str]]:
    """Category key → (Chinese name, English name)."""
    from live.storage.opinions import Category

    rows = await s.execute(select(Category.key, Category.name_zh, Category.name_en))
    return {key: (zh, en) for key, zh, en in rows.all()}
