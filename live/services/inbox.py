"""Following agenda items and the in-app inbox where followers see what changed."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from live.clock import Clock
from live.errors import NotFound
from live.services.actors import Actor
from live.services.notices import Notice
from live.storage.agenda import AgendaItem, AgendaOpinion, Follow, InboxEntry
from live.storage.db import Database
from live.storage.opinions import Opinion, OpinionSupport


async def deliver(
    s: AsyncSession, clock: Clock, people: Iterable[str], notice: Notice, item_id: int | None = None
) -> int:
    """Add one inbox entry per person (inside the caller's transaction): a code and its values,
    rendered in each reader's language when shown (``live/http/notices.py``)."""
    now = clock.now()
    count = 0
    for key in sorted(set(people)):
        s.add(
            InboxEntry(
                person_key=key,
                item_id=item_id,
                kind=str(notice.kind),
                params=dict(notice.params),
                created_at=now,
                read=False,
            )
        )
        count += 1
    return count


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


async def add_follow(s: AsyncSession, clock: Clock, item_id: int, person_key: str) -> bool:
    """Follow inside the caller's transaction; False when already following."""
    existing = await s.scalar(
        select(Follow.id).where(Follow.item_id == item_id, Follow.person_key == person_key)
    )
    if existing is not None:
        return False
    s.add(Follow(item_id=item_id, person_key=person_key, created_at=clock.now()))
    return True


class Inbox:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def follow(self, actor: Actor, item_id: int) -> bool:
        try:
            async with self.db.transaction() as s:
                if await s.get(AgendaItem, item_id) is None:
                    raise NotFound("no such agenda item")
                await add_follow(s, self.clock, item_id, actor.key)
        except IntegrityError:
            pass  # a concurrent follow by the same person won
        return True

    async def unfollow(self, actor: Actor, item_id: int) -> bool:
        async with self.db.transaction() as s:
            row = await s.scalar(
                select(Follow).where(Follow.item_id == item_id, Follow.person_key == actor.key)
            )
            if row is not None:
                await s.delete(row)
        return False

    async def is_following(self, actor: Actor, item_id: int) -> bool:
        async with self.db.read() as s:
            row = await s.scalar(
                select(Follow.id).where(Follow.item_id == item_id, Follow.person_key == actor.key)
            )
        return row is not None

    async def entries(self, actor: Actor, limit: int = 100, after: int | None = None) -> list[InboxEntry]:
        """This person's inbox, newest first."""
        query = select(InboxEntry).where(InboxEntry.person_key == actor.key)
        if after is not None:
            query = query.where(InboxEntry.id < after)
        async with self.db.read() as s:
            rows = await s.execute(query.order_by(InboxEntry.id.desc()).limit(limit))
            return list(rows.scalars())

    async def unread(self, actor: Actor) -> int:
        from sqlalchemy import func

        async with self.db.read() as s:
            count = await s.scalar(
                select(func.count(InboxEntry.id)).where(
                    InboxEntry.person_key == actor.key, InboxEntry.read.is_(False)
                )
            )
        return count or 0

    async def mark_read(self, actor: Actor) -> None:
        async with self.db.transaction() as s:
            await s.execute(
                update(InboxEntry)
                .where(InboxEntry.person_key == actor.key, InboxEntry.read.is_(False))
                .values(read=True)
            )
