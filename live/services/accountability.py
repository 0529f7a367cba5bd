"""Who owes what by when: responsible parties, assignments with working-day limits, progress
notes, parts done, extensions, satisfaction ratings and reopening (issue 10, CONTRACT §7).

The rules:
- a party belongs to a community, or to the subdistrict (``community_id`` null, made by admins);
- an item has one lead party and any number of supporting ones; reassigning ends the old
  assignment (kept) and keeps the item's clock (``assigned_at`` and the limits do not restart);
- limits are working days (``live/services/workdays.py``) from the category, overridden per
  community, overridden per item by the moderator who assigns;
- the first progress note is the party's response; an extension pushes a limit back by working
  days, with a public reason, and is counted (``extensions``);
- people who raised or supported one of the item's opinions rate it within 14 days of its
  resolution; with at least 3 ratings of which more than a third are ``unsatisfied`` the item
  returns to ``in_progress`` (``reopened``) and a new round of ratings begins.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from live.clock import Clock
from live.errors import Conflict, Forbidden, Invalid, NotFound
from live.events import AgendaChanged, EventBus, Generic
from live.services.actors import Actor, require_admin, require_staff, require_user
from live.services.inbox import deliver, participants
from live.services.notices import InboxKind, Notice, TimelineKind
from live.services.text import clean_text
from live.services.workdays import ZONE, WorkCalendar, local_day
from live.storage import accountability as store
from live.storage.accountability import (
    Assignment,
    CalendarDay,
    Extension,
    LimitOverride,
    Party,
    Progress,
    Rating,
)
from live.storage.agenda import AgendaEvent, AgendaItem, add_event, get_item, lock_item
from live.storage.categories import get_category
from live.storage.db import Database, Tx
from live.storage.households import households_of_users
from live.storage.opinions import Category
from live.storage.places import community_by_id, community_by_slug, community_slugs

PARTY_KINDS = ("property", "owners_committee", "department", "committee", "other")
RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")
RATING_DAYS = 14
DEFAULT_RESPONSE_DAYS = 2
DEFAULT_RESOLVE_DAYS = 15
MAX_LIMIT_DAYS = 250
NOTE_MAX = 5000
REOPEN_MIN_RATINGS = 3
CALENDAR_CORRECTED = "calendar.corrected"  # a Generic event: working days were corrected


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def should_reopen(counts: dict[str, int]) -> bool:
    """At least 3 ratings of which more than a third are unsatisfied."""
    total = sum(counts.values())
    return total >= REOPEN_MIN_RATINGS and counts.get("unsatisfied", 0) * 3 > total


def rating_counts(ratings: Sequence[Rating]) -> dict[str, int]:
    counts = dict.fromkeys(RATINGS, 0)
    for r in ratings:
        counts[r.rating] = counts.get(r.rating, 0) + 1
    return counts


class _Due(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def resolve_due_at(self) -> datetime | None: ...
    @property
    def overdue_at(self) -> datetime | None: ...


def is_overdue(item: _Due, now: datetime) -> bool:
    """The resolution limit has passed while the item is neither resolved nor closed."""
    if item.status in ("resolved", "closed") or item.resolve_due_at is None:
        return False
    return item.overdue_at is not None or now > item.resolve_due_at


def _days(value: int | None, name: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_LIMIT_DAYS:
        raise Invalid(f"{name}: a whole number of working days, 1-{MAX_LIMIT_DAYS}", code="bad_days")
    return value


@dataclass
class PartyRow:
    party: Party
    community: str | None


@dataclass
class AccountView:
    """Everything the item page and API show about who owes what by when."""

    item: AgendaItem
    party: Party | None
    supporting: list[Party] = field(default_factory=list)
    history: list[tuple[Assignment, Party]] = field(default_factory=list)
    progress: list[Progress] = field(default_factory=list)
    extensions: list[Extension] = field(default_factory=list)
    ratings: dict[str, int] = field(default_factory=dict)
    comments: list[Rating] = field(default_factory=list)
    overdue: bool = False
    rating_until: datetime | None = None
    can_rate: bool = False
    my_rating: str | None = None
    acts_for: Party | None = None  # the viewer's own party when it has a part in the item


@dataclass
class PartyLoad:
    """One line of the board's per-party table."""

    party: Party
    open: int = 0
    due_soon: int = 0
    overdue: int = 0


