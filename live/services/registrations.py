"""Registering for a meeting: capacity and a waiting list that moves up by itself, a code (and
QR) per registration, check-in at the door by code or by name, reminders the day before."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from live.clock import Clock
from live.errors import Conflict, Forbidden, NotFound
from live.events import EventBus, RegistrationsChanged
from live.services.actors import Actor, require_staff
from live.services.inbox import deliver
from live.services.notices import InboxKind, Notice
from live.services.text import clean_text
from live.storage.db import Database, Tx
from live.storage.meetings import Meeting, Registration, RegistrationStore, get_meeting

NAME_MAX = 64
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8
REMIND_AHEAD = timedelta(days=1)


class RegistrationStatus(StrEnum):
    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class CheckIn:
    registration: Registration
    checked_in_at: datetime


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isalnum())[:32]


class Registrations:
    def __init__(self, db: Database, clock: Clock, events: EventBus) -> None:
        self.db = db
        self.clock = clock
        self.events = events
        self.store = RegistrationStore()

    async def register(
        self, actor: Actor, meeting_id: int, name: str | None = None
    ) -> tuple[Registration, bool]:
        """A registration of ``name`` (default: the actor's name); the same person registering
        the same name again gets the registration they have (``created`` False)."""
        who = clean_text(name if name and name.strip() else actor.name, "name", NAME_MAX)
        now = self.clock.now()
        async with self.db.transaction() as s:
            meeting = await get_meeting(s, meeting_id, lock=True)
            if meeting is None:
                raise NotFound("no such meeting")
            existing = await self.store.active_of(s, meeting.id, actor.key, who)
            if existing is not None:
                return existing, False
            counts = await self.store.counts(s, meeting.id)
            full = meeting.capacity is not None and counts["registered"] >= meeting.capacity
            code = new_code()
            while await self.store.code_taken(s, code):
                code = new_code()
            registration = Registration(
                meeting_id=meeting.id,
                person_key=actor.key,
                name=who,
                status=RegistrationStatus.WAITLISTED if full else RegistrationStatus.REGISTERED,
                code=code,
                created_at=now,
            )
            await self.store.add(s, registration)
            community_id = meeting.community_id
        await self._changed(meeting_id, community_id, "registered", actor)
        return registration, True

    async def cancel(self, actor: Actor, meeting_id: int, registration_id: int) -> Registration | None:
        """Its registrant (or staff) cancels; the first on the waiting list moves up. Returns the
        registration that moved up, if any."""
        now = self.clock.now()
        async with self.db.transaction() as s:
            meeting = await get_meeting(s, meeting_id, lock=True)
            registration = await self.store.get(s, registration_id)
            if meeting is None or registration is None or registration.meeting_id != meeting.id:
                raise NotFound("no such registration")
            if registration.person_key != actor.key and not actor.can("moderator", meeting.community_id):
                raise Forbidden("only its registrant can cancel a registration")
            if registration.status == RegistrationStatus.CANCELLED:
                return None
            registration.status = RegistrationStatus.CANCELLED
            registration.cancelled_at = now
            await s.flush()
            moved = await self._move_up(s, meeting, now)
            community_id = meeting.community_id
        await self._changed(meeting_id, community_id, "cancelled", actor)
        return moved[0] if moved else None

    async def set_capacity(self, actor: Actor, meeting_id: int, capacity: int | None) -> list[Registration]:
        """More places move the waiting list up; fewer never un-register anyone."""
        now = self.clock.now()
        async with self.db.transaction() as s:
            meeting = await get_meeting(s, meeting_id, lock=True)
            if meeting is None:
                raise NotFound("no such meeting")
            require_staff(actor, "moderator", meeting.community_id)
            meeting.capacity = capacity
            await s.flush()
            moved = await self._move_up(s, meeting, now)
            community_id = meeting.community_id
        await self._changed(meeting_id, community_id, "capacity", actor)
        return moved

    async def _changed(self, meeting_id: int, community_id: int, change: str, actor: Actor) -> None:
        await self.events.publish(RegistrationsChanged(meeting_id, community_id, change, actor=actor.key))

    async def _move_up(self, s: Tx, meeting: Meeting, now: datetime) -> list[Registration]:
        counts = await self.store.counts(s, meeting.id)
        free = (
            counts["waitlisted"]
            if meeting.capacity is None
            else max(0, meeting.capacity - counts["registered"])
        )
        if free <= 0:
            return []
        moved = await self.store.waitlisted(s, meeting.id, free)
        for registration in moved:
            registration.status = RegistrationStatus.REGISTERED
            registration.promoted_at = now
        return moved

    async def check_in(
        self, actor: Actor, meeting_id: int, *, code: str | None = None, registration_id: int | None = None
    ) -> CheckIn:
        now = self.clock.now()
        async with self.db.transaction() as s:
            meeting = await get_meeting(s, meeting_id, lock=True)
            if meeting is None:
                raise NotFound("no such meeting")
            require_staff(actor, "moderator", meeting.community_id)
            if code is not None:
                registration = await self.store.by_code(s, meeting.id, normal_code(code))
            else:
                found = await self.store.get(s, registration_id or 0)
                registration = found if found is not None and found.meeting_id == meeting.id else None
            if registration is None or registration.status == RegistrationStatus.CANCELLED:
                raise NotFound("no registration with this code", code="unknown_code")
            if registration.checked_in_at is not None:
                raise Conflict(f"{registration.name} was checked in already", code="already_checked_in")
            registration.checked_in_at = now
            registration.checked_in_by = actor.key
            await s.flush()
            # the meeting's recorded attendance: at least everyone checked in at the door (staff
            # may record more, people who came without registering)
            came = (await self.store.counts(s, meeting.id))["attended"]
            meeting.attendance = max(meeting.attendance or 0, came)
            community_id = meeting.community_id
        await self._changed(meeting_id, community_id, "checked_in", actor)
        return CheckIn(registration, now)

    async def attendees(self, actor: Actor, meeting_id: int) -> list[Registration] | None:
        """Who was checked in, in order of arrival: staff of the meeting's community only (None
        for anyone else)."""
        async with self.db.read() as s:
            meeting = await get_meeting(s, meeting_id)
            if meeting is None:
                raise NotFound("no such meeting")
            if not actor.can("moderator", meeting.community_id):
                return None
            came = [r for r in await self.store.of_meeting(s, meeting.id, None) if r.checked_in_at]
        return sorted(came, key=lambda r: (r.checked_in_at, r.id))

    async def of_meeting(self, actor: Actor, meeting_id: int) -> list[Registration]:
        """Staff see every registration; anyone else their own."""
        async with self.db.read() as s:
            meeting = await get_meeting(s, meeting_id)
            if meeting is None:
                raise NotFound("no such meeting")
            mine = None if actor.can("moderator", meeting.community_id) else actor.key
            return await self.store.of_meeting(s, meeting.id, mine)

    async def one(self, actor: Actor, meeting_id: int, registration_id: int) -> Registration:
        async with self.db.read() as s:
            meeting = await get_meeting(s, meeting_id)
            registration = await self.store.get(s, registration_id)
        if meeting is None or registration is None or registration.meeting_id != meeting.id:
            raise NotFound("no such registration")
        if registration.person_key != actor.key and not actor.can("moderator", meeting.community_id):
            raise NotFound("no such registration")
        return registration

    async def counts_of(self, meeting_ids: list[int]) -> dict[int, dict[str, int]]:
        async with self.db.read() as s:
            return await self.store.counts_of(s, meeting_ids)

    async def counts(self, meeting_id: int) -> dict[str, int]:
        async with self.db.read() as s:
            return await self.store.counts(s, meeting_id)

    async def remind(self, as_of: datetime | None = None) -> int:
        """Inbox reminders for meetings starting within a day of ``as_of`` (default now)."""
        return await send_reminders(self.db, self.clock, as_of)


async def send_reminders(db: Database, clock: Clock, as_of: datetime | None = None) -> int:
    """One inbox reminder per active registration of a meeting starting within a day of
    ``as_of``: the registration's ``reminded_at`` is claimed (a conditional UPDATE) in the same
    transaction as its inbox entry, so however often (and on however many processes) this runs,
    each is reminded once. Part of the scheduled jobs (``python -m live jobs run``, and
    ``serve``'s background task)."""
    now = as_of or clock.now()
    at = _Stopped(now)
    sent = 0
    async with db.transaction() as s:
        store = RegistrationStore()
        for registration in await store.to_remind(s, now, now + REMIND_AHEAD):
            if not await store.claim_reminder(s, registration.id, now):
                continue  # another run reminded it meanwhile
            meeting = await get_meeting(s, registration.meeting_id)
            assert meeting is not None
            notice = Notice(
                InboxKind.MEETING_REMINDER,
                {
                    "title": meeting.title,
                    "starts_at": meeting.starts_at.isoformat(),
                    "place": meeting.place,
                    "waitlisted": registration.status == RegistrationStatus.WAITLISTED,
                    "meeting": str(meeting.id),
                },
            )
            sent += await deliver(s, at, [registration.person_key], notice)
    return sent


class _Stopped:
    """A clock stopped at the moment the reminders judge (their inbox entries carry it)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def monotonic(self) -> float:
        return 0.0
