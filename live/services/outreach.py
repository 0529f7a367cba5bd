"""Getting people to a broadcast, an agenda item or a meeting from outside the site: QR codes,
printable posters, link previews and calendar files (iCalendar, RFC 5545)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta

import icalendar
import segno

from live.clock import Clock
from live.services.agenda import Agenda
from live.services.meetings import Meetings
from live.services.places import Places
from live.services.rooms import Rooms
from live.storage.meetings import Meeting
from live.storage.rooms import LiveSession

# A broadcast without an end time is shown in calendars as lasting this long.
SESSION_LENGTH = timedelta(hours=1)
MEETING_LENGTH = timedelta(hours=1, minutes=30)
REMIND_BEFORE = timedelta(minutes=30)
CALENDAR_LIMIT = 200
PRODID = "-//Roundtable//community livestream//ZH"


def qr_svg(url: str, *, scale: int = 8) -> bytes:
    """A QR code of ``url`` as a standalone SVG document (error correction M, quiet zone)."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind="svg", scale=scale, border=4, xmldecl=True, svgns=True, title=url)
    return out.getvalue()


@dataclass(frozen=True)
class Poster:
    """What a printed notice (公告栏) says about one broadcast, item or meeting."""

    kind: str  # "live", "agenda", "meetings": also the first part of its page's path
    id: int
    title: str
    description: str
    community: str
    starts_at: datetime | None
    place: str
    status: str

    @property
    def path(self) -> str:
        return f"/{self.kind}/{self.id}"


@dataclass(frozen=True)
class _Event:
    uid: str
    title: str
    description: str
    starts_at: datetime
    length: timedelta
    place: str
    path: str
    stamp: datetime


class Outreach:
    def __init__(
        self, rooms: Rooms, meetings: Meetings, agenda: Agenda, places: Places, clock: Clock
    ) -> None:
        self.rooms = rooms
        self.meetings = meetings
        self.agenda = agenda
        self.places = places
        self.clock = clock

    async def poster(self, kind: str, item_id: int) -> Poster:
        """The poster of a broadcast (``live``), an agenda item (``agenda``) or a meeting
        (``meetings``); NotFound when there is no such thing."""
        if kind == "live":
            session = await self.rooms.get(item_id)
            community = await self.places.by_id(session.community_id)
            return Poster(
                kind,
                session.id,
                session.title,
                session.description or "",
                community.name,
                session.scheduled_at or session.started_at,
                community.name,
                session.status,
            )
        if kind == "agenda":
            view = await self.agenda.view(item_id)
            item = view.item
            community = await self.places.by_id(item.community_id)
            meeting = view.meeting
            return Poster(
                kind,
                item.id,
                item.title,
                item.summary or "",
                community.name,
                meeting.starts_at if meeting else None,
                meeting.place if meeting else (item.location or ""),
                item.status,
            )
        meeting_view = await self.meetings.view(item_id)
        m = meeting_view.meeting
        community = await self.places.by_id(m.community_id)
        summary = "\n".join(item.title for item, _ in meeting_view.items)
        return Poster(kind, m.id, m.title, summary, community.name, m.starts_at, m.place, m.format)

    async def qr(self, kind: str, item_id: int, base_url: str) -> bytes:
        """The QR code (SVG) of the page of a broadcast, item or meeting that exists."""
        found = await self.poster(kind, item_id)
        return qr_svg(base_url + found.path)

    async def session_calendar(self, session_id: int, base_url: str) -> bytes:
        """One broadcast as an iCalendar file (with a reminder half an hour before)."""
        session = await self.rooms.get(session_id)
        community = await self.places.by_id(session.community_id)
        return _calendar(community.name, base_url, [self._session_event(session, community.name)])

    async def meeting_calendar(self, meeting_id: int, base_url: str) -> bytes:
        view = await self.meetings.view(meeting_id)
        community = await self.places.by_id(view.meeting.community_id)
        return _calendar(community.name, base_url, [self._meeting_event(view.meeting)])

    async def community_calendar(self, slug: str, base_url: str) -> bytes:
        """A community's feed: its scheduled and live broadcasts and its meetings from a week
        ago on, so a subscribed phone calendar reminds people."""
        community = await self.places.by_slug(slug)
        since = self.clock.now() - timedelta(days=7)
        events: list[_Event] = []
        for status in ("scheduled", "live"):
            for session in await self.rooms.list(status=status, community_slug=slug, limit=CALENDAR_LIMIT):
                when = session.scheduled_at or session.started_at
                if when is not None and when >= since:
                    events.append(self._session_event(session, community.name))
        for view in await self.meetings.list(community_slug=slug, limit=CALENDAR_LIMIT):
            if view.meeting.starts_at >= since:
                events.append(self._meeting_event(view.meeting))
        events.sort(key=lambda e: e.starts_at)
        return _calendar(community.name, base_url, events)

    def _session_event(self, session: LiveSession, place: str) -> _Event:
        starts = session.scheduled_at or session.started_at or session.created_at
        return _Event(
            uid=f"session-{session.id}",
            title=session.title,
            description=session.description or "",
            starts_at=starts,
            length=SESSION_LENGTH,
            place=place,
            path=f"/live/{session.id}",
            stamp=session.created_at,
        )

    def _meeting_event(self, meeting: Meeting) -> _Event:
        return _Event(
            uid=f"meeting-{meeting.id}",
            title=meeting.title,
            description="",
            starts_at=meeting.starts_at,
            length=MEETING_LENGTH,
            place=meeting.place,
            path=f"/meetings/{meeting.id}",
            stamp=meeting.created_at,
        )


def _calendar(name: str, base_url: str, events: list[_Event]) -> bytes:
    host = base_url.split("://", 1)[-1].split("/", 1)[0] or "roundtable"
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for e in events:
        url = base_url + e.path
        event = icalendar.Event()
        event.add("uid", f"{e.uid}@{host}")
        event.add("dtstamp", e.stamp)
        event.add("dtstart", e.starts_at)
        event.add("dtend", e.starts_at + e.length)
        event.add("summary", e.title)
        event.add("description", (e.description + "\n\n" + url).strip())
        event.add("location", e.place)
        event.add("url", url)
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", e.title)
        alarm.add("trigger", -REMIND_BEFORE)
        event.add_component(alarm)
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
