"""Agenda items and their one state machine; every change is an AgendaEvent and reaches followers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from live.clock import Clock
from live.errors import BadTransition, Invalid, NotFound
from live.events import AgendaChanged, EventBus
from live.services.accountability import assign_in, on_resolved
from live.services.actors import Actor, require_staff
from live.services.inbox import add_follow, deliver, followers, participants
from live.services.notices import Change, InboxKind, Notice, Params, TimelineKind, change
from live.services.paging import keyset_batches
from live.services.text import clean_text, sanitize
from live.statuses import AGENDA_FLOW, AgendaStatus
from live.storage import agenda as store
from live.storage.agenda import AgendaEvent, AgendaItem
from live.storage.db import Database, Tx
from live.storage.meetings import Meeting, get_meeting
from live.storage.opinions import Opinion, get_opinion
from live.storage.places import Community, community_by_slug, community_id_of

#: The state machine's steps are live/statuses.py's (one definition); StrEnum members are strings.
FLOW = AGENDA_FLOW
STATES = (*FLOW, AgendaStatus.CLOSED)
TITLE_MAX = 200
TEXT_MAX = 5000
SHORT_MAX = 128


def check_transition(current: str, target: str, note: str) -> None:
    """The state machine: one step forward, or ``closed`` (with a note) before ``resolved``."""
    if target not in STATES:
        raise Invalid(f"status must be one of {', '.join(STATES)}", code="bad_status")
    if target == "closed":
        if current in ("resolved", "closed"):
            raise BadTransition(f"cannot close an item that is {current}")
        if not note.strip():
            raise Invalid("closing needs a note", code="note_required")
        return
    if current in FLOW and FLOW.index(target) == FLOW.index(current) + 1:
        return
    raise BadTransition(f"cannot go from {current} to {target}")


def next_states(current: str) -> list[str]:
    """The states an item may move to from ``current``: the next step, and closing before the end."""
    steps = [FLOW[FLOW.index(current) + 1]] if current in FLOW[:-1] else []
    return steps + (["closed"] if current not in ("resolved", "closed") else [])


@dataclass
class ItemView:
    """An item with its source opinions and timeline."""

    item: AgendaItem
    community: str
    opinions: list[Opinion] = field(default_factory=list)
    events: list[AgendaEvent] = field(default_factory=list)
    meeting: Meeting | None = None
    place: Community | None = None  # the community itself (``community`` is its slug)
    decision: str = ""  # what its meeting decided about it


@dataclass
class Board:
    """The tracking board: how many items of each state pass the filters, and the cards shown
    (the newest of each state, or a page of one state)."""

    counts: dict[str, int]
    items: list[tuple[AgendaItem, str, str | None]]


def _text(value: str | None, name: str, max_len: int, *, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise Invalid(f"{name} is required", code="missing_field")
        return None
    if required:
        return clean_text(value, name, max_len)
    value = sanitize(value, name)
    if len(value) > max_len:
        raise Invalid(f"{name}: at most {max_len} characters", code="too_long")
    return value


async def move(
    s: Tx,
    clock: Clock,
    item: AgendaItem,
    target: str,
    actor: Actor,
    note: str = "",
    *,
    kind: TimelineKind = TimelineKind.STATUS,
    params: Params | None = None,
) -> AgendaEvent:
    """Apply one transition inside the caller's transaction and record it (``kind``/``params``:
    what the system adds to the person's note, e.g. the fields changed with it, or ``reopened``)."""
    check_transition(item.status, target, note)
    values = dict(params or {})
    event = AgendaEvent(
        item_id=item.id,
        at=clock.now(),
        actor=actor.name[:64],
        from_status=item.status,
        to_status=target,
        note=note.strip(),
        kind=str(kind),
        params=values,
    )
    item.status = target
    item.updated_at = clock.now()
    store.add_event(s, event)
    notice = {"title": item.title, "status": target, "note": note.strip(), **values}
    people = set(await followers(s, item.id)) | await participants(s, item.id)
    if target == "resolved":
        people -= await on_resolved(s, clock, item)  # they are asked to rate it instead
    await deliver(s, clock, people, Notice(InboxKind.ITEM_STATUS, notice), item.id)
    return event


