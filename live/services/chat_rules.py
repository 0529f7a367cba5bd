"""The rules a chat message is checked against — the session's room state (open, ended, slow
mode) and the community's bans and mutes — cached in memory, so that posting does not read them
from the database for every message.

Every change that affects them calls :meth:`ChatRules.changed` after its commit: the entry is
dropped in this process at once and, through :class:`~live.services.signals.Signals` (Redis
pub/sub when ``REDIS_URL`` is set), in every other process. Entries also expire after
``ttl_s`` as a safety net (a signal lost while Redis was away). A load that raced with an
invalidation is not kept, so a stale read never outlives the change that made it stale."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from live.clock import Clock
from live.errors import DomainError, NotFound
from live.events import Event, SessionStatusChanged
from live.services.actors import Actor
from live.services.sanctions import address_applies
from live.services.signals import Signals
from live.storage.db import Database
from live.storage.moderation import active_address_mutes, active_sanctions
from live.storage.rooms import LiveSession, get_session

log = logging.getLogger(__name__)
CHAT_RULES = "chat_rules"
TTL_S = 30.0


class ChatRefused(DomainError):
    """A message the room's rules refuse; ``code`` says which rule."""

    status = 403


class MutedRefused(ChatRefused):
    """The person is muted: ``seconds`` until it ends and ``until`` (ISO, UTC) travel in the ack,
    so the page can say for how long in the reader's language."""

    def __init__(self, until: datetime, now: datetime) -> None:
        seconds = max(1, math.ceil((until - now).total_seconds()))
        super().__init__(f"you are muted for {seconds} more seconds", code="muted")
        self.seconds = seconds
        self.until = until.isoformat()

    def extra(self) -> dict[str, object]:
        return {"seconds": self.seconds, "until": self.until}


@dataclass(frozen=True)
class SessionRules:
    id: int
    community_id: int
    status: str
    chat_open: bool
    slow_mode_s: int
    started_at: datetime | None

    @classmethod
    def of(cls, session: LiveSession) -> SessionRules:
        return cls(
            session.id,
            session.community_id,
            session.status,
            session.chat_open,
            session.slow_mode_s,
            session.started_at,
        )


@dataclass(frozen=True)
class Sanctions:
    """A community's bans in force and running mutes."""

    banned: frozenset[str]
    banned_addresses: frozenset[str]
    mutes: Mapping[str, datetime]
    address_mutes: Mapping[str, datetime] = field(default_factory=dict)

    def bans(self, actor: Actor) -> bool:
        if actor.key in self.banned:
            return True
        return address_applies(actor) and actor.address in self.banned_addresses

    def muted_until(self, who: Actor | str, now: datetime) -> datetime | None:
        """When the mute of a person (by key) or of their address (an actor's, unless loopback
        or staff) ends; None when neither is muted."""
        key = who if isinstance(who, str) else who.key
        candidates = [self.mutes.get(key)]
        if isinstance(who, Actor) and address_applies(who) and who.address:
            candidates.append(self.address_mutes.get(who.address))
        running = [until for until in candidates if until is not None and until > now]
        return max(running) if running else None


class ChatRules:
    def __init__(self, db: Database, clock: Clock, signals: Signals, ttl_s: float = TTL_S) -> None:
        self.db = db
        self.clock = clock
        self.signals = signals
        self.ttl_s = ttl_s
        self._sessions: dict[int, tuple[float, SessionRules]] = {}
        self._sanctions: dict[int, tuple[float, Sanctions]] = {}
        self._generation = 0
        self.loads = 0
        signals.on(CHAT_RULES, self._on_signal)

    async def session(self, session_id: int) -> SessionRules:
        cached = self._sessions.get(session_id)
        if cached is not None and cached[0] > self.clock.monotonic():
            return cached[1]
        generation = self._generation
        async with self.db.read() as s:
            session = await get_session(s, session_id)
        self.loads += 1
        if session is None:
            raise NotFound("no such session")
        rules = SessionRules.of(session)
        if generation == self._generation:
            self._sessions[session_id] = (self.clock.monotonic() + self.ttl_s, rules)
        return rules

    async def sanctions(self, community_id: int) -> Sanctions:
        cached = self._sanctions.get(community_id)
        if cached is not None and cached[0] > self.clock.monotonic():
            return cached[1]
        generation = self._generation
        async with self.db.read() as s:
            bans, mutes = await active_sanctions(s, community_id, self.clock.now())
            address_mutes = await active_address_mutes(s, community_id, self.clock.now())
        self.loads += 1
        sanctions = Sanctions(
            frozenset(k for k, _ in bans), frozenset(a for _, a in bans if a), dict(mutes), address_mutes
        )
        if generation == self._generation:
            self._sanctions[community_id] = (self.clock.monotonic() + self.ttl_s, sanctions)
        return sanctions

    async def changed(self, *, session_id: int | None = None, community_id: int | None = None) -> None:
        """Forget what a committed change made stale, here and in every other process."""
        payload: dict[str, Any] = {"session": session_id, "community": community_id}
        try:
            await self.signals.publish(CHAT_RULES, payload)
        except Exception:  # Redis away: this process is up to date, others within ttl_s
            log.exception("could not tell the other processes that chat rules changed")
            await self._on_signal(payload)

    async def on_event(self, event: Event) -> None:
        """EventBus subscriber: a session going live or ending changes its rules."""
        if isinstance(event, SessionStatusChanged):
            await self.changed(session_id=event.session_id)

    async def _on_signal(self, payload: dict[str, Any]) -> None:
        self._generation += 1
        session_id, community_id = payload.get("session"), payload.get("community")
        if isinstance(session_id, int):
            self._sessions.pop(session_id, None)
        if isinstance(community_id, int):
            self._sanctions.pop(community_id, None)
