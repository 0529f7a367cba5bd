"""Follows of agenda items and the inbox entries of their followers (models in ``agenda``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from live.storage.agenda import AgendaOpinion, Follow, InboxEntry
from live.storage.opinions import Opinion, OpinionSupport


def add_entry(
    s: AsyncSession, person_key: str, item_id: int | None, kind: str, params: Mapping[str, Any], at: datetime
) -> None:
    s.add(
        InboxEntry(
            person_key=person_key, item_id=item_id, kind=kind, params=dict(params), created_at=at, read=False
        )
    )


async def followers(s: AsyncSession, item_id: int) -> list[str]:
    rows = await s.execute(select(Follow.person_key).where(Follow.item_id == item_id))
    return list(rows.scalars())


async def participants(s: AsyncSession, item_id: int) -> set[str]:
    """Everyone who raised or supported an opinion of the item (merged ones included)."""
    linked = select(AgendaOpinion.opinion_id).where(AgendaOpinion.item_id == item_id)
    opinions = select(Opinion.id).where(or_(Opinion.id.in_(linked), Opinion.merged_into_id.in_(linked)))
    authors = await s.execute(select(Opinion.author_key).where(Opinion.id.in_(opinions)))
    supporters = await s.execute(
        select(OpinionSupport.person_key).where(OpinionSupport.opinion_id.in_(opinions))
    )
    return set(authors.scalars()) | set(supporters.scalars())


async def follow_of(s: AsyncSession, item_id: int, person_key: str) -> Follow | None:
    found: Follow | None = await s.scalar(
        select(Follow).where(Follow.item_id == item_id, Follow.person_key == person_key)
    )
    return found


async def is_following(s: AsyncSession, item_id: int, person_key: str) -> bool:
    found = await s.scalar(
        select(Follow.id).where(Follow.item_id == item_id, Follow.person_key == person_key)
    )
    return found is not None


def add_follow(s: AsyncSession, item_id: int, person_key: str, at: datetime) -> None:
    s.add(Follow(item_id=item_id, person_key=person_key, created_at=at))


async def remove_follow(s: AsyncSession, follow: Follow) -> None:
    await s.delete(follow)


async def entries_of(s: AsyncSession, person_key: str, limit: int, after: int | None) -> list[InboxEntry]:
    """One person's inbox, newest first, ``limit`` entries older than the id ``after``."""
    query = select(InboxEntry).where(InboxEntry.person_key == person_key)
    if after is not None:
        query = query.where(InboxEntry.id < after)
    rows = await s.execute(query.order_by(InboxEntry.id.desc()).limit(limit))
    return list(rows.scalars())


async def unread_count(s: AsyncSession, person_key: str) -> int:
    count = await s.scalar(
        select(func.count(InboxEntry.id)).where(
            InboxEntry.person_key == person_key, InboxEntry.read.is_(False)
        )
    )
    return count or 0


async def mark_read(s: AsyncSession, person_key: str) -> None:
    await s.execute(
        update(InboxEntry)
        .where(InboxEntry.person_key == person_key, InboxEntry.read.is_(False))
        .values(read=True)
    )
