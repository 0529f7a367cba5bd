"""From raised to resolved, in the recording: an agenda item's page shows where in a replay it
was first raised and where a host announced its outcome ("you said, we did"); the announcement
is kept (a line in the item's timeline) when the host shows the item during a broadcast."""

from __future__ import annotations

from dataclasses import dataclass

from live.clock import Clock
from live.services.actors import Actor
from live.services.archive import Archive
from live.services.chat import offset_ms
from live.services.notices import TimelineKind
from live.storage.agenda import AgendaEvent, AgendaItem
from live.storage.db import Database
from live.storage.moments import MomentStore
from live.storage.rooms import LiveSession
from media import layout


@dataclass(frozen=True)
class Moment:
    session_id: int
    session_title: str
    offset_ms: int
    ended: bool
    #: the recording's playlist when one was kept (then the moment plays in place), else None
    playlist: str | None = None


@dataclass(frozen=True)
class ItemMoments:
    raised: Moment | None
    announced: list[Moment]


def announcement(clock: Clock, actor: Actor, session: LiveSession, item: AgendaItem) -> AgendaEvent:
    """The timeline line that keeps the moment a host showed ``item``'s outcome in ``session``
    (where in the replay: milliseconds since it went live)."""
    return AgendaEvent(
        item_id=item.id,
        at=clock.now(),
        actor=actor.name[:64],
        from_status=None,
        to_status=None,
        note="",
        kind=TimelineKind.ANNOUNCED,
        params={
            "session": str(session.id),
            "title": session.title,
            "offset_ms": offset_ms(session, clock.now()),
        },
    )


class Moments:
    def __init__(self, db: Database, clock: Clock, archive: Archive) -> None:
        self.db = db
        self.clock = clock
        self.archive = archive
        self.store = MomentStore()

    def _moment(self, session: LiveSession, offset_ms: int) -> Moment:
        ended = session.status == "ended"
        playlist = layout.playlist_url(session.id) if ended and self.archive.has_recording(session) else None
        return Moment(session.id, session.title, offset_ms, ended, playlist)

    async def of_item(self, item_id: int) -> ItemMoments:
        async with self.db.read() as s:
            first = await self.store.first_raised(s, item_id)
            raised = None
            if first is not None:
                opinion, session = first
                raised = self._moment(session, opinion.offset_ms or 0)
            announced = []
            for event in await self.store.announcements(s, item_id, TimelineKind.ANNOUNCED):
                try:
                    session_id = int(str(event.params.get("session")))
                except ValueError:
                    continue
                found = await self.store.session(s, session_id)
                if found is None:
                    continue
                at = int(event.params.get("offset_ms") or 0)
                announced.append(self._moment(found, at))
        return ItemMoments(raised, announced)
