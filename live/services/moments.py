"""From raised to resolved, in the recording: an agenda item's page shows where in a replay it
was first raised and where a host announced its outcome ("you said, we did"); the announcement
is kept (a line in the item's timeline) when the host shows the item during a broadcast."""

from __future__ import annotations

from dataclasses import dataclass

from live.clock import Clock
from live.services.actors import Actor
from live.services.chat import offset_ms
from live.services.notices import TimelineKind
from live.storage.agenda import AgendaEvent, AgendaItem
from live.storage.db import Database
from live.storage.moments import MomentStore
from live.storage.rooms import LiveSession


@dataclass(frozen=True)
class Moment:
    session_id: int
    session_title: str
    offset_ms: int
    ended: bool


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
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self.store = MomentStore()

    async def of_item(self, item_id: int) -> ItemMoments:
        async with self.db.read() as s:
            first = await self.store.first_raised(s, item_id)
            raised = None
            if first is not None:
                opinion, session = first
                raised = Moment(session.id, session.title, opinion.offset_ms or 0, True)
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
                announced.append(Moment(found.id, found.title, at, found.status == "ended"))
        return ItemMoments(raised, announced)
