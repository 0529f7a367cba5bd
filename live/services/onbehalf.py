"""Residents without phones (网格员代录): a moderator enters an opinion, a support, a rating of a
resolved item or a household vote on behalf of a named resident of a household, with their
consent ticked. The household is named by its id or by unit and room (found, or made when new).
Each entry is tagged with its channel (``on_behalf``, ``paper`` or ``voice``) and who entered it,
counted once with everything else (the named resident is one person: supporting or rating twice
counts once), audited, and shown by channel in the statistics."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from live.clock import Clock
from live.errors import Invalid, NotFound
from live.services.accountability import Accountability
from live.services.actors import Actor, require_staff
from live.services.households import Households
from live.services.opinions import Opinions
from live.services.text import clean_text
from live.services.votes import Channel, Votes, VoteView
from live.statuses import AgendaStatus
from live.storage.agenda import AgendaItem, items_in_status
from live.storage.db import Database
from live.storage.households import UnitPlace, household_place
from live.storage.onbehalf import OnBehalfEntry, OnBehalfStore
from live.storage.opinions import Opinion
from live.storage.places import Community, community_by_id, community_by_slug

ENTRY_CHANNELS = (Channel.ON_BEHALF, Channel.PAPER, Channel.VOICE)
#: How many of each the desk page offers to pick from.
DESK_CHOICES = 50
#: Opinion sources by the channel they came through.
SOURCE_CHANNEL: Mapping[str, Channel] = {
    "live_chat": Channel.CHAT,
    "watch_form": Channel.FORM,
    "web": Channel.FORM,
    "voice": Channel.VOICE,
    "on_behalf": Channel.ON_BEHALF,
    "paper": Channel.PAPER,
    "door_visit": Channel.ON_BEHALF,
    "meeting": Channel.PAPER,
}


@dataclass(frozen=True)
class Resident:
    """The named resident an entry is made for."""

    household_id: int
    name: str
    community_id: int

    def actor(self) -> Actor:
        digest = hashlib.sha256(f"{self.household_id}:{self.name}".encode()).hexdigest()[:16]
        return Actor(key=f"p:{self.household_id}:{digest}", name=self.name, role="resident")


@dataclass(frozen=True)
class Desk:
    """What the grid worker's page offers: the community's units (for the household picker),
    its open household votes, resolved items to rate, recent opinions to support, and the latest
    entries made on behalf of residents."""

    community: Community
    units: list[UnitPlace]
    votes: list[VoteView]
    resolved: list[AgendaItem]
    opinions: list[Opinion]
    entries: list[OnBehalfEntry]


class OnBehalf:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        opinions: Opinions,
        votes: Votes,
        accountability: Accountability,
        households: Households,
    ) -> None:
        self.db = db
        self.clock = clock
        self.opinions = opinions
        self.votes = votes
        self.accountability = accountability
        self.households = households
        self.store = OnBehalfStore()

    async def _resident(
        self,
        actor: Actor,
        household_id: int | None,
        name: str,
        consent: bool,
        channel: str,
        unit_id: int | None = None,
        room: str | None = None,
    ) -> Resident:
        if channel not in ENTRY_CHANNELS:
            raise Invalid("channel must be on_behalf, paper or voice", code="bad_channel")
        if not consent:
            raise Invalid("tick that the resident agreed", code="consent_required")
        clean = unicodedata.normalize("NFC", clean_text(name, "resident", 64))
        if household_id is None:
            if unit_id is None or room is None:
                raise Invalid("name the household: its unit and room", code="household_required")
            found = await self.households.find_or_create(actor, unit_id, room)
            return Resident(found.id, clean, found.community_id)
        async with self.db.read() as s:
            place = await household_place(s, household_id)
        if place is None:
            raise NotFound("no such household", code="unknown_household")
        require_staff(actor, "moderator", place.community_id)
        return Resident(household_id, clean, place.community_id)

    async def desk(self, actor: Actor, community: Community) -> Desk:
        """The grid worker's page of a community (moderators of it)."""
        require_staff(actor, "moderator", community.id)
        units = await self.households.units(actor, community.id)
        async with self.db.read() as s:
            now = self.clock.now()
            vote_ids = await self.votes.store.open_of_community(s, community.id, now, DESK_CHOICES)
            resolved = await items_in_status(s, community.id, AgendaStatus.RESOLVED, DESK_CHOICES)
            entries = await self.store.latest(s, community.id, 20)
        opinions = await self.opinions.list(actor, community_slug=community.slug, limit=DESK_CHOICES)
        votes = [await self.votes.get(None, vote_id) for vote_id in vote_ids]
        return Desk(community, units, votes, resolved, opinions, entries)

    async def _log(self, actor: Actor, resident: Resident, kind: str, target_id: int, channel: str) -> None:
        async with self.db.transaction() as s:
            await self.store.add(
                s,
                OnBehalfEntry(
                    community_id=resident.community_id,
                    kind=kind,
                    target_id=target_id,
                    household_id=resident.household_id,
                    resident_name=resident.name,
                    person_key=resident.actor().key,
                    channel=channel,
                    consent=True,
                    entered_by=actor.key,
                    entered_by_name=actor.name[:64],
                    created_at=self.clock.now(),
                ),
            )

    async def opinion(
        self,
        actor: Actor,
        *,
        household_id: int | None,
        resident_name: str,
        consent: bool,
        channel: str,
        unit_id: int | None = None,
        room: str | None = None,
        text: str,
        category: str | None = None,
        location: str | None = None,
    ) -> Opinion:
        resident = await self._resident(actor, household_id, resident_name, consent, channel, unit_id, room)
        async with self.db.read() as s:
            community = await community_by_id(s, resident.community_id)
        assert community is not None
        opinion = await self.opinions.submit(
            actor,
            community_slug=community.slug,
            text=text,
            category=category,
            location=location,
            source=channel,
            author=resident.actor(),
        )
        await self._log(actor, resident, "opinion", opinion.id, channel)
        return opinion

    async def support(
        self,
        actor: Actor,
        *,
        household_id: int | None,
        resident_name: str,
        consent: bool,
        channel: str,
        unit_id: int | None = None,
        room: str | None = None,
        opinion_id: int,
    ) -> Opinion:
        resident = await self._resident(actor, household_id, resident_name, consent, channel, unit_id, room)
        before = await self.opinions.supporters_of(opinion_id)
        opinion = await self.opinions.support(resident.actor(), opinion_id)
        if opinion.community_id != resident.community_id:
            raise NotFound("no such opinion in the household's community")
        if opinion.supporters != before or opinion.id != opinion_id:
            await self._log(actor, resident, "support", opinion.id, channel)
        return opinion

    async def rating(
        self,
        actor: Actor,
        *,
        household_id: int | None,
        resident_name: str,
        consent: bool,
        channel: str,
        unit_id: int | None = None,
        room: str | None = None,
        item_id: int,
        rating: str,
        comment: str = "",
    ) -> dict[str, int]:
        """The named resident rates a resolved item they raised or supported (on behalf too): one
        rating per resident and round, a second replaces the first (counted once); every entry is
        audited."""
        resident = await self._resident(actor, household_id, resident_name, consent, channel, unit_id, room)
        counts = await self.accountability.rate(
            resident.actor(),
            item_id,
            rating,
            comment,
            channel=channel,
            household_id=resident.household_id,
            community_id=resident.community_id,
        )
        await self._log(actor, resident, "rating", item_id, channel)
        return counts

    async def vote(
        self,
        actor: Actor,
        *,
        household_id: int | None,
        resident_name: str,
        consent: bool,
        channel: str,
        unit_id: int | None = None,
        room: str | None = None,
        vote_id: int,
        option_id: int,
    ) -> VoteView:
        resident = await self._resident(actor, household_id, resident_name, consent, channel, unit_id, room)
        view = await self.votes.enter(
            actor,
            vote_id,
            household_id=resident.household_id,
            option_id=option_id,
            channel=channel,
            voter_name=resident.name,
            consent=consent,
        )
        await self._log(actor, resident, "vote", vote_id, channel)
        return view

    async def entries(
        self, actor: Actor, community_slug: str, *, limit: int = 100, after: int | None = None
    ) -> list[OnBehalfEntry]:
        async with self.db.read() as s:
            community = await community_by_slug(s, community_slug)
            if community is None:
                raise NotFound(f"no community {community_slug}")
            require_staff(actor, "moderator", community.id)
            return await self.store.of_community(s, community.id, limit=limit, after=after)

    async def channel_stats(self, community_slug: str) -> dict[str, dict[str, int]]:
        """Opinions, supports, ratings (every round) and household ballots of a community, by
        channel."""
        async with self.db.read() as s:
            community = await community_by_slug(s, community_slug)
            if community is None:
                raise NotFound(f"no community {community_slug}")
            blank = {str(c): 0 for c in Channel}
            opinions = dict(blank)
            for source, n in (await self.store.opinion_sources(s, community.id)).items():
                opinions[str(SOURCE_CHANNEL.get(source, Channel.FORM))] += n
            entered = await self.store.kind_channels(s, community.id, "support")
            supports = dict(blank)
            for channel, n in entered.items():
                supports[channel] += n
            supports[str(Channel.FORM)] += max(
                0, await self.store.supports(s, community.id) - sum(entered.values())
            )
            votes = dict(blank)
            for channel, n in (await self.store.ballot_channels(s, community.id)).items():
                votes[channel] = votes.get(channel, 0) + n
            ratings = dict(blank)
            for channel, n in (await self.store.rating_channels(s, community.id)).items():
                ratings[channel] = ratings.get(channel, 0) + n
        return {"opinions": opinions, "supports": supports, "votes": votes, "ratings": ratings}
