"""Live sessions: scheduling (with the agenda to report on), going live, ending, publishing,
and the sessions as the API shows them; the rules of who may do it."""

from __future__ import annotations

import builtins
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from live.clock import Clock
from live.errors import Conflict, Invalid, NotFound, Unauthenticated
from live.events import EventBus, ItemShowcased, SessionStatusChanged, ViewersChanged
from live.services.accountability import rating_counts
from live.services.actors import Actor, require_staff
from live.services.moments import announcement
from live.services.presence import Presence
from live.statuses import SessionStatus, values
from live.storage import accountability as accountability_store
from live.storage import agenda as agenda_store
from live.storage import archive as archive_store
from live.storage import places as places_store
from live.storage import rooms as store
from live.storage.agenda import AgendaItem
from live.storage.db import Database, Tx
from live.storage.rooms import LiveSession
from media import layout

STATUSES = values(SessionStatus)
TITLE_MAX = 200
OPEN_AGENDA_MAX = 200


@dataclass(frozen=True)
class SessionView:
    """A session with what the API shows beside it: its community, its numbers, its recording."""

    session: LiveSession
    community_slug: str
    stats: dict[str, int]
    recording: dict[str, object] | None


def hls_url(session_id: int) -> str:
    """Where a session's HLS playlist (live, and the recording after the end) is served."""
    return layout.playlist_url(session_id)


