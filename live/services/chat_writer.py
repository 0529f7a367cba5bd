"""Group commit for chat: the messages that arrive while one commit is under way are written
together in the next transaction, and each poster's ``await`` returns only once its group is
durable.

Inside that transaction, in arrival order, each message passes the checks that must be atomic
with its insert: the same ``nonce`` from the same person within five minutes returns the first
message instead of a second copy, and slow mode lets one message per interval through even when
two tabs (or two processes) post at once. On PostgreSQL the people of a group are locked with
transaction-scoped advisory locks first, so that holds across processes; SQLite has one writer
process, and this writer is the only one of its process.

On PostgreSQL up to ``IN_FLIGHT`` groups commit concurrently (the advisory locks keep two
groups from deciding about one person at once); on SQLite one group at a time.

If a group's transaction fails, its messages are retried one transaction each, so one bad row
fails only its own poster."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from live.clock import Clock
from live.services.chat_rules import ChatRefused
from live.storage.chat import (
    NONCE_WINDOW_S,
    Message,
    insert_messages,
    last_posts,
    lock_people,
    recent_by_nonce,
)
from live.storage.db import Database, Tx

log = logging.getLogger(__name__)
MAX_GROUP = 500
IN_FLIGHT = 4


class SlowModeRefused(ChatRefused):
    def __init__(self, seconds: int) -> None:
        super().__init__(f"slow mode: one message every {seconds} seconds", code="slow_mode")


@dataclass(frozen=True)
class Posted:
    """The committed message; ``replayed`` when it is the first copy of a resent nonce."""

    message: Message
    replayed: bool = False


@dataclass
class _Pending:
    message: Message
    slow_mode_s: int
    future: asyncio.Future[Posted] = field(repr=False)


class GroupWriter:
    def __init__(self, db: Database, clock: Clock, max_group: int = MAX_GROUP) -> None:
        self.db = db
        self.clock = clock
        self.max_group = max_group
        # PostgreSQL: a few groups may commit at once (people are serialised by advisory locks,
        # each connection's messages by the socket server); SQLite has one writer: one group.
        self.in_flight = 1 if db.engine.dialect.name == "sqlite" else IN_FLIGHT
        self._queue: list[_Pending] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.groups = 0
        self.fallbacks = 0

    async def write(self, message: Message, slow_mode_s: int = 0) -> Posted:
        """Queue ``message``; returns once it (or the first copy of its nonce) is committed."""
        if self._closing:
            raise RuntimeError("the chat writer is closed")
        future: asyncio.Future[Posted] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(message, slow_mode_s, future))
        self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        return await asyncio.shield(future)

    async def close(self) -> None:
        """Write what is queued, then stop."""
        self._closing = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        in_flight: set[asyncio.Task[None]] = set()
        while True:
            if not self._queue:
                if self._closing:
                    if in_flight:
                        await asyncio.gather(*in_flight)
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            if len(in_flight) >= self.in_flight:
                await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                continue
            await asyncio.sleep(0)  # messages of this loop turn join the group
            group, self._queue = self._queue[: self.max_group], self._queue[self.max_group :]
            task = asyncio.get_running_loop().create_task(self._commit(group))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)

    async def _commit(self, group: list[_Pending]) -> None:
        self.groups += 1
        try:
            async with self.db.transaction() as s:
                results = await self._apply(s, group)
        except Exception:
            if len(group) == 1:
                log.exception("a chat message could not be stored")
                if not group[0].future.done():
                    group[0].future.set_exception(RuntimeError("the message could not be stored"))
                return
            log.warning("a group of %d chat messages failed; storing them one by one", len(group))
            self.fallbacks += 1
            for pending in group:
                pending.message = _fresh(pending.message)
                await self._commit([pending])
            return
        for pending, result in zip(group, results, strict=True):
            if pending.future.done():
                continue
            if isinstance(result, Exception):
                pending.future.set_exception(result)
            else:
                pending.future.set_result(result)

    async def _apply(self, s: Tx, group: list[_Pending]) -> list[Posted | Exception]:
        now = self.clock.now()
        guarded = [p.message.author_key for p in group if p.message.nonce or p.slow_mode_s > 0]
        await lock_people(s, guarded)
        pairs = [(p.message.author_key, p.message.nonce) for p in group if p.message.nonce]
        earlier = await recent_by_nonce(
            s, [(a, n) for a, n in pairs if n], now - timedelta(seconds=NONCE_WINDOW_S)
        )
        last: dict[tuple[int, str], datetime] = {}
        slow_sessions: dict[int, list[str]] = {}
        for p in group:
            if p.slow_mode_s > 0:
                slow_sessions.setdefault(p.message.session_id, []).append(p.message.author_key)
        for session_id, authors in slow_sessions.items():
            for author, at in (await last_posts(s, session_id, authors)).items():
                last[(session_id, author)] = at
        results: list[Posted | Exception] = []
        accepted: list[Message] = []
        for p in group:
            m = p.message
            if m.nonce:
                first = earlier.get((m.author_key, m.nonce))
                if first is not None:
                    results.append(Posted(first, replayed=True))
                    continue
            if p.slow_mode_s > 0:
                previous = last.get((m.session_id, m.author_key))
                if previous is not None and (m.created_at - previous).total_seconds() < p.slow_mode_s:
                    results.append(SlowModeRefused(p.slow_mode_s))
                    continue
                last[(m.session_id, m.author_key)] = m.created_at
            if m.nonce:
                earlier[(m.author_key, m.nonce)] = m
            accepted.append(m)
            results.append(Posted(m))
        insert_messages(s, accepted)
        return results


def _fresh(message: Message) -> Message:
    """A transient copy of a message whose group's transaction failed (the session that
    rolled back may have left the original with a stale primary key)."""
    return Message(
        session_id=message.session_id,
        community_id=message.community_id,
        author_key=message.author_key,
        author_name=message.author_name,
        author_role=message.author_role,
        text=message.text,
        nonce=message.nonce,
        created_at=message.created_at,
        offset_ms=message.offset_ms,
        status=message.status,
        address=message.address,
    )
