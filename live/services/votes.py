"""Household votes (表决) on an agenda item, the formal kind.

- Eligible: every household of the item's community (or of the named compounds or buildings)
  with at least one verified member; one ballot per household, the last one cast counts.
- Residents vote online (channel ``form``); staff enter paper ballots (``paper``) and ballots on
  behalf of a named resident who agreed (``on_behalf``), each tagged with who entered it.
- Open or secret: a secret vote's choices are counted but never shown per household, to anyone,
  through any endpoint; its audit log lists who cast when, through which channel, without choices.
- Closing publishes turnout and the result on the item and in its timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from live.clock import Clock
from live.errors import Conflict, Forbidden, Invalid, NotFound
from live.events import AgendaChanged, EventBus, VoteChanged
from live.services.actors import Actor, require_staff, require_user
from live.services.notices import TimelineKind
from live.services.text import clean_text
from live.storage.agenda import AgendaEvent, add_event, lock_item
from live.storage.db import Database
from live.storage.households import get_household, household_of
from live.storage.votes import (
    HouseholdBallot,
    HouseholdBallotLog,
    HouseholdVote,
    HouseholdVoteOption,
    VoteStore,
)

QUESTION_MAX = 300
OPTION_MAX = 200
LONGEST_VOTE = timedelta(days=60)


class Channel(StrEnum):
    """How a voice reached the record (shared by votes and on-behalf entries)."""

    CHAT = "chat"
    FORM = "form"
    VOICE = "voice"
    ON_BEHALF = "on_behalf"
    PAPER = "paper"


STAFF_CHANNELS = (Channel.PAPER, Channel.ON_BEHALF, Channel.VOICE)


@dataclass
class VoteView:
    vote: HouseholdVote
    options: list[tuple[HouseholdVoteOption, int]]
    eligible: int
    turnout: int
    channels: dict[str, int]
    is_open: bool
    scope: dict[str, list[int]] = field(default_factory=dict)
    mine: int | None = None  # the option of the caller's household (their own ballot)
    can_vote: bool = False
    replaced: bool = False  # the ballot just entered replaced the household's earlier one


@dataclass(frozen=True)
class AuditRow:
    household_id: int
    at: datetime
    channel: str
    voter_name: str
    entered_by: str | None
    consent: bool
    option_id: int | None  # None for a secret vote


class Votes:
    def __init__(self, db: Database, clock: Clock, events: EventBus) -> None:
        self.db = db
        self.clock = clock
        self.events = events
        self.store = VoteStore()

    async def open(
        self,
        actor: Actor,
        item_id: int,
        *,
        question: str,
        options: Sequence[str],
        secret: bool = False,
        compounds: Sequence[int] = (),
        buildings: Sequence[int] = (),
        closes_at: datetime | None = None,
    ) -> VoteView:
        text = clean_text(question, "question", QUESTION_MAX)
        choices = [clean_text(o, "option", OPTION_MAX) for o in options]
        if not 2 <= len(choices) <= 8 or len(set(choices)) != len(choices):
            raise Invalid("a vote has 2 to 8 different options", code="bad_options")
        now = self.clock.now()
        if closes_at is not None and not now < closes_at <= now + LONGEST_VOTE:
            raise Invalid("closes_at: a time in the next 60 days", code="bad_closes_at")
        async with self.db.transaction() as s:
            item = await lock_item(s, item_id)
            if item is None:
                raise NotFound("no such agenda item")
            require_staff(actor, "moderator", item.community_id)
            if await self.store.compounds_in(s, item.community_id, compounds) != set(compounds):
                raise Invalid("compounds: only compounds of the item's community", code="bad_scope")
            if await self.store.buildings_in(s, item.community_id, buildings) != set(buildings):
                raise Invalid("buildings: only buildings of the item's community", code="bad_scope")
            vote = HouseholdVote(
                item_id=item.id,
                community_id=item.community_id,
                question=text,
                secret=secret,
                open=True,
                closes_at=closes_at,
                created_by=actor.key,
                created_at=now,
            )
            await self.store.add(s, vote, choices, sorted(set(compounds)), sorted(set(buildings)))
            add_event(
                s,
                AgendaEvent(
                    item_id=item.id,
                    at=now,
                    actor=actor.name[:64],
                    from_status=None,
                    to_status=None,
                    note="",
                    kind=TimelineKind.VOTE_OPENED,
                    params={"vote": str(vote.id), "question": text, "secret": secret},
                ),
            )
        await self.events.publish(AgendaChanged(item.id, item.community_id, None, None))
        await self.events.publish(VoteChanged(vote.id, item.id, item.community_id, "opened", actor=actor.key))
        return await self.get(actor, vote.id)

    async def cast(self, actor: Actor, vote_id: int, option_id: int) -> VoteView:
        """A resident votes for their verified household; a later ballot replaces theirs."""
        require_user(actor)
        assert actor.user_id is not None
        async with self.db.read() as s:
            household_id = await household_of(s, actor.user_id)
        if household_id is None:
            raise Forbidden("only verified members of a household vote", code="not_eligible")
        await self._record(
            actor, vote_id, household_id, option_id, Channel.FORM, voter_key=actor.key, voter_name=actor.name
        )
        return await self.get(actor, vote_id)

    async def enter(
        self,
        actor: Actor,
        vote_id: int,
        *,
        household_id: int,
        option_id: int,
        channel: str,
        voter_name: str,
        consent: bool,
    ) -> VoteView:
        """Staff enter a paper ballot, or a ballot on behalf of a named resident who agreed."""
        if channel not in STAFF_CHANNELS:
            raise Invalid("channel must be paper, on_behalf or voice", code="bad_channel")
        name = clean_text(voter_name, "voter_name", 64)
        if channel != Channel.PAPER and not consent:
            raise Invalid("tick that the resident agreed", code="consent_required")
        async with self.db.read() as s:
            vote = await self.store.get(s, vote_id)
            if vote is None:
                raise NotFound("no such vote")
            require_staff(actor, "moderator", vote.community_id)
            if await get_household(s, household_id) is None:
                raise NotFound("no such household", code="unknown_household")
        replaced = await self._record(
            actor,
            vote_id,
            household_id,
            option_id,
            Channel(channel),
            voter_key=None,
            voter_name=name,
            entered_by=actor.key,
            consent=consent,
        )
        view = await self.get(actor, vote_id)
        view.replaced = replaced
        return view

    async def _record(
        self,
        actor: Actor,
        vote_id: int,
        household_id: int,
        option_id: int,
        channel: Channel,
        *,
        voter_key: str | None,
        voter_name: str,
        entered_by: str | None = None,
        consent: bool = False,
    ) -> bool:
        """Records the household's ballot; True when it replaced an earlier one."""
        now = self.clock.now()
        async with self.db.transaction() as s:
            vote = await self.store.get(s, vote_id, lock=True)
            if vote is None:
                raise NotFound("no such vote")
            if not _is_open(vote, now):
                raise Conflict("the vote is closed", code="closed")
            if option_id not in {o.id for o in await self.store.options(s, vote.id)}:
                raise Invalid("not an option of this vote", code="bad_option")
            scopes = await self.store.scopes(s, vote.id)
            if not await self.store.is_eligible(s, vote, scopes, household_id):
                raise Forbidden("this household is not eligible for this vote", code="not_eligible")
            ballot = await self.store.ballot(s, vote.id, household_id)
            replaced = ballot is not None
            if ballot is None:
                ballot = HouseholdBallot(
                    vote_id=vote.id, household_id=household_id, option_id=option_id, changes=0
                )
            else:
                ballot.changes += 1
            ballot.option_id = option_id
            ballot.channel = channel
            ballot.voter_key, ballot.voter_name = voter_key, voter_name[:64]
            ballot.entered_by, ballot.consent, ballot.cast_at = entered_by, consent, now
            await self.store.add_ballot(s, ballot)
            await self.store.log(
                s,
                HouseholdBallotLog(
                    vote_id=vote.id,
                    household_id=household_id,
                    option_id=None if vote.secret else option_id,
                    channel=channel,
                    voter_key=voter_key,
                    voter_name=voter_name[:64],
                    entered_by=entered_by,
                    consent=consent,
                    at=now,
                ),
            )
        await self.events.publish(
            VoteChanged(vote.id, vote.item_id, vote.community_id, "voted", actor=actor.key)
        )
        return replaced

    async def close(self, actor: Actor, vote_id: int) -> VoteView:
        """Close and publish turnout and the result in the item's timeline."""
        now = self.clock.now()
        async with self.db.transaction() as s:
            vote = await self.store.get(s, vote_id, lock=True)
            if vote is None:
                raise NotFound("no such vote")
            require_staff(actor, "moderator", vote.community_id)
            if not vote.open:
                raise Conflict("the vote is closed already", code="closed")
            scopes = await self.store.scopes(s, vote.id)
            eligible = await self.store.eligible_count(s, vote, scopes)
            counts = await self.store.counts(s, vote.id)
            options = await self.store.options(s, vote.id)
            turnout = await self.store.turnout(s, vote.id)
            vote.open, vote.closed_at, vote.eligible_at_close = False, now, eligible
            add_event(
                s,
                AgendaEvent(
                    item_id=vote.item_id,
                    at=now,
                    actor=actor.name[:64],
                    from_status=None,
                    to_status=None,
                    note="",
                    kind=TimelineKind.VOTE_RESULT,
                    params={
                        "vote": str(vote.id),
                        "question": vote.question,
                        "eligible": eligible,
                        "turnout": turnout,
                        "results": [{"text": o.text, "votes": counts.get(o.id, 0)} for o in options],
                    },
                ),
            )
        await self.events.publish(AgendaChanged(vote.item_id, vote.community_id, None, None))
        await self.events.publish(
            VoteChanged(vote.id, vote.item_id, vote.community_id, "closed", actor=actor.key)
        )
        return await self.get(actor, vote.id)

    async def get(self, actor: Actor | None, vote_id: int) -> VoteView:
        now = self.clock.now()
        async with self.db.read() as s:
            vote = await self.store.get(s, vote_id)
            if vote is None:
                raise NotFound("no such vote")
            scopes = await self.store.scopes(s, vote.id)
            counts = await self.store.counts(s, vote.id)
            options = [(o, counts.get(o.id, 0)) for o in await self.store.options(s, vote.id)]
            eligible = (
                vote.eligible_at_close
                if vote.eligible_at_close is not None
                else await self.store.eligible_count(s, vote, scopes)
            )
            view = VoteView(
                vote=vote,
                options=options,
                eligible=eligible,
                turnout=await self.store.turnout(s, vote.id),
                channels=await self.store.channels(s, vote.id),
                is_open=_is_open(vote, now),
                scope={
                    "compounds": [sc.compound_id for sc in scopes if sc.compound_id is not None],
                    "buildings": [sc.building_id for sc in scopes if sc.building_id is not None],
                },
            )
            if actor is not None and actor.user_id is not None:
                household_id = await household_of(s, actor.user_id)
                if household_id is not None:
                    view.can_vote = await self.store.is_eligible(s, vote, scopes, household_id)
                    ballot = await self.store.ballot(s, vote.id, household_id)
                    view.mine = ballot.option_id if ballot is not None else None
        return view

    async def of_item(self, actor: Actor | None, item_id: int) -> list[VoteView]:
        async with self.db.read() as s:
            ids = [v.id for v in await self.store.of_item(s, item_id)]
        return [await self.get(actor, vote_id) for vote_id in ids]

    async def audit(self, actor: Actor, vote_id: int) -> tuple[HouseholdVote, list[AuditRow]]:
        """Every cast in order: household, time, channel, who entered it; choices only when the
        vote is open (not secret)."""
        async with self.db.read() as s:
            vote = await self.store.get(s, vote_id)
            if vote is None:
                raise NotFound("no such vote")
            require_staff(actor, "moderator", vote.community_id)
            rows = [
                AuditRow(
                    household_id=entry.household_id,
                    at=entry.at,
                    channel=entry.channel,
                    voter_name=entry.voter_name,
                    entered_by=entry.entered_by,
                    consent=entry.consent,
                    option_id=None if vote.secret else entry.option_id,
                )
                for entry in await self.store.log_of(s, vote.id)
            ]
        return vote, rows


def _is_open(vote: HouseholdVote, now: datetime) -> bool:
    return vote.open and (vote.closes_at is None or now < vote.closes_at)