async def calendar(s: Tx) -> WorkCalendar:
    return WorkCalendar(await store.corrections(s))


async def limits_for(s: Tx, community_id: int, category: str) -> tuple[int, int]:
    """(response_days, resolve_days) of a category in a community."""
    row = await get_category(s, category)
    response = row.response_days if row else DEFAULT_RESPONSE_DAYS
    resolve = row.resolve_days if row else DEFAULT_RESOLVE_DAYS
    custom = await store.override(s, community_id, category)
    if custom is not None:
        response = custom.response_days or response
        resolve = custom.resolve_days or resolve
    return response, resolve


def _event(
    item: AgendaItem,
    actor_name: str,
    now: datetime,
    kind: TimelineKind,
    params: dict[str, Any],
    note: str = "",
) -> AgendaEvent:
    return AgendaEvent(
        item_id=item.id,
        at=now,
        actor=actor_name[:64],
        from_status=None,
        to_status=None,
        note=note,
        kind=str(kind),
        params=params,
    )


async def assign_in(
    s: Tx,
    clock: Clock,
    item: AgendaItem,
    actor: Actor,
    party_id: int,
    *,
    supporting: Sequence[int] | None = None,
    response_days: int | None = None,
    resolve_days: int | None = None,
) -> None:
    """Assign ``item`` to a lead party (and supporting ones) inside the caller's transaction."""
    now = clock.now()
    lead = await store.get_party(s, party_id)
    if lead is None or lead.community_id not in (None, item.community_id):
        raise Invalid("no such party for this community", code="bad_party")
    support: list[Party] = []
    for sid in dict.fromkeys(supporting or []):
        party = await store.get_party(s, sid)
        if party is None or party.community_id not in (None, item.community_id):
            raise Invalid(f"no party {sid} for this community", code="bad_party")
        if party.id != lead.id:
            support.append(party)
    response_days, resolve_days = _days(response_days, "response_days"), _days(resolve_days, "resolve_days")
    active = await store.active_assignments(s, item.id)
    previous = next((a for a in active if a.role == "lead"), None)
    previous_name = None
    keep = {lead.id: "lead", **{p.id: "support" for p in support}}
    if supporting is None:  # only the lead changes: keep the supporting parties
        keep.update({a.party_id: "support" for a in active if a.role == "support" and a.party_id != lead.id})
    for a in active:
        if keep.get(a.party_id) != a.role:
            a.ended_at = now
            if a.role == "lead":
                previous_name = (await store.get_party(s, a.party_id)).name  # type: ignore[union-attr]
    current = {(a.party_id, a.role) for a in active if a.ended_at is None}
    for pid, role in keep.items():
        if (pid, role) not in current:
            store.add(
                s,
                Assignment(item_id=item.id, party_id=pid, role=role, assigned_at=now, assigned_by=actor.key),
            )
    if item.assigned_at is None:
        item.assigned_at = now
    default_response, default_resolve = await limits_for(s, item.community_id, item.category)
    if item.response_days is None or response_days is not None:
        item.response_days = response_days or default_response
    if item.resolve_days is None or resolve_days is not None:
        item.resolve_days = resolve_days or default_resolve
    cal = await calendar(s)
    assert item.response_days is not None and item.resolve_days is not None
    if item.response_due_at is None or response_days is not None:
        item.response_due_at = cal.deadline(item.assigned_at, item.response_days)
    if item.resolve_due_at is None or resolve_days is not None:
        item.resolve_due_at = cal.deadline(item.assigned_at, item.resolve_days)
    changed_lead = previous is None or previous.party_id != lead.id
    item.party_id = lead.id
    item.responsible = lead.name[:128]
    item.updated_at = now
    supporting_names = [
        p.name
        for p in (
            support
            if supporting is not None
            else [await store.get_party(s, pid) for pid, r in keep.items() if r == "support"]
        )
        if p
    ]
    params = {
        "party": lead.name,
        "party_id": lead.id,
        "supporting": supporting_names,
        "response_due_at": iso(item.response_due_at),
        "resolve_due_at": iso(item.resolve_due_at),
        "response_days": item.response_days,
        "resolve_days": item.resolve_days,
    }
    if previous_name and changed_lead:
        params["previous"] = previous_name
    add_event(s, _event(item, actor.name, now, TimelineKind.ASSIGNED, params))
    notice = Notice(
        InboxKind.ITEM_ASSIGNED,
        {
            "title": item.title,
            "party": lead.name,
            "response_due_at": iso(item.response_due_at),
            "resolve_due_at": iso(item.resolve_due_at),
        },
    )
    await deliver(s, clock, await store.party_accounts(s, keep), notice, item.id)


