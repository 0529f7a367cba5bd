"""Live sessions: scheduling, going live, ending; the rules of who may do it."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select

from live.clock import Clock
from live.errors import Conflict, Invalid, NotFound, Unauthenticated
from live.events import EventBus, SessionStatusChanged
from live.services.actors import Actor, require_staff
from live.storage.agenda import AgendaItem
from live.storage.db import Database
from live.storage.places import community_by_slug, community_id_of
from live.storage.rooms import LiveSession, SessionAgendaItem

STATUSES = ("scheduled", "live", "ended")
TITLE_MAX = 200


class Rooms:
    def __init__(self, db: Database, clock: Clock, events: EventBus) -> None:
        self.db = db
        self.clock = clock
        self.events = events

    async def create(
        self,
        actor: Actor,
        community_slug: str,
        title: str,
        description: str = "",
        scheduled_at: datetime | None = None,
    ) -> LiveSession:
        title = title.strip()
        if not title or len(title) > TITLE_MAX:
            raise Invalid(f"title: 1-{TITLE_MAX} characters")
        async with self.db.transaction() as s:
            community = await community_by_slug(s, community_slug)
            if community is None:
                raise NotFound(f"no community {community_slug}")
            require_staff(actor, "host", community.id)
            session = LiveSession(
                community_id=community.id,
                host_id=actor.user_id,
                title=title,
                description=description.strip(),
                status="scheduled",
                stream_key=secrets.token_urlsafe(24),
                scheduled_at=scheduled_at,
                created_at=self.clock.now(),
            )
            s.add(session)
            await s.flush()
            return session

    async def get(self, session_id: int) -> LiveSession:
        async with self.db.read() as s:
            session = await s.get(LiveSession, session_id)
        if session is None:
            raise NotFound("no such session")
        return session

    async def by_stream_key(self, session_id: int, key: str) -> LiveSession | None:
        session = await self.get(session_id)
        return session if secrets.compare_digest(session.stream_key, key) else None

    async def start(self, actor: Actor, session_id: int) -> LiveSession:
        async with self.db.transaction() as s:
            session = await s.get(LiveSession, session_id, with_for_update=True)
            if session is None:
                raise NotFound("no such session")
            require_staff(actor, "host", session.community_id)
            if session.status == "live":
                return session
            if session.status != "scheduled":
                raise Conflict("this session has ended", code="bad_state")
            session.status = "live"
            session.started_at = self.clock.now()
        await self.events.publish(SessionStatusChanged(session.id, session.community_id, "live"))
        return session

    async def end(self, actor: Actor, session_id: int) -> LiveSession:
        async with self.db.transaction() as s:
            session = await s.get(LiveSession, session_id, with_for_update=True)
            if session is None:
                raise NotFound("no such session")
            require_staff(actor, "host", session.community_id)
            if session.status == "ended":
                return session
            session.status = "ended"
            session.ended_at = self.clock.now()
        await self.events.publish(SessionStatusChanged(session.id, session.community_id, "ended"))
        return session

    async def start_publishing(self, session_id: int, key: str) -> LiveSession:
        """A publisher presented ``key`` (WHIP): a scheduled session goes live, an ended one
        refuses (409), a wrong key is 401."""
        async with self.db.transaction() as s:
            session = await s.get(LiveSession, session_id, with_for_update=True)
            if session is None:
                raise NotFound("no such session")
            if not key or not secrets.compare_digest(session.stream_key, key):
                raise Unauthenticated("wrong or missing stream key", code="bad_stream_key")
            if session.status == "ended":
                raise Conflict("this session has ended", code="ended")
            went_live = session.status == "scheduled"
            if went_live:
                session.status = "live"
                session.started_at = self.clock.now()
        if went_live:
            await self.events.publish(SessionStatusChanged(session.id, session.community_id, "live"))
        return session

    async def set_recording(self, session_id: int, path: str, duration_s: float, size_bytes: int) -> None:
        """Store where a session's finished recording is, how long and how large."""
        async with self.db.transaction() as s:
            session = await s.get(LiveSession, session_id, with_for_update=True)
            if session is None:
                raise NotFound("no such session")
            session.recording_path = path
            session.recording_duration_s = duration_s
            session.recording_bytes = size_bytes

    async def set_agenda(self, actor: Actor, session_id: int, item_ids: Sequence[int]) -> None:
        """The agenda items (of the session's community) the host will report on."""
        async with self.db.transaction() as s:
            session = await s.get(LiveSession, session_id)
            if session is None:
                raise NotFound("no such session")
            require_staff(actor, "host", session.community_id)
            wanted = sorted(set(item_ids))
            found = (
                await s.execute(
                    select(AgendaItem.id).where(
                        AgendaItem.id.in_(wanted), AgendaItem.community_id == session.community_id
                    )
                )
            ).scalars()
            if set(found) != set(wanted):
                raise Invalid("agenda: only items of this session's community")
            await s.execute(delete(SessionAgendaItem).where(SessionAgendaItem.session_id == session_id))
            s.add_all(SessionAgendaItem(session_id=session_id, item_id=i) for i in wanted)

    async def agenda(self, session_id: int) -> list[AgendaItem]:
        """The agenda items a session reports on."""
        query = (
            select(AgendaItem)
            .join(SessionAgendaItem, SessionAgendaItem.item_id == AgendaItem.id)
            .where(SessionAgendaItem.session_id == session_id)
            .order_by(AgendaItem.id)
        )
        async with self.db.read() as s:
            return list((await s.execute(query)).scalars())

    async def open_agenda(self, community_id: int, limit: int = 200) -> list[AgendaItem]:
        """A community's agenda items that are not finished, newest first (to report on)."""
        query = (
            select(AgendaItem)
            .where(
                AgendaItem.community_id == community_id,
                AgendaItem.status.not_in(("resolved", "closed")),
            )
            .order_by(AgendaItem.id.desc())
            .limit(limit)
        )
        async with self.db.read() as s:
            return list((await s.execute(query)).scalars())

    async def list(
        self,
        status: str | None = None,
        community_slug: str | None = None,
        limit: int = 100,
        after: int | None = None,
    ) -> list[LiveSession]:
        if status is not None and status not in STATUSES:
            raise Invalid(f"status must be one of {', '.join(STATUSES)}")
        query = select(LiveSession)
        if status:
            query = query.where(LiveSession.status == status)
        if community_slug:
            query = query.where(LiveSession.community_id == community_id_of(community_slug))
        if after is not None:
            query = query.where(LiveSession.id < after)
        query = query.order_by(LiveSession.id.desc()).limit(limit)
        async with self.db.read() as s:
            return list((await s.execute(query)).scalars())

    def offset_ms(self, session: LiveSession) -> int:
        """Milliseconds since the session went live (0 before it did)."""
        if session.started_at is None:
            return 0
        return max(0, int((self.clock.now() - session.started_at).total_seconds() * 1000))


async def session_counts(db: Database, session_id: int) -> dict[str, int]:
    """Messages and opinions of a session, for its stats."""
    return (await sessions_counts(db, [session_id]))[session_id]


async def sessions_counts(db: Database, session_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Visible messages and opinions of each session: two grouped queries for the whole page."""
    from live.storage.archive import message_counts, opinion_counts

    ids = sorted(set(session_ids))
    async with db.read() as s:
        messages = await message_counts(s, ids)
        opinions = await opinion_counts(s, ids)
    return {i: {"messages": messages.get(i, 0), "opinions": opinions.get(i, 0)} for i in ids}
