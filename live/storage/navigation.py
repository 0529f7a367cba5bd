"""Queries behind the navigation of staff: the live session of a community, new opinions."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from live.storage.opinions import Opinion
from live.storage.rooms import LiveSession


async def live_session_id(s: AsyncSession, community_id: int | None) -> int | None:
    """The most recently started live session of a community (of any community when None)."""
    query = select(LiveSession.id).where(LiveSession.status == "live")
    if community_id is not None:
        query = query.where(LiveSession.community_id == community_id)
    found = await s.scalar(query.order_by(LiveSession.started_at.desc(), LiveSession.id.desc()).limit(1))
    return int(found) if found is not None else None


async def new_opinion_count(s: AsyncSession, community_id: int | None) -> int:
    """Opinions waiting for triage in a community (in every community when None)."""
    query = select(func.count(Opinion.id)).where(Opinion.status == "new")
    if community_id is not None:
        query = query.where(Opinion.community_id == community_id)
    return int(await s.scalar(query) or 0)
