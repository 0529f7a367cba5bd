"""Households: one-time household codes handed over at the door, redeeming them, and staff
verifying, revoking and moving residents on the spot. Every step is in the audit log.

A resident is a verified member of at most one household at a time; one household counts once
in ``verified_households`` however many of its members support something."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from live.clock import Clock
from live.errors import Conflict, Forbidden, Gone, Invalid, NotFound, TooManyAttempts
from live.events import EventBus, HouseholdChanged
from live.services.actors import Actor, require_staff, require_user
from live.services.phones import require_phone
from live.services.throttle import FailureCounter
from live.storage.db import Duplicate
from live.storage.households import Household, HouseholdPlace, HouseholdStore, Membership, UnitPlace
from live.storage.moderation import AuditStore

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud at the door
CODE_LENGTH = 8
CODE_DAYS = 14
ROOM = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff-]{1,16}$")
#: Wrong codes tried by one person or address before 429 (codes are 8 of 31 characters).
MAX_BAD_CODES = 10
BAD_CODE_WINDOW_S = 15 * 60


@dataclass(frozen=True)
class IssuedCode:
    code: str
    place: HouseholdPlace
    expires_at: datetime


def clean_room(raw: object) -> str:
    if not isinstance(raw, str):
        raise Invalid("room must be text, e.g. 301", code="bad_room")
    room = unicodedata.normalize("NFKC", raw).strip().upper()
    room = room.removesuffix("室").removesuffix("号")
    if not ROOM.match(room):
        raise Invalid("room: 1-16 letters, digits or dashes, e.g. 301", code="bad_room")
    return room


def clean_code(raw: object) -> str:
    """A code as typed: case, spaces and dashes do not matter."""
    if not isinstance(raw, str):
        raise Invalid("code must be text", code="bad_code")
    code = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", raw)).upper()
    if not code or len(code) > 16:
        raise Invalid("code: the 8 characters on the slip", code="bad_code")
    return code


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Households:
    def __init__(
        self,
        store: HouseholdStore,
        audit: AuditStore,
        clock: Clock,
        events: EventBus,
        failures: FailureCounter,
    ) -> None:
        self.store = store
        self.audit = audit
        self.clock = clock
        self.events = events
        self.failures = failures

    async def _unit_community(self, unit_id: int) -> int:
        unit = await self.store.unit(unit_id)
        if unit is None:
            raise NotFound("no such unit", code="unknown_unit")
        return unit.community.id

    async def issue_code(self, actor: Actor, unit_id: int, room: object) -> IssuedCode:
        """A moderator of the unit's community issues a one-time code for (unit, room)."""
        room = clean_room(room)
        community_id = await self._unit_community(unit_id)
        require_staff(actor, "moderator", community_id)
        now = self.clock.now()
        expires_at = now + timedelta(days=CODE_DAYS)
        for _attempt in range(5):
            try:
                row, place = await self.store.issue_code(
                    unit_id, room, new_code(), actor.key, now, expires_at
                )
                break
            except Duplicate:
                continue  # a code collision, or the same household created concurrently: retry
        else:
            raise Conflict("could not issue a code; try again", code="busy")
        await self.audit.record(
            community_id, actor.key, actor.name, "household_code", f"household:{place.id}"
        )
        return IssuedCode(row.code, place, row.expires_at)

    async def find_or_create(self, actor: Actor, unit_id: int, room: object) -> HouseholdPlace:
        """A moderator of the unit's community names a household by unit and room (e.g. a grid
        worker entering something for a resident without a phone): the household is found, or
        made if nobody of that room has been verified or issued a code yet (audited)."""
        room = clean_room(room)
        community_id = await self._unit_community(unit_id)
        require_staff(actor, "moderator", community_id)
        for _attempt in range(3):
            try:
                place, created = await self.store.find_or_create(unit_id, room, self.clock.now())
                break
            except Duplicate:
                continue  # the same household created concurrently: read it back
        else:
            raise Conflict("could not find the household; try again", code="busy")
        if created:
            await self.audit.record(
                community_id, actor.key, actor.name, "household_create", f"household:{place.id}"
            )
        return place

    async def rooms(self, actor: Actor, unit_id: int) -> tuple[UnitPlace, list[tuple[Household, int]]]:
        """A unit's known households with their verified members (for the grid worker's picker:
        a household with none is not eligible to vote)."""
        unit = await self.store.unit(unit_id)
        if unit is None:
            raise NotFound("no such unit", code="unknown_unit")
        require_staff(actor, "moderator", unit.community.id)
        return unit, await self.store.rooms_of_unit(unit_id)

    async def join(self, actor: Actor, raw_code: object) -> HouseholdPlace:
        """A signed-in resident redeems a code and becomes a verified member of its household."""
        require_user(actor)
        assert actor.user_id is not None
        code = clean_code(raw_code)
        keys = [f"hhcode:u:{actor.user_id}"]
        if actor.address:
            keys.append(f"hhcode:a:{actor.address}")
        for key in keys:
            if await self.failures.recent(key, BAD_CODE_WINDOW_S) >= MAX_BAD_CODES:
                raise TooManyAttempts("too many wrong codes; wait a quarter of an hour")
        row = await self.store.code(code)
        if row is None:
            for key in keys:
                await self.failures.add(key, BAD_CODE_WINDOW_S)
            raise NotFound("no such household code", code="unknown_code")
        if row.used_at is not None:
            raise Conflict("this code was already used", code="code_used")
        if row.expires_at <= self.clock.now():
            raise Gone("this code has expired; ask your grid worker for a new one", code="code_expired")
        if not await self.store.redeem(row.id, actor.user_id, self.clock.now()):
            raise Conflict("this code was already used", code="code_used")
        place = await self.store.place(row.household_id)
        assert place is not None
        await self.audit.record(
            place.community_id, actor.key, actor.name, "household_join", f"household:{place.id}"
        )
        await self.events.publish(HouseholdChanged(actor.user_id, place.id))
        return place

    async def verify(self, actor: Actor, user_id: int, unit_id: int, room: object) -> HouseholdPlace:
        """Staff verify a resident on the spot as a member of (unit, room); this also moves a
        resident who was a member of another household. Only resident accounts: anyone else is
        409 ``not_a_resident``."""
        room = clean_room(room)
        community_id = await self._unit_community(unit_id)
        require_staff(actor, "moderator", community_id)
        before = await self.store.membership(user_id)
        if before is not None and not actor.can("moderator", before.place.community_id):
            raise Forbidden("that resident's household is in another community")
        role = await self.store.user_role(user_id)
        if role is None:
            raise NotFound("no such resident", code="unknown_user")
        if role != "resident":
            # a household is one voice of its residents: staff, party and admin accounts are not members
            raise Conflict(f"only resident accounts join a household, not a {role}", code="not_a_resident")
        place = await self.store.verify(unit_id, room, user_id, actor.key, self.clock.now())
        action = (
            "household_move" if before is not None and before.place.id != place.id else "household_verify"
        )
        await self.audit.record(
            community_id, actor.key, actor.name, action, f"u:{user_id}", f"household:{place.id}"
        )
        await self.events.publish(HouseholdChanged(user_id, place.id))
        return place

    async def move(self, actor: Actor, user_id: int, unit_id: int, room: object) -> HouseholdPlace:
        """Staff move a verified resident to another household (e.g. they moved flats)."""
        if await self.store.membership(user_id) is None:
            raise NotFound("that resident is not a member of a household", code="not_a_member")
        return await self.verify(actor, user_id, unit_id, room)

    async def revoke(self, actor: Actor, user_id: int) -> HouseholdPlace:
        before = await self.store.membership(user_id)
        if before is None:
            raise NotFound("that resident is not a member of a household", code="not_a_member")
        require_staff(actor, "moderator", before.place.community_id)
        place = await self.store.revoke(user_id, actor.key, self.clock.now())
        if place is None:
            raise NotFound("that resident is not a member of a household", code="not_a_member")
        await self.audit.record(
            place.community_id,
            actor.key,
            actor.name,
            "household_revoke",
            f"u:{user_id}",
            f"household:{place.id}",
        )
        await self.events.publish(HouseholdChanged(user_id, None))
        return place

    async def verify_phone(self, actor: Actor, raw_phone: str, unit_id: int, room: object) -> HouseholdPlace:
        """Staff verify the resident with this mobile number on the spot (at the door)."""
        user_id = await self.store.user_id_with_phone(require_phone(raw_phone))
        if user_id is None:
            raise NotFound("no resident has registered this number", code="unknown_user")
        return await self.verify(actor, user_id, unit_id, room)

    async def units(self, actor: Actor, community_id: int) -> list[UnitPlace]:
        """The units a moderator can issue codes for."""
        require_staff(actor, "moderator", community_id)
        return await self.store.units_of(community_id)

    async def mine(self, actor: Actor) -> Membership | None:
        if actor.user_id is None:
            return None
        return await self.store.membership(actor.user_id)

    async def household_of(self, user_id: int) -> int | None:
        """The verified household of a user (for one-household-one-vote rules), or None."""
        return await self.store.household_of(user_id)

    async def members_in(self, actor: Actor, community_id: int) -> list[Membership]:
        require_staff(actor, "moderator", community_id)
        return await self.store.memberships_in(community_id)

    async def count_verified(self, community_id: int) -> int:
        return await self.store.count_verified(community_id)