class Agenda:
    def __init__(self, db: Database, clock: Clock, events: EventBus) -> None:
        self.db = db
        self.clock = clock
        self.events = events

    async def create(
        self,
        actor: Actor,
        *,
        community_slug: str,
        title: str,
        summary: str = "",
        opinion_ids: Sequence[int] = (),
        category: str | None = None,
        location: str | None = None,
        responsible: str | None = None,
        due_date: date | None = None,
    ) -> AgendaItem:
        """A proposed item from zero or more opinions of the community (which become accepted)."""
        clean_title = _text(title, "title", TITLE_MAX, required=True)
        assert clean_title is not None
        now = self.clock.now()
        async with self.db.transaction() as s:
            community = await community_by_slug(s, community_slug)
            if community is None:
                raise NotFound(f"no community {community_slug}")
            require_staff(actor, "moderator", community.id)
            opinions = await self._opinions(s, community.id, opinion_ids)
            item = AgendaItem(
                community_id=community.id,
                title=clean_title,
                summary=_text(summary, "summary", TEXT_MAX) or "",
                category=category or (opinions[0].category if opinions else "other"),
                location=_text(location, "location", 200)
                or next((o.location for o in opinions if o.location), None),
                status="proposed",
                responsible=_text(responsible, "responsible", SHORT_MAX),
                due_date=due_date,
                created_by=actor.key,
                created_at=now,
                updated_at=now,
            )
            await store.add_item(s, item)
            for opinion in opinions:
                store.link_opinion(s, item.id, opinion.id)
                if opinion.status == "new":
                    opinion.status = "accepted"
                await add_follow(s, self.clock, item.id, opinion.author_key)
            await store.recount_item(s, item)
            store.add_event(
                s,
                AgendaEvent(
                    item_id=item.id,
                    at=now,
                    actor=actor.name[:64],
                    from_status=None,
                    to_status="proposed",
                    note="",
                    kind=str(TimelineKind.CREATED),
                    params={"opinions": len(opinions)} if opinions else {},
                ),
            )
            await deliver(
                s,
                self.clock,
                {o.author_key for o in opinions},
                Notice(InboxKind.OPINION_LISTED, {"title": item.title}),
                item.id,
            )
        await self.events.publish(AgendaChanged(item.id, item.community_id, None, "proposed"))
        return item

    async def _opinions(self, s: Tx, community_id: int, ids: Sequence[int]) -> list[Opinion]:
        if len(ids) > 200:
            raise Invalid("at most 200 opinions")
        found: list[Opinion] = []
        for opinion_id in dict.fromkeys(ids):
            opinion = await get_opinion(s, opinion_id)
            if opinion is None or opinion.community_id != community_id:
                raise Invalid(f"no opinion {opinion_id} in this community", code="bad_opinion")
            if opinion.status in ("merged", "rejected"):
                raise Invalid(f"opinion {opinion_id} is {opinion.status}", code="bad_opinion")
            found.append(opinion)
        return found

    async def update(
        self,
        actor: Actor,
        item_id: int,
        *,
        status: str | None = None,
        note: str | None = None,
        meeting_id: int | None = None,
        responsible: str | None = None,
        outcome: str | None = None,
        due_date: date | None = None,
        title: str | None = None,
        summary: str | None = None,
        opinion_ids: Sequence[int] = (),
        party_id: int | None = None,
        supporting: Sequence[int] | None = None,
        response_days: int | None = None,
        resolve_days: int | None = None,
    ) -> AgendaItem:
        """Change an item; a status change goes through the state machine. Every change is an event.
        ``party_id`` assigns it (with ``supporting`` parties and the limits, see accountability)."""
        clean_note = _text(note, "note", TEXT_MAX) or ""
        async with self.db.transaction() as s:
            item = await store.lock_item(s, item_id)
            if item is None:
                raise NotFound("no such agenda item")
            require_staff(actor, "moderator", item.community_id)
            before = item.status
            changes: list[dict[str, Any]] = []
            if title is not None:
                item.title = _text(title, "title", TITLE_MAX, required=True) or item.title
                changes.append(change(Change.TITLE, item.title))
            if summary is not None:
                item.summary = _text(summary, "summary", TEXT_MAX) or ""
            if responsible is not None:
                item.responsible = _text(responsible, "responsible", SHORT_MAX) or None
                changes.append(change(Change.RESPONSIBLE, item.responsible))
            if due_date is not None:
                item.due_date = due_date
                changes.append(change(Change.DUE_DATE, due_date.isoformat()))
            if outcome is not None:
                item.outcome = _text(outcome, "outcome", TEXT_MAX) or None
                changes.append(change(Change.OUTCOME, item.outcome))
            if meeting_id is not None:
                meeting = await get_meeting(s, meeting_id)
                if meeting is None or meeting.community_id != item.community_id:
                    raise Invalid("no such meeting in this community", code="bad_meeting")
                item.meeting_id = meeting.id
                changes.append(change(Change.MEETING, meeting.title))
            added = 0
            for opinion in await self._opinions(s, item.community_id, opinion_ids):
                if not await store.is_linked(s, item.id, opinion.id):
                    store.link_opinion(s, item.id, opinion.id)
                    if opinion.status == "new":
                        opinion.status = "accepted"
                    await add_follow(s, self.clock, item.id, opinion.author_key)
                    added += 1
            if added:
                await store.recount_item(s, item)
                changes.append(change(Change.OPINIONS_ADDED, added))
            values: Params = {"changes": changes} if changes else {}
            assigned = False
            if party_id is not None:
                await assign_in(
                    s,
                    self.clock,
                    item,
                    actor,
                    party_id,
                    supporting=supporting,
                    response_days=response_days,
                    resolve_days=resolve_days,
                )
                assigned = True
            elif supporting is not None or response_days is not None or resolve_days is not None:
                if item.party_id is None:
                    raise Invalid("assign a lead party first (party)", code="not_assigned")
                await assign_in(
                    s,
                    self.clock,
                    item,
                    actor,
                    item.party_id,
                    supporting=supporting,
                    response_days=response_days,
                    resolve_days=resolve_days,
                )
                assigned = True
            if status is not None and status != item.status:
                await move(s, self.clock, item, status, actor, clean_note, params=values)
            elif status is not None and status == item.status:
                raise BadTransition(f"the item is already {status}")
            elif changes or clean_note:
                store.add_event(
                    s,
                    AgendaEvent(
                        item_id=item.id,
                        at=self.clock.now(),
                        actor=actor.name[:64],
                        from_status=None,
                        to_status=None,
                        note=clean_note,
                        kind=str(TimelineKind.NOTE),
                        params=values,
                    ),
                )
                item.updated_at = self.clock.now()
                notice = Notice(InboxKind.ITEM_UPDATED, {"title": item.title, "note": clean_note, **values})
                await deliver(s, self.clock, await followers(s, item.id), notice, item.id)
            elif not assigned:
                raise Invalid("nothing to change", code="empty")
        await self.events.publish(
            AgendaChanged(item.id, item.community_id, before, item.status if item.status != before else None)
        )
        return item

    async def view(self, item_id: int) -> ItemView:
        async with self.db.read() as s:
            found = await store.item_with_community(s, item_id)
            if found is None:
                raise NotFound("no such agenda item")
            item, community = found
            opinions = await store.opinions_of_item(s, item.id)
            events = await store.timeline(s, item.id)
            meeting, decision = None, ""
            if item.meeting_id:
                held = await store.meeting_with_decision(s, item.meeting_id, item.id)
                if held is not None:
                    meeting, decision = held
            return ItemView(item, community.slug, opinions, events, meeting, community, decision)

    async def list(
        self,
        *,
        community_slug: str | None = None,
        status: str | None = None,
        category: str | None = None,
        location: str | None = None,
        limit: int = 100,
        after: int | None = None,
    ) -> list[tuple[AgendaItem, str, str | None]]:
        """Items newest first, each with its community's slug and its lead party's name."""
        if status is not None and status not in STATES:
            raise Invalid(f"status must be one of {', '.join(STATES)}", code="bad_status")
        async with self.db.read() as s:
            return await store.items_page(
                s,
                community_id=community_id_of(community_slug) if community_slug else None,
                status=status,
                category=category,
                location=location,
                limit=limit,
                after=after,
            )

    async def board(
        self,
        *,
        community_slug: str | None = None,
        category: str | None = None,
        location: str | None = None,
        per_state: int = 50,
        status: str | None = None,
        after: int | None = None,
    ) -> Board:
        """The board's counts and cards: with ``status``, a page of that state's items (newest
        first, ``per_state`` of them, older than ``after``); without, each state's newest
        ``per_state`` — so the board costs the same in the fifth year as in the first."""
        if status is not None and status not in STATES:
            raise Invalid(f"status must be one of {', '.join(STATES)}", code="bad_status")
        community_id = community_id_of(community_slug) if community_slug else None
        async with self.db.read() as s:
            counts = await store.state_counts(
                s, community_id=community_id, category=category, location=location
            )
            if status is not None:
                items = await store.items_page(
                    s,
                    community_id=community_id,
                    status=status,
                    category=category,
                    location=location,
                    limit=per_state,
                    after=after,
                )
            else:
                items = await store.newest_per_state(
                    s, community_id=community_id, category=category, location=location, per_state=per_state
                )
        return Board(counts, items)

    async def export(
        self,
        *,
        community_slug: str | None = None,
        status: str | None = None,
        category: str | None = None,
        location: str | None = None,
        batch: int = 500,
    ) -> AsyncIterator[Sequence[tuple[AgendaItem, str, str | None]]]:
        """Every item ``list`` would show with these filters: newest first, in keyset batches."""

        async def fetch(after: int | None) -> Sequence[tuple[AgendaItem, str, str | None]]:
            return await self.list(
                community_slug=community_slug,
                status=status,
                category=category,
                location=location,
                limit=batch,
                after=after,
            )

        async for rows in keyset_batches(fetch, lambda row: row[0].id, batch):
            yield rows