class Rooms:
    def __init__(self, db: Database, clock: Clock, events: EventBus, presence: Presence) -> None:
        self.db = db
        self.clock = clock
        self.events = events
        self.presence = presence

    # -- scheduling -----------------------------------------------------------------------------
    async def create(
        self,
        actor: Actor,
        community_slug: str,
        title: str,
        description: str = "",
        scheduled_at: datetime | None = None,
    ) -> LiveSession:
        return await self.schedule(actor, community_slug, title, description, scheduled_at)

    async def schedule(
        self,
        actor: Actor,
        community_slug: str,
        title: str,
        description: str = "",
        scheduled_at: datetime | None = None,
        agenda: Sequence[int] = (),
    ) -> LiveSession:
        """A new scheduled session and the open agenda items it will report on, in one
        transaction: a refused agenda leaves no session behind."""
        title = title.strip()
        if not title or len(title) > TITLE_MAX:
            raise Invalid(f"title: 1-{TITLE_MAX} characters")
        async with self.db.transaction() as s:
            community = await places_store.community_by_slug(s, community_slug)
            if community is None:
                raise NotFound(f"no community {community_slug}")
            require_staff(actor, "host", community.id)
            wanted = sorted(set(agenda))
            if set(wanted) - await agenda_store.open_item_ids(s, community.id, wanted):
                raise Invalid("agenda: only open items of this community")
            session = LiveSession(
                community_id=community.id,
                host_id=actor.user_id,
                title=title,
                description=description.strip(),
                status=SessionStatus.SCHEDULED,
                stream_key=secrets.token_urlsafe(24),
                scheduled_at=scheduled_at,
                created_at=self.clock.now(),
            )
            await store.add_session(s, session)
            if wanted:
                await store.replace_session_agenda(s, session.id, wanted)
            return session

    async def set_agenda(self, actor: Actor, session_id: int, item_ids: Sequence[int]) -> None:
        """The agenda items (of the session's community) the host will report on."""
        async with self.db.transaction() as s:
            session = await store.get_session(s, session_id)
            if session is None:
                raise NotFound("no such session")
            require_staff(actor, "host", session.community_id)
            wanted = sorted(set(item_ids))
            if await agenda_store.item_ids_in_community(s, session.community_id, wanted) != set(wanted):
                raise Invalid("agenda: only items of this session's community")
            await store.replace_session_agenda(s, session_id, wanted)

    async def agenda(self, session_id: int) -> builtins.list[AgendaItem]:
        """The agenda items a session reports on."""
        async with self.db.read() as s:
            return await store.session_agenda(s, session_id)

    async def open_agenda(self, community_id: int, limit: int = OPEN_AGENDA_MAX) -> builtins.list[AgendaItem]:
        """A community's agenda items that are not finished, newest first (to report on)."""
        async with self.db.read() as s:
            return await agenda_store.open_items(s, community_id, limit)

    # -- reading --------------------------------------------------------------------------------
    async def get(self, session_id: int) -> LiveSession:
        async with self.db.read() as s:
            session = await store.get_session(s, session_id)
        if session is None:
            raise NotFound("no such session")
        return session

    async def by_stream_key(self, session_id: int, key: str) -> LiveSession | None:
        session = await self.get(session_id)
        return session if secrets.compare_digest(session.stream_key, key) else None

    async def list(
        self,
        status: str | None = None,
        community_slug: str | None = None,
        limit: int = 100,
        after: int | None = None,
    ) -> builtins.list[LiveSession]:
        if status is not None and status not in STATUSES:
            raise Invalid(f"status must be one of {', '.join(STATUSES)}")
        async with self.db.read() as s:
            return await store.list_sessions(s, status, community_slug, limit, after)

    async def views(self, sessions: Sequence[LiveSession]) -> builtins.list[SessionView]:
        """The sessions with their communities, numbers and recordings, in three queries
        whatever their number (current viewers come from presence)."""
        ids = [session.id for session in sessions]
        async with self.db.read() as s:
            slugs = await places_store.community_slugs(s, {session.community_id for session in sessions})
            messages = await archive_store.message_counts(s, ids)
            opinions = await archive_store.opinion_counts(s, ids)
        views = []
        for session in sessions:
            current = await self.presence.current(session.id)
            stats = {
                "current_viewers": current,
                "peak_viewers": max(session.peak_viewers, current),
                "unique_viewers": session.unique_viewers,
                "messages": messages.get(session.id, 0),
                "opinions": opinions.get(session.id, 0),
            }
            recording: dict[str, object] | None = None
            if session.recording_duration_s is not None:
                recording = {"hls": hls_url(session.id), "duration_s": session.recording_duration_s}
            views.append(SessionView(session, slugs[session.community_id], stats, recording))
        return views

    async def view(self, session: LiveSession) -> SessionView:
        return (await self.views([session]))[0]

    async def showcase(self, actor: Actor, session_id: int, item_id: int) -> None:
        """The host shows an agenda item of the session's community (its outcome, its lead party,
        its ratings, how many opinions it came from) to everyone watching ("you said, we did").
        During the broadcast the moment is kept in the item's timeline, in the same transaction;
        the room hears of it through ``ItemShowcased``."""
        async with self.db.transaction() as s:
            session = await store.get_session(s, session_id)
            if session is None:
                raise NotFound("no such session")
            require_staff(actor, "host", session.community_id)
            item = await agenda_store.get_item(s, item_id)
            if item is None:
                raise NotFound("no such agenda item")
            if item.community_id != session.community_id:
                raise NotFound("no such agenda item in this community")
            if session.status == SessionStatus.LIVE:
                agenda_store.add_event(s, announcement(self.clock, actor, session, item))
            opinions, _supporters = await agenda_store.item_opinion_totals(s, item.id)
            party = await accountability_store.get_party(s, item.party_id) if item.party_id else None
            ratings = rating_counts(await accountability_store.ratings_of(s, item.id, item.rating_round))
            slug = (await places_store.community_slugs(s, {item.community_id}))[item.community_id]
        await self.events.publish(
            ItemShowcased(
                session.id,
                session.community_id,
                item,
                slug,
                opinions,
                party.name if party else None,
                ratings,
                actor=actor.key,
            )
        )

    # -- going live and ending ------------------------------------------------------------------
    async def start(self, actor: Actor, session_id: int) -> LiveSession:
        async with self.db.transaction() as s:
            session = await self._locked(s, session_id)
            require_staff(actor, "host", session.community_id)
            if session.status == SessionStatus.LIVE:
                return session
            if session.status != SessionStatus.SCHEDULED:
                raise Conflict("this session has ended", code="bad_state")
            self._go_live(session)
        await self._published(session, actor)
        return session

    async def end(self, actor: Actor, session_id: int) -> LiveSession:
        async with self.db.transaction() as s:
            session = await self._locked(s, session_id)
            require_staff(actor, "host", session.community_id)
            if session.status == SessionStatus.ENDED:
                return session
            session.status = SessionStatus.ENDED
            session.ended_at = self.clock.now()
        await self._published(session, actor)
        return session

    async def check_stream_key(self, session_id: int, key: str) -> LiveSession:
        """The session a publisher may publish to with ``key``: a wrong key is 401, an ended
        session 409 (nothing is changed)."""
        session = await self.get(session_id)
        if not key or not secrets.compare_digest(session.stream_key, key):
            raise Unauthenticated("wrong stream key", code="bad_stream_key")
        if session.status == SessionStatus.ENDED:
            raise Conflict("this session has ended", code="ended")
        return session

    async def start_publishing(self, session_id: int, key: str) -> LiveSession:
        """A publisher presented ``key`` (WHIP): a scheduled session goes live, an ended one
        refuses (409), a wrong key is 401."""
        async with self.db.transaction() as s:
            session = await self._locked(s, session_id)
            if not key or not secrets.compare_digest(session.stream_key, key):
                raise Unauthenticated("wrong or missing stream key", code="bad_stream_key")
            if session.status == SessionStatus.ENDED:
                raise Conflict("this session has ended", code="ended")
            went_live = session.status == SessionStatus.SCHEDULED
            if went_live:
                self._go_live(session)
        if went_live:
            await self._published(session, None)
        return session

    async def announce_viewers(self) -> None:
        """Publish the viewer numbers of every session whose numbers changed since last time."""
        for session_id, counts in await self.presence.changes():
            self.events.post(ViewersChanged(session_id, counts.current, counts.peak, counts.unique))

    async def set_recording(self, session_id: int, path: str, duration_s: float, size_bytes: int) -> None:
        """Store where a session's finished recording is, how long and how large."""
        async with self.db.transaction() as s:
            session = await self._locked(s, session_id)
            session.recording_path = path
            session.recording_duration_s = duration_s
            session.recording_bytes = size_bytes

    def offset_ms(self, session: LiveSession) -> int:
        """Milliseconds since the session went live (0 before it did)."""
        if session.started_at is None:
            return 0
        return max(0, int((self.clock.now() - session.started_at).total_seconds() * 1000))

    # -- internals ------------------------------------------------------------------------------
    async def _locked(self, s: Tx, session_id: int) -> LiveSession:
        session = await store.get_session(s, session_id, lock=True)
        if session is None:
            raise NotFound("no such session")
        return session

    def _go_live(self, session: LiveSession) -> None:
        session.status = SessionStatus.LIVE
        session.started_at = self.clock.now()

    async def _published(self, session: LiveSession, actor: Actor | None) -> None:
        await self.events.publish(
            SessionStatusChanged(
                session.id, session.community_id, session.status, actor=actor.key if actor else None
            )
        )


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
