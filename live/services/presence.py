"""Presence: who is watching a session now (distinct people, across tabs and processes),
the peak, the unique viewers, and viewer samples for the chart.

Without Redis the counts live in this process. With Redis each process keeps its people in a
sorted set scored by a heartbeat deadline, so a dead process's viewers drop out within the TTL."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from live.clock import Clock
from live.services.redis_health import REDIS_ERRORS, RedisHealth
from live.storage import rooms as store
from live.storage.db import Database, Duplicate
from live.storage.presence import ViewerSample


@dataclass(frozen=True)
class Counts:
    current: int
    peak: int
    unique: int

    def payload(self) -> dict[str, int]:
        return {"current": self.current, "peak": self.peak, "unique": self.unique}


class Presence:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        redis: Any = None,
        prefix: str = "rt",
        ttl_s: float = 30.0,
        sample_s: float = 10.0,
        health: RedisHealth | None = None,
    ) -> None:
        self.db = db
        self.health = health or RedisHealth(redis)
        self.clock = clock
        self.redis = redis
        self.prefix = prefix + ":presence:"
        self.ttl_s = ttl_s
        self.sample_s = sample_s
        self.process = uuid.uuid4().hex[:12]
        self._local: dict[int, dict[str, int]] = defaultdict(dict)
        self._dirty: set[int] = set()
        self._last_sent: dict[int, Counts] = {}

    # -- joining and leaving ------------------------------------------------------------
    async def join(self, session_id: int, person: str) -> None:
        """One connection of ``person`` joined (several tabs count once).

        A person not present here yet is recorded as a unique viewer first (the database knows
        whether they came before), so that unique >= current. Only the people present now are
        kept in memory: nothing here grows with the number of people who ever came."""
        if person not in self._local.get(session_id, {}):
            await self._record_unique(session_id, person)
        people = self._local[session_id]
        people[person] = people.get(person, 0) + 1
        if people[person] == 1 and self.redis is not None:
            await self._shared(self._beat([(session_id, person)]))
        self._dirty.add(session_id)
        await self._raise_peak(session_id, await self.current(session_id))

    async def leave(self, session_id: int, person: str) -> None:
        people = self._local.get(session_id)
        if not people or person not in people:
            return
        people[person] -= 1
        if people[person] <= 0:
            del people[person]
            if self.redis is not None:  # (or it expires within the TTL if Redis is away)
                await self._shared(self.redis.zrem(self._key(session_id), self._member(person)))
        if not people:
            self._local.pop(session_id, None)
        self._dirty.add(session_id)

    # -- counting -------------------------------------------------------------------------
    async def current(self, session_id: int) -> int:
        """People watching now: across processes with Redis; while Redis is away, this
        process's own viewers."""
        local = len(self._local.get(session_id, {}))
        if self.redis is None:
            return local
        now = self.clock.now().timestamp()
        members = await self._shared(self.redis.zrangebyscore(self._key(session_id), now, "+inf"))
        if members is None:
            return local
        return len({_text(m).split("|", 1)[1] for m in members})

    async def counts(self, session_id: int) -> Counts:
        current = await self.current(session_id)
        async with self.db.read() as s:
            peak, unique = await store.viewer_numbers(s, session_id)
        return Counts(current, max(peak, current), unique)

    async def changes(self) -> list[tuple[int, Counts]]:
        """Sessions whose counts changed since the last broadcast (call at most once a second)."""
        candidates = set(self._dirty)
        self._dirty.clear()
        if self.redis is not None:
            candidates |= set(self._local)
        changed = []
        for session_id in candidates:
            counts = await self.counts(session_id)
            if await self._first_to_see(session_id, counts):
                changed.append((session_id, counts))
            if session_id not in self._local:
                self._last_sent.pop(session_id, None)  # nobody here: forget it (sent once more)
        return changed

    async def _first_to_see(self, session_id: int, counts: Counts) -> bool:
        """True if ``counts`` differ from the last ones sent (by any process)."""
        if self.redis is None:
            if self._last_sent.get(session_id) == counts:
                return False
            self._last_sent[session_id] = counts
            return True
        value = f"{counts.current}:{counts.peak}:{counts.unique}"
        try:
            old = await self.redis.set(self.prefix + f"sent:{session_id}", value, ex=3600, get=True)
        except REDIS_ERRORS as error:
            self.health.failed(error)
            if self._last_sent.get(session_id) == counts:
                return False
            self._last_sent[session_id] = counts
            return True
        return old is None or _text(old) != value

    # -- heartbeats and samples ---------------------------------------------------------------
    async def heartbeat(self) -> None:
        """Renew this process's people in Redis; drop the expired entries of dead processes."""
        if self.redis is None:
            return
        try:
            # every person of this process again: after Redis was away, this is the catching up
            await self._beat([(sid, person) for sid, people in self._local.items() for person in people])
            now = self.clock.now().timestamp()
            for session_id in list(self._local):
                await self.redis.zremrangebyscore(self._key(session_id), "-inf", now)
        except REDIS_ERRORS as error:
            self.health.failed(error)
        else:
            self.health.ok()
        for session_id in list(self._local):
            await self._raise_peak(session_id, await self.current(session_id))

    async def sample(self) -> int:
        """Store one viewer sample for every live session (once per interval across processes)."""
        async with self.db.read() as s:
            live = await store.live_session_ids(s)
        now = self.clock.now()
        stored = 0
        for session_id in live:
            if self.redis is not None:
                slot = int(now.timestamp() // max(self.sample_s, 1.0))
                key = self.prefix + f"sample:{session_id}:{slot}"
                first = await self._shared(
                    self.redis.set(key, self.process, nx=True, ex=int(self.sample_s) + 30)
                )
                if first is not None and not first:
                    continue  # another process stored this one (without Redis: each does)
            current = await self.current(session_id)
            async with self.db.transaction() as s:
                await store.add_viewer_sample(s, session_id, now, current)
            await self._raise_peak(session_id, current)
            stored += 1
        return stored

    async def samples(
        self, session_id: int, limit: int = 1000, after: int | None = None
    ) -> list[ViewerSample]:
        async with self.db.read() as s:
            return await store.viewer_samples_page(s, session_id, limit, after)

    async def close(self) -> None:
        """Leave cleanly on shutdown: remove this process's people from Redis."""
        if self.redis is None:
            return
        for session_id, people in self._local.items():
            if people:
                await self._shared(self.redis.zrem(self._key(session_id), *[self._member(p) for p in people]))
        self._local.clear()

    # -- internals ------------------------------------------------------------------------------
    async def _shared(self, call: Awaitable[Any]) -> Any:
        """``call``'s result, or None (noted in ``health``) when Redis did not answer."""
        try:
            result = await call
        except REDIS_ERRORS as error:
            self.health.failed(error)
            return None
        self.health.ok()
        return result

    def _key(self, session_id: int) -> str:
        return self.prefix + f"s:{session_id}"

    def _member(self, person: str) -> str:
        return f"{self.process}|{person}"

    async def _beat(self, entries: list[tuple[int, str]]) -> None:
        if not entries:
            return
        deadline = self.clock.now().timestamp() + self.ttl_s
        async with self.redis.pipeline(transaction=False) as pipe:
            for session_id, person in entries:
                pipe.zadd(self._key(session_id), {self._member(person): deadline})
                pipe.expire(self._key(session_id), int(self.ttl_s * 4) + 60)
            await pipe.execute()

    async def _record_unique(self, session_id: int, person: str) -> None:
        try:
            async with self.db.transaction() as s:
                await store.count_unique_viewer(s, session_id, person, self.clock.now())
        except Duplicate:
            return  # another tab or process recorded this person first

    async def _raise_peak(self, session_id: int, current: int) -> None:
        async with self.db.transaction() as s:
            await store.raise_peak(s, session_id, current)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
