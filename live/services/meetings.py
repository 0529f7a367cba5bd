"""Deliberation meetings in seven formats: time, place, items discussed, attendance, minutes,
a decision per item. Setting a meeting schedules its proposed items."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from live.clock import Clock
from live.errors import Invalid, NotFound
from live.events import AgendaChanged, EventBus
from live.services.actors import Actor, require_staff
from live.services.agenda import move
from live.services.text import clean_text
from live.storage import meetings as store
from live.storage.agenda import AgendaItem, lock_item
from live.storage.db import Database, Tx
from live.storage.meetings import MEETING_FORMATS, Meeting
from live.storage.places import community_by_slug, community_id_of, community_slugs

TITLE_MAX = 200
PLACE_MAX = 200
TEXT_MAX = 20000


@dataclass
class MeetingView:
    meeting: Meeting
    community: str
    items: list[tuple[AgendaItem, str]] = field(default_factory=list)


class Meetings:
    def __init__(self, db: Database, clock: Clock, events: EventBus) -> None:
        self.db = db
        self.clock = clock
        self.events = events

    async def create(
        self,
        actor: Actor,
        *,
        community_slug: str,
        format: str,
        title: str,
        starts_at: datetime,
        place: str,
        item_ids: Sequence[int] = (),
    ) -> Meeting:
        if format not in MEETING_FORMATS:
            raise Invalid(f"format must be one of {', '.join(MEETING_FORMATS)}", code="bad_format")
        clean_title, clean_place = (
            clean_text(title, "title", TITLE_MAX),
            clean_text(place, "place", PLACE_MAX),
        )
        moved: list[tuple[int, int, str]] = []
        async with self.db.transaction() as s:
            community = await community_by_slug(s, community_slug)
            if community is None:
                raise NotFound(f"no community {community_slug}")
            require_staff(actor, "moderator", community.id)
            meeting = Meeting(
                community_id=community.id,
                format=format,
                title=clean_title,
                starts_at=starts_at,
                place=clean_place,
                minutes="",
                created_by=actor.key,
                created_at=self.clock.now(),
            )
            await store.add_meeting(s, meeting)
            for item_id in dict.fromkeys(item_ids):
                item = await lock_item(s, item_id)
                if item is None or item.community_id != community.id:
                    raise Invalid(f"no agenda item {item_id} in this community", code="bad_item")
                store.add_meeting_item(s, meeting.id, item.id)
                item.meeting_id = meeting.id
                if item.status == "proposed":
                    # a code and its params, rendered in the reader's language where shown
                    scheduled_by = {
                        "id": str(meeting.id),
                        "title": clean_title,
                        "starts_at": starts_at.astimezone(UTC).isoformat(),
                        "place": clean_place,
                    }
                    await move(s, self.clock, item, "scheduled", actor, params={"meeting": scheduled_by})
                    moved.append((item.id, item.community_id, "proposed"))
        for item_id, community_id, before in moved:
            await self.events.publish(AgendaChanged(item_id, community_id, before, "scheduled"))
        return meeting

    async def update(
        self,
        actor: Actor,
        meeting_id: int,
        *,
        attendance: int | None = None,
        minutes: str | None = None,
        decisions: Mapping[int, str] | None = None,
        title: str | None = None,
        place: str | None = None,
        starts_at: datetime | None = None,
    ) -> Meeting:
        """Record attendance, minutes and a decision per discussed item."""
        async with self.db.transaction() as s:
            meeting = await store.get_meeting(s, meeting_id, lock=True)
            if meeting is None:
                raise NotFound("no such meeting")
            require_staff(actor, "moderator", meeting.community_id)
            if attendance is not None:
                if not 0 <= attendance <= 100000:
                    raise Invalid("attendance: 0-100000")
                meeting.attendance = attendance
            if minutes is not None:
                if len(minutes) > TEXT_MAX:
                    raise Invalid(f"minutes: at most {TEXT_MAX} characters", code="too_long")
                meeting.minutes = minutes.strip()
            if title is not None:
                meeting.title = clean_text(title, "title", TITLE_MAX)
            if place is not None:
                meeting.place = clean_text(place, "place", PLACE_MAX)
            if starts_at is not None:
                meeting.starts_at = starts_at
            for item_id, decision in (decisions or {}).items():
                row = await store.meeting_item(s, meeting.id, item_id)
                if row is None:
                    raise Invalid(f"agenda item {item_id} is not on this meeting", code="bad_item")
                if len(decision) > TEXT_MAX:
                    raise Invalid("decision too long", code="too_long")
                row.decision = decision.strip()
        return meeting

    async def view(self, meeting_id: int) -> MeetingView:
        async with self.db.read() as s:
            meeting = await store.get_meeting(s, meeting_id)
            if meeting is None:
                raise NotFound("no such meeting")
            [view] = await self._views(s, [meeting])
            return view

    async def list(
        self, *, community_slug: str | None = None, limit: int = 100, after: int | None = None
    ) -> builtins.list[MeetingView]:
        """Meetings newest first."""
        community = community_id_of(community_slug) if community_slug else None
        async with self.db.read() as s:
            meetings = await store.meetings_page(s, community, limit, after)
            return await self._views(s, meetings)

    async def _views(self, s: Tx, meetings: builtins.list[Meeting]) -> builtins.list[MeetingView]:
        """Views of a page of meetings: two queries however many meetings (no query per row)."""
        slugs = await community_slugs(s, {m.community_id for m in meetings})
        items = await store.items_of_meetings(s, [m.id for m in meetings])
        return [MeetingView(m, slugs[m.community_id], items[m.id]) for m in meetings]