async def on_resolved(s: Tx, clock: Clock, item: AgendaItem) -> set[str]:
    """The item just became resolved: ask its participants to rate it. Returns who was asked."""
    now = clock.now()
    item.resolved_at = now
    people = await participants(s, item.id)
    if people:
        ordered = await _verified_first(s, people)
        notice = Notice(
            InboxKind.ITEM_RATE, {"title": item.title, "until": iso(now + timedelta(days=RATING_DAYS))}
        )
        await deliver(s, clock, ordered, notice, item.id)
    return people


async def _verified_first(s: Tx, people: set[str]) -> list[str]:
    """Members of verified households first (their entries are written first)."""
    user_ids = [int(k[2:]) for k in people if k.startswith("u:") and k[2:].isdigit()]
    verified = {f"u:{uid}" for uid in await households_of_users(s, user_ids)} if user_ids else set()
    return sorted(people & verified) + sorted(people - verified)


class Accountability:
    def __init__(self, db: Database, clock: Clock, events: EventBus, *, due_soon_days: int = 1) -> None:
        """``due_soon_days``: LIVE_DUE_SOON_DAYS, the working days before a limit that make an
        item "due soon" on the board (the overdue job's reminder uses the same setting)."""
        self.db = db
        self.clock = clock
        self.events = events
        self.due_soon_days = due_soon_days

    # ---- parties ---------------------------------------------------------------------------

    async def create_party(
        self, actor: Actor, *, community_slug: str | None, name: str, kind: str, contact: str | None
    ) -> PartyRow:
        clean_name = clean_text(name, "name", 128)
        if kind not in PARTY_KINDS:
            raise Invalid(f"kind must be one of {', '.join(PARTY_KINDS)}", code="bad_kind")
        contact = (contact or "").strip()[:128] or None
        async with self.db.transaction() as s:
            community = None
            if community_slug:
                community = await community_by_slug(s, community_slug)
                if community is None:
                    raise NotFound(f"no community {community_slug}")
                require_staff(actor, "moderator", community.id)
            else:
                require_admin(actor)
            party = Party(
                community_id=community.id if community else None,
                name=clean_name,
                kind=kind,
                contact=contact,
                created_at=self.clock.now(),
            )
            await store.add_party(s, party)
        return PartyRow(party, community.slug if community else None)

    async def parties(
        self, community_slug: str | None = None, *, community_id: int | None = None
    ) -> list[PartyRow]:
        """The parties a community may assign (its own and the subdistrict's; all without one),
        by the community's slug or id."""
        async with self.db.read() as s:
            if community_slug:
                community = await community_by_slug(s, community_slug)
                if community is None:
                    raise NotFound(f"no community {community_slug}")
                community_id = community.id
            parties = await store.parties_of(s, community_id)
            slugs = await community_slugs(s, {p.community_id for p in parties if p.community_id})
        return [PartyRow(p, slugs.get(p.community_id) if p.community_id else None) for p in parties]

    async def party(self, party_id: int) -> PartyRow:
        async with self.db.read() as s:
            party = await store.get_party(s, party_id)
            if party is None:
                raise NotFound("no such party")
            community = await community_by_id(s, party.community_id) if party.community_id else None
        return PartyRow(party, community.slug if community else None)

    async def party_names(self, ids: Sequence[int]) -> dict[int, str]:
        async with self.db.read() as s:
            return await store.party_names(s, ids)

    # ---- limits and the calendar -------------------------------------------------------------

    async def set_limits(
        self,
        actor: Actor,
        category: str,
        *,
        response_days: int | None,
        resolve_days: int | None,
        community_slug: str | None = None,
    ) -> tuple[Category, LimitOverride | None]:
        """An admin sets a category's limits, for every community or (``community``) for one."""
        require_admin(actor)
        response_days, resolve_days = (
            _days(response_days, "response_days"),
            _days(resolve_days, "resolve_days"),
        )
        async with self.db.transaction() as s:
            row = await get_category(s, category)
            if row is None:
                raise NotFound(f"no category {category}")
            if not community_slug:
                if response_days is not None:
                    row.response_days = response_days
                if resolve_days is not None:
                    row.resolve_days = resolve_days
                return row, None
            community = await community_by_slug(s, community_slug)
            if community is None:
                raise NotFound(f"no community {community_slug}")
            custom = await store.override(s, community.id, category)
            if custom is None:
                custom = LimitOverride(community_id=community.id, category=category)
                store.add(s, custom)
            if response_days is not None:
                custom.response_days = response_days
            if resolve_days is not None:
                custom.resolve_days = resolve_days
            await s.flush()
            return row, custom

    async def overrides(self) -> list[tuple[LimitOverride, str]]:
        async with self.db.read() as s:
            return await store.overrides_with_slugs(s)

    async def correct_day(self, actor: Actor, raw_day: str, workday: bool | None, note: str = "") -> date:
        """An admin says whether a day (YYYY-MM-DD) is a working day (``None``: back to the
        library's word)."""
        require_admin(actor)
        try:
            day = date.fromisoformat(raw_day)
        except ValueError as err:
            raise Invalid("a date YYYY-MM-DD", code="bad_date") from err
        if not 1970 <= day.year <= 2100:
            raise Invalid("a day of 1970-2100", code="bad_date")
        async with self.db.transaction() as s:
            row = await store.calendar_day(s, day)
            if workday is None:
                if row is not None:
                    await store.delete_calendar_day(s, row)
            elif row is None:
                store.add(s, CalendarDay(day=day, workday=workday, note=note.strip()[:128]))
            else:
                row.workday, row.note = workday, note.strip()[:128]
        await self.events.publish(Generic(CALENDAR_CORRECTED, {"day": day.isoformat()}, actor=actor.key))
        return day

    async def corrections(self, actor: Actor) -> list[CalendarDay]:
        require_admin(actor)
        async with self.db.read() as s:
            return await store.calendar_days(s)

    async def calendar(self) -> WorkCalendar:
        async with self.db.read() as s:
            return await calendar(s)

    async def working_days_left(self, item: AgendaItem) -> int:
        """Working days from today until the item's resolution limit (0 without one or past it)."""
        if item.resolve_due_at is None:
            return 0
        cal = await self.calendar()
        return cal.between(local_day(self.clock.now()), local_day(item.resolve_due_at))

    def overdue(self, items: Iterable[AgendaItem]) -> set[int]:
        """The ids of those items whose resolution limit has passed now (``is_overdue``)."""
        now = self.clock.now()
        return {item.id for item in items if is_overdue(item, now)}

    def this_month(self) -> str:
        """The current month, ``YYYY-MM`` in the committees' zone (the monthly report's default)."""
        return self.clock.now().astimezone(ZONE).strftime("%Y-%m")

    # ---- the party's work ----------------------------------------------------------------------

    async def _item_for(
        self, s: Tx, actor: Actor, item_id: int, *, lock: bool = True
    ) -> tuple[AgendaItem, Assignment | None]:
        """The item and the actor's active assignment on it; moderators of its community pass too."""
        require_user(actor)
        item = await get_item(s, item_id, lock=lock)
        if item is None:
            raise NotFound("no such agenda item")
        mine = None
        if actor.party_id is not None:
            mine = next(
                (a for a in await store.active_assignments(s, item.id) if a.party_id == actor.party_id), None
            )
        if mine is None and not actor.can("moderator", item.community_id):
            raise Forbidden("only the item's parties and its community's moderators")
        return item, mine

    async def progress(
        self, actor: Actor, item_id: int, note: str, photos: Sequence[dict[str, Any]] = ()
    ) -> Progress:
        """A progress note (the first one is the response)."""
        text = clean_text(note, "note", NOTE_MAX)
        now = self.clock.now()
        async with self.db.transaction() as s:
            item, mine = await self._item_for(s, actor, item_id)
            if item.status in ("resolved", "closed"):
                raise Conflict(f"the item is {item.status}", code="not_open")
            party = await store.get_party(s, mine.party_id) if mine else None
            row = Progress(
                item_id=item.id,
                party_id=party.id if party else None,
                actor_key=actor.key,
                actor_name=actor.name[:64],
                note=text,
                photos=list(photos),
                at=now,
            )
            store.add(s, row)
            if item.responded_at is None and item.party_id is not None:
                item.responded_at = now
            item.updated_at = now
            params: dict[str, Any] = {"party": party.name} if party else {}
            if photos:
                params["photos"] = len(photos)
            add_event(s, _event(item, actor.name, now, TimelineKind.PROGRESS, params, text))
            notice = Notice(InboxKind.ITEM_PROGRESS, {"title": item.title, "note": text, **params})
            people = set(await participants(s, item.id)) | set(await store.staff_of(s, item.community_id))
            people.discard(actor.key)
            await deliver(s, self.clock, people, notice, item.id)
            await s.flush()
        await self.events.publish(AgendaChanged(item.id, item.community_id, item.status, None))
        return row

    async def done(self, actor: Actor, item_id: int, outcome: str | None = None) -> AgendaItem:
        """A party marks its part done; the lead's done resolves an item that is in progress."""
        from live.services.agenda import move

        now = self.clock.now()
        async with self.db.transaction() as s:
            item, mine = await self._item_for(s, actor, item_id)
            if mine is None:
                raise Forbidden("only an account of one of the item's parties marks its part done")
            if mine.done_at is not None:
                raise Conflict("this part is already done", code="already_done")
            mine.done_at = now
            party = await store.get_party(s, mine.party_id)
            assert party is not None
            add_event(s, _event(item, actor.name, now, TimelineKind.PART_DONE, {"party": party.name}))
            notice = Notice(InboxKind.ITEM_PART_DONE, {"title": item.title, "party": party.name})
            await deliver(s, self.clock, await store.staff_of(s, item.community_id), notice, item.id)
            if item.responded_at is None:
                item.responded_at = now
            before = item.status
            if outcome:
                item.outcome = clean_text(outcome, "outcome", NOTE_MAX)
            if mine.role == "lead" and item.status == "in_progress":
                await move(s, self.clock, item, "resolved", actor, "")
            item.updated_at = now
        await self.events.publish(
            AgendaChanged(item.id, item.community_id, before, item.status if item.status != before else None)
        )
        return item

    async def extend(
        self, actor: Actor, item_id: int, days: int, reason: str, which: str = "resolve"
    ) -> Extension:
        """Push a limit back by working days, with a reason everyone sees."""
        if which not in ("resolve", "response"):
            raise Invalid("which: resolve or response", code="bad_which")
        checked = _days(days, "days")
        assert checked is not None
        text = clean_text(reason, "reason", 1000)
        now = self.clock.now()
        async with self.db.transaction() as s:
            item = await lock_item(s, item_id)
            if item is None:
                raise NotFound("no such agenda item")
            require_staff(actor, "moderator", item.community_id)
            due = item.resolve_due_at if which == "resolve" else item.response_due_at
            if due is None:
                raise Conflict("the item has no party yet", code="not_assigned")
            if item.status in ("resolved", "closed"):
                raise Conflict(f"the item is {item.status}", code="not_open")
            new_due = (await calendar(s)).extend(due, checked)
            row = Extension(
                item_id=item.id,
                which=which,
                days=checked,
                reason=text,
                previous_due_at=due,
                due_at=new_due,
                actor=actor.name[:64],
                at=now,
            )
            store.add(s, row)
            if which == "resolve":
                item.resolve_due_at = new_due
                if item.overdue_at is not None and now <= new_due:
                    item.overdue_at = None  # no longer overdue; a new lapse is told again
                    item.due_soon_at = None
                elif item.due_soon_at is not None:
                    item.due_soon_at = None
            else:
                item.response_due_at = new_due
                if now <= new_due:
                    item.response_overdue_at = None
            item.extensions += 1
            item.updated_at = now
            params = {"which": which, "due_at": iso(new_due), "previous": iso(due), "days": checked}
            add_event(s, _event(item, actor.name, now, TimelineKind.EXTENDED, params, text))
            people = set(await participants(s, item.id)) | set(
                await store.party_accounts(
                    s, [a.party_id for a in await store.active_assignments(s, item.id)]
                )
            )
            notice = Notice(
                InboxKind.ITEM_EXTENDED, {"title": item.title, "due_at": iso(new_due), "reason": text}
            )
            await deliver(s, self.clock, people, notice, item.id)
            await s.flush()
        await self.events.publish(AgendaChanged(item.id, item.community_id, item.status, None))
        return row

    # ---- ratings -------------------------------------------------------------------------------

    async def rate(
        self,
        actor: Actor,
        item_id: int,
        rating: str,
        comment: str = "",
        *,
        channel: str = "form",
        household_id: int | None = None,
        community_id: int | None = None,
    ) -> dict[str, int]:
        """``actor`` rates (a second rating replaces the first). Staff entering a rating on
        behalf of a named resident (live/services/onbehalf.py) pass the resident as ``actor``,
        the ``channel`` and the resident's household, and the household's ``community_id``."""
        if rating not in RATINGS:
            raise Invalid(f"rating must be one of {', '.join(RATINGS)}", code="bad_rating")
        comment = (comment or "").strip()[:1000]
        now = self.clock.now()
        reopened = False
        async with self.db.transaction() as s:
            item = await lock_item(s, item_id)
            if item is None or (community_id is not None and item.community_id != community_id):
                raise NotFound("no such agenda item")
            if actor.key not in await participants(s, item.id):
                raise Forbidden("only people who raised or supported it rate it", code="not_a_participant")
            if item.status != "resolved":
                raise Conflict("the item is not resolved", code="not_resolved")
            if item.resolved_at is not None and now > item.resolved_at + timedelta(days=RATING_DAYS):
                raise Conflict(f"ratings close {RATING_DAYS} days after the resolution", code="rating_closed")
            household = household_id
            if household is None and actor.user_id is not None:
                household = (await households_of_users(s, [actor.user_id])).get(actor.user_id)
            row = await store.rating_of(s, item.id, item.rating_round, actor.key)
            if row is None:
                store.add(
                    s,
                    Rating(
                        item_id=item.id,
                        round=item.rating_round,
                        person_key=actor.key,
                        household_id=household,
                        rating=rating,
                        comment=comment,
                        created_at=now,
                        updated_at=now,
                        channel=channel,
                    ),
                )
            else:
                row.rating, row.comment, row.updated_at, row.household_id = rating, comment, now, household
                row.channel = channel
            await s.flush()
            counts = rating_counts(await store.ratings_of(s, item.id, item.rating_round))
            if should_reopen(counts):
                await self._reopen(s, item, counts)
                reopened = True
        if reopened:
            await self.events.publish(AgendaChanged(item.id, item.community_id, "resolved", "in_progress"))
        else:  # its ratings changed (the statistics count them)
            await self.events.publish(AgendaChanged(item.id, item.community_id, "resolved", None))
        return counts

    async def _reopen(self, s: Tx, item: AgendaItem, counts: dict[str, int]) -> None:
        now = self.clock.now()
        total = sum(counts.values())
        params = {"unsatisfied": counts.get("unsatisfied", 0), "ratings": total}
        add_event(
            s,
            AgendaEvent(
                item_id=item.id,
                at=now,
                actor="",
                from_status="resolved",
                to_status="in_progress",
                note="",
                kind=str(TimelineKind.REOPENED),
                params=params,
            ),
        )
        item.status = "in_progress"
        item.rating_round += 1
        item.resolved_at = None
        item.updated_at = now
        parties = [a.party_id for a in await store.active_assignments(s, item.id)]
        people = set(await store.party_accounts(s, parties)) | set(await store.staff_of(s, item.community_id))
        people |= set(await participants(s, item.id))
        await deliver(
            s, self.clock, people, Notice(InboxKind.ITEM_REOPENED, {"title": item.title, **params}), item.id
        )

    # ---- reading -------------------------------------------------------------------------------

    async def view(
        self, item_id: int, actor: Actor | None = None, *, item: AgendaItem | None = None
    ) -> AccountView:
        """An item's accountability (``item``: the item just read by the caller, not read again)."""
        now = self.clock.now()
        async with self.db.read() as s:
            if item is None or item.id != item_id:
                item = await get_item(s, item_id)
            if item is None:
                raise NotFound("no such agenda item")
            assignments = await store.assignments(s, item.id)
            wanted = {a.party_id for a in assignments} | ({item.party_id} if item.party_id else set())
            by_id = await store.parties_by_ids(s, wanted)
            history = [(a, by_id[a.party_id]) for a in assignments if a.party_id in by_id]
            lead = by_id.get(item.party_id) if item.party_id else None
            supporting = [p for a, p in history if a.ended_at is None and a.role == "support"]
            ratings = await store.ratings_of(s, item.id, item.rating_round)
            view = AccountView(
                item=item,
                party=lead,
                supporting=supporting,
                history=history,
                progress=await store.progress_of(s, item.id),
                extensions=await store.extensions_of(s, item.id),
                ratings=rating_counts(ratings),
                comments=[r for r in ratings if r.comment],
                overdue=is_overdue(item, now),
            )
            if item.status == "resolved" and item.resolved_at is not None:
                view.rating_until = item.resolved_at + timedelta(days=RATING_DAYS)
                if (
                    actor is not None
                    and now <= view.rating_until
                    and actor.key in await participants(s, item.id)
                ):
                    view.can_rate = True
                    mine = await store.rating_of(s, item.id, item.rating_round, actor.key)
                    view.my_rating = mine.rating if mine else None
            if actor is not None and actor.party_id is not None:
                view.acts_for = next(
                    (p for a, p in history if a.ended_at is None and p.id == actor.party_id), None
                )
        return view

    async def my_items(self, actor: Actor) -> tuple[Party, list[tuple[AgendaItem, bool]]]:
        """A party account's desk: its party and the items it has a part in (with overdue)."""
        require_user(actor)
        if actor.party_id is None:
            raise Forbidden("only accounts of a responsible party")
        now = self.clock.now()
        async with self.db.read() as s:
            party = await store.get_party(s, actor.party_id)
            if party is None:
                raise NotFound("no such party")
            items = await store.items_of_party(s, party.id)
        return party, [(i, is_overdue(i, now)) for i in items]

    async def board(self, community_slug: str | None) -> list[PartyLoad]:
        """Per lead party: open, due soon and overdue items."""
        now = self.clock.now()
        async with self.db.read() as s:
            community_id = None
            if community_slug:
                community = await community_by_slug(s, community_slug)
                community_id = community.id if community else -1
            cal = await calendar(s)
            items = await store.tracked_dues(s, community_id)
            parties = await store.parties_by_ids(s, {i.party_id for i in items})
            loads: dict[int, PartyLoad] = {}
            for item in items:
                if item.party_id not in loads:
                    loads[item.party_id] = PartyLoad(parties[item.party_id])
                load = loads[item.party_id]
                load.open += 1
                if is_overdue(item, now):
                    load.overdue += 1
                elif item.resolve_due_at is not None and due_soon(
                    cal, item.resolve_due_at, now, self.due_soon_days
                ):
                    load.due_soon += 1
        return sorted(
            loads.values(), key=lambda line: (-line.overdue, -line.due_soon, -line.open, line.party.id)
        )


def due_soon(cal: WorkCalendar, due: datetime, now: datetime, days: int) -> bool:
    """``due`` falls within the next ``days`` working days (today included) and has not passed."""
    if now > due:
        return False
    return local_day(due) <= cal.add(local_day(now), days)
