"""Aggregate queries for the statistics: broadcasts, viewers, messages, opinions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

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


async def broadcasts(
    s: AsyncSession, community_id: int | None, start: datetime | None, end: datetime | None
) -> Broadcasts:
    """Sessions that went live in [start, end) (all when None), in one community or all."""
    sessions = select(LiveSession.id).where(LiveSession.started_at.is_not(None))
    opinions = select(func.count(Opinion.id))
    if community_id is not None:
        sessions = sessions.where(LiveSession.community_id == community_id)
        opinions = opinions.where(Opinion.community_id == community_id)
    if start is not None and end is not None:
        sessions = sessions.where(LiveSession.started_at >= start, LiveSession.started_at < end)
        opinions = opinions.where(Opinion.created_at >= start, Opinion.created_at < end)
    ids = list((await s.execute(sessions)).scalars())
    out = Broadcasts(broadcasts=len(ids), opinions=int(await s.scalar(opinions) or 0))
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        row = (
            await s.execute(
                select(
                    func.coalesce(func.sum(LiveSession.unique_viewers), 0),
                    func.coalesce(func.max(LiveSession.peak_viewers), 0),
                ).where(LiveSession.id.in_(part))
            )
        ).one()
        out.viewers_total += int(row[0])
        out.peak_viewers = max(out.peak_viewers, int(row[1]))
        out.messages += int(
            await s.scalar(select(func.count(Message.id)).where(Message.session_id.in_(part))) or 0
        )
        samples = await s.execute(
            select(ViewerSample.session_id, ViewerSample.at, ViewerSample.viewers)
            .where(ViewerSample.session_id.in_(part))
            .order_by(ViewerSample.session_id, ViewerSample.at)
        )
        seconds = 0.0
        last: tuple[int, datetime, int] | None = None
        for session_id, at, viewers in samples:
            if last is not None and last[0] == session_id:
                seconds += last[2] * max(0.0, min((at - last[1]).total_seconds(), 60.0))
            last = (session_id, at, viewers)
        out.watch_minutes += int(seconds // 60)
    if ids:
        distinct = select(func.count(func.distinct(SessionViewer.person_key))).where(
            SessionViewer.session_id.in_(ids[:5000])
        )
        out.unique_viewers = int(await s.scalar(distinct) or 0)
    return out
