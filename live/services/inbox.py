"""Following agenda items and the in-app inbox where followers see what changed."""

from __future__ import annotations

from collections.abc import Iterable

from live.clock import Clock
from live.errors import NotFound
from live.services.actors import Actor
from live.services.notices import Notice
from live.storage import inbox as store
from live.storage.agenda import InboxEntry, get_item
from live.storage.db import Database, Duplicate, Tx


async def deliver(
    s: Tx, clock: Clock, people: Iterable[str], notice: Notice, item_id: int | None = None
) -> int:
    """Add one inbox entry per person (inside the caller's transaction): a code and its values,
    rendered in each reader's language when shown (``live/http/notices.py``)."""
    now = clock.now()
    count = 0
    for key in sorted(set(people)):
        store.add_entry(s, key, item_id, str(notice.kind), notice.params, now)
        count += 1
    return count


async def followers(s: Tx, item_id: int) -> list[str]:
    return await store.followers(s, item_id)


async def participants(s: Tx, item_id: int) -> set[str]:
    """Everyone who raised or supported an opinion of the item (merged ones included)."""
    return await store.participants(s, item_id)


async def add_follow(s: Tx, clock: Clock, item_id: int, person_key: str) -> bool:
    """Follow inside the caller's transaction; False when already following."""
    if await store.is_following(s, item_id, person_key):
        return False
    store.add_follow(s, item_id, person_key, clock.now())
    return True


class Inbox:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def follow(self, actor: Actor, item_id: int) -> bool:
        try:
            async with self.db.transaction() as s:
                if await get_item(s, item_id) is None:
                    raise NotFound("no such agenda item")
                await add_follow(s, self.clock, item_id, actor.key)
        except Duplicate:
            pass  # a concurrent follow by the same person won
        return True

    async def unfollow(self, actor: Actor, item_id: int) -> bool:
        async with self.db.transaction() as s:
            row = await store.follow_of(s, item_id, actor.key)
            if row is not None:
                await store.remove_follow(s, row)
        return False

    async def is_following(self, actor: Actor, item_id: int) -> bool:
        async with self.db.read() as s:
            return await store.is_following(s, item_id, actor.key)

    async def entries(self, actor: Actor, limit: int = 100, after: int | None = None) -> list[InboxEntry]:
        """This person's inbox, newest first."""
        async with self.db.read() as s:
            return await store.entries_of(s, actor.key, limit, after)

    async def unread(self, actor: Actor) -> int:
        async with self.db.read() as s:
            return await store.unread_count(s, actor.key)

    async def mark_read(self, actor: Actor) -> None:
        async with self.db.transaction() as s:
            await store.mark_read(s, actor.key)
