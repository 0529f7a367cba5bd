"""Polls during a broadcast: the host or a moderator asks the room, everyone answers once
(a new answer replaces the old), results are counted live and kept at their moment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from live.clock import Clock
from live.errors import Conflict, Invalid, NotFound
from live.events import Event, EventBus, PollChanged, SessionStatusChanged
from live.services.actors import Actor, require_staff
from live.services.chat import offset_ms
from live.services.text import clean_text
from live.storage.db import Database
from live.storage.polls import Poll, PollOption, PollStore
from live.storage.rooms import LiveSession, get_session

QUESTION_MAX = 300
OPTION_MAX = 200
MIN_OPTIONS = 2
MAX_OPTIONS = 8
LONGEST_POLL = timedelta(days=1)


@dataclass
class PollView:
    poll: Poll
    options: list[tuple[PollOption, int]]
    voters: int
    is_open: bool
    mine: list[int] | None = field(default=None)


class Polls:
    def __init__(self, db: Database, clock: Clock, events: EventBus) -> None:
        self.db = db
        self.clock = clock
        self.events = events
        self.store = PollStore()

    async def open(
        self,
        actor: Actor,
        session_id: int,
        *,
        question: str,
        options: Sequence[str],
        multiple: bool = False,
        closes_at: datetime | None = None,
    ) -> PollView:
        text = clean_text(question, "question", QUESTION_MAX)
        choices = [clean_text(o, "option", OPTION_MAX) for o in options]
        if not MIN_OPTIONS <= len(choices) <= MAX_OPTIONS:
            raise Invalid(f"a poll has {MIN_OPTIONS} to {MAX_OPTIONS} options", code="bad_options")
        if len(set(choices)) != len(choices):
            raise Invalid("two options are the same", code="bad_options")
        now = self.clock.now()
        if closes_at is not None and not now < closes_at <= now + LONGEST_POLL:
            raise Invalid("closes_at: a time in the next 24 hours", code="bad_closes_at")
        async with self.db.transaction() as s:
            session = await get_session(s, session_id)
            if session is None:
                raise NotFound("no such session")
            require_staff(actor, "moderator", session.community_id)
            if session.status == "ended":
                raise Conflict("the broadcast has ended", code="session_ended")
            poll = Poll(
                session_id=session.id,
                community_id=session.community_id,
                question=text,
                multiple=multiple,
                open=True,
                closes_at=closes_at,
                offset_ms=offset_ms(session, now),
                created_by=actor.key,
                created_at=now,
            )
            await self.store.add(s, poll, choices)
        await self._changed(poll, "opened", actor.key)
        return await self.get(actor, poll.id)

    async def vote(self, actor: Actor, poll_id: int, option_ids: Sequence[int]) -> PollView:
        chosen = sorted(set(option_ids))
        if not chosen:
            raise Invalid("choose at least one option", code="no_options")
        now = self.clock.now()
        async with self.db.transaction() as s:
            poll = await self.store.get(s, poll_id, lock=True)
            if poll is None:
                raise NotFound("no such poll")
            if not _is_open(poll, now):
                raise Conflict("the poll is closed", code="closed")
            valid = {o.id for o in await self.store.options(s, poll.id)}
            if not set(chosen) <= valid:
                raise Invalid("not an option of this poll", code="bad_option")
            if not poll.multiple and len(chosen) != 1:
                raise Invalid("choose one option", code="one_option")
            await self.store.replace_ballot(s, poll.id, actor.key, chosen, now)
        await self._changed(poll, "voted", actor.key)
        return await self.get(actor, poll.id)

    async def close(self, actor: Actor, poll_id: int) -> PollView:
        now = self.clock.now()
        async with self.db.transaction() as s:
            poll = await self.store.get(s, poll_id, lock=True)
            if poll is None:
                raise NotFound("no such poll")
            require_staff(actor, "moderator", poll.community_id)
            changed = poll.open
            if poll.open:
                self._mark_closed(poll, now, await get_session(s, poll.session_id))
        if changed:
            await self.events.publish(
                PollChanged(poll.id, poll.session_id, poll.community_id, "closed", actor=actor.key)
            )
        return await self.get(actor, poll.id)

    async def close_due(self) -> list[int]:
        """Close the polls whose end time has passed (a background job of every process)."""
        now = self.clock.now()
        async with self.db.transaction() as s:
            due = await self.store.due(s, now)
            for poll in due:
                self._mark_closed(poll, poll.closes_at or now, await get_session(s, poll.session_id))
        for poll in due:
            await self._changed(poll, "closed", "system")
        return [p.id for p in due]

    async def _changed(self, poll: Poll, change: str, actor_key: str) -> None:
        await self.events.publish(
            PollChanged(poll.id, poll.session_id, poll.community_id, change, actor=actor_key)
        )

    def _mark_closed(self, poll: Poll, when: datetime, session: LiveSession | None) -> None:
        poll.open = False
        poll.closed_at = when
        if session is not None:
            end = session.ended_at if session.ended_at is not None and session.ended_at < when else when
            poll.closed_offset_ms = offset_ms(session, end)

    async def on_event(self, event: Event) -> None:
        """A broadcast that ends closes its open polls."""
        if isinstance(event, SessionStatusChanged) and event.status == "ended":
            now = self.clock.now()
            async with self.db.transaction() as s:
                session = await get_session(s, event.session_id)
                polls = await self.store.open_of_session(s, event.session_id)
                for poll in polls:
                    self._mark_closed(poll, now, session)
            for poll_id in [p.id for p in polls]:
                await self.events.publish(
                    PollChanged(poll_id, event.session_id, event.community_id, "closed", actor="system")
                )

    async def get(self, actor: Actor | None, poll_id: int) -> PollView:
        async with self.db.read() as s:
            poll = await self.store.get(s, poll_id)
            if poll is None:
                raise NotFound("no such poll")
            counts = await self.store.counts(s, poll.id)
            options = [(o, counts.get(o.id, 0)) for o in await self.store.options(s, poll.id)]
            voters = await self.store.voters(s, poll.id)
            mine = await self.store.ballot(s, poll.id, actor.key) if actor is not None else None
        return PollView(poll, options, voters, _is_open(poll, self.clock.now()), mine)

    async def of_session(self, actor: Actor | None, session_id: int) -> list[PollView]:
        async with self.db.read() as s:
            ids = [p.id for p in await self.store.of_session(s, session_id)]
        return [await self.get(actor, poll_id) for poll_id in ids]


def _is_open(poll: Poll, now: datetime) -> bool:
    return poll.open and (poll.closes_at is None or now < poll.closes_at)
