"""Demo data: a subdistrict of ten communities with accounts, sessions, opinions and agenda items.

The story (which community broadcasts when, what its residents raise, where each item stands) is
in ``demo_story.py``. Idempotent: does nothing when the demo subdistrict already exists."""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from live.clock import Clock
from live.services.categories import DEFAULT_CATEGORIES
from live.services.demo_story import (
    ANSWERS,
    COMMUNITIES,
    FRESH,
    MORE_COMPOUNDS,
    OFF_TOPIC,
    PARTY_KINDS,
    RATING_COMMENTS,
    DemoCommunity,
)
from live.services.notices import TimelineKind
from live.services.passwords import hash_password
from live.services.workdays import WorkCalendar
from live.storage.accountability import Assignment, Party, Progress, Rating
from live.storage.accounts import User
from live.storage.agenda import AgendaEvent, AgendaItem, AgendaOpinion
from live.storage.chat import Message
from live.storage.db import Database
from live.storage.households import Household, HouseholdMember
from live.storage.meetings import Meeting, MeetingItem, Registration
from live.storage.opinions import Category, Opinion, OpinionSupport
from live.storage.places import Building, Community, Compound, Grid, Subdistrict, Unit
from live.storage.polls import Poll, PollOption, PollVote
from live.storage.presence import SessionViewer, ViewerSample
from live.storage.rooms import LiveSession
from live.storage.support_counts import recount_all
from live.storage.votes import HouseholdBallot, HouseholdBallotLog, HouseholdVote, HouseholdVoteOption

DEMO_PASSWORD = "roundtable"
SUBDISTRICT = ("qingshan", "青山街道")
ZONE = ZoneInfo("Asia/Shanghai")
FLOW = ["proposed", "scheduled", "deliberating", "decided", "in_progress", "resolved"]
BROADCASTS = 3  # past broadcasts per community, one a week
MINUTES = 45  # each lasts this long
GENERIC_CHAT = ("大家好", "听得很清楚", "谢谢社区", "+1", "支持", "我也有同样的问题", "辛苦了")


async def seed_demo(db: Database, clock: Clock) -> bool:
    """Seed the demo; returns False when it was already there."""
    rng = random.Random(20261127)
    now = clock.now()
    async with db.transaction() as s:
        if (await s.execute(select(Subdistrict).where(Subdistrict.slug == SUBDISTRICT[0]))).first():
            return False
        subdistrict = Subdistrict(slug=SUBDISTRICT[0], name=SUBDISTRICT[1])
        s.add(subdistrict)
        await s.flush()
        existing = set((await s.execute(select(Category.key))).scalars())
        for position, (key, zh, en) in enumerate(DEFAULT_CATEGORIES):
            if key not in existing:
                s.add(Category(key=key, name_zh=zh, name_en=en, position=position))
        password_hash = hash_password(DEMO_PASSWORD)
        if not (await s.execute(select(User).where(User.username == "admin"))).first():
            s.add(
                User(
                    username="admin",
                    display_name="街道管理员",
                    role="admin",
                    password_hash=password_hash,
                    created_at=now,
                )
            )
        for story in COMMUNITIES:
            community = (
                await s.execute(select(Community).where(Community.slug == story.slug))
            ).scalar_one_or_none()
            if community is None:
                community = Community(slug=story.slug, name=story.name, subdistrict_id=subdistrict.id)
                s.add(community)
                await s.flush()
            units = await _places(s, community, story)
            host = User(
                username=f"host-{story.slug}",
                display_name=story.secretary,
                role="host",
                community_id=community.id,
                password_hash=password_hash,
                created_at=now,
            )
            moderator = User(
                username=f"mod-{story.slug}",
                display_name=story.grid_worker,
                role="moderator",
                community_id=community.id,
                password_hash=password_hash,
                created_at=now,
            )
            s.add_all([host, moderator])
            await s.flush()
            residents = await _residents(s, community, story, units, moderator, password_hash, rng, now)
            parties = await _parties(s, community, story, password_hash, now)
            await _sessions(s, community, story, host, moderator, residents, parties, rng, clock)
            await _interaction(s, community, story, host, moderator, residents, rng, now)
        await s.flush()
        await recount_all(s)
    return True


def broadcast_times(story: DemoCommunity, now: datetime) -> tuple[datetime, list[datetime]]:
    """The next weekly broadcast after ``now`` and the past ones (newest first), on the
    community's weekday and time in Asia/Shanghai."""
    local = now.astimezone(ZONE)
    slot = local.replace(hour=story.hour, minute=story.minute, second=0, microsecond=0)
    slot += timedelta(days=(story.weekday - slot.weekday()) % 7)
    if slot <= local:
        slot += timedelta(days=7)
    past = [slot - timedelta(days=7 * week) for week in range(1, BROADCASTS + 1)]
    if past[0] + timedelta(minutes=MINUTES) > local:  # the latest one has not ended yet
        past = [slot - timedelta(days=7 * week) for week in range(2, BROADCASTS + 2)]
    return slot, past


async def _places(s: AsyncSession, community: Community, story: DemoCommunity) -> list[Unit]:
    grids = [Grid(community_id=community.id, name=f"第{n + 1}网格") for n in range(story.grids)]
    s.add_all(grids)
    await s.flush()
    units: list[Unit] = []
    names = list(story.compounds) + [n for n in MORE_COMPOUNDS if n not in story.compounds]
    for n, name in enumerate(names[: story.compounds_total]):
        compound = Compound(community_id=community.id, grid_id=grids[n % len(grids)].id, name=name)
        s.add(compound)
        await s.flush()
        if n < 2:
            for b in range(1, 7):
                building = Building(compound_id=compound.id, name=f"{b}号楼")
                s.add(building)
                await s.flush()
                made = [Unit(building_id=building.id, name=f"{u}单元") for u in (1, 2)]
                s.add_all(made)
                units.extend(made)
    await s.flush()
    return units


async def _residents(
    s: AsyncSession,
    community: Community,
    story: DemoCommunity,
    units: list[Unit],
    moderator: User,
    password_hash: str,
    rng: random.Random,
    now: datetime,
) -> dict[User, int]:
    """Residents with an account, each a verified member of a household (verified on the spot by
    the grid worker), so that their supports count as households."""
    people: list[User] = []
    for n in range(story.residents):
        person = User(
            username=f"jumin-{story.slug}-{n + 1}",
            display_name=_resident(rng),
            role="resident",
            community_id=community.id,
            password_hash=password_hash,
            created_at=now - timedelta(days=40 - n),
        )
        s.add(person)
        people.append(person)
    await s.flush()
    members: dict[User, int] = {}
    for n, person in enumerate(people):
        unit = units[(n * 5) % len(units)]
        household = Household(
            unit_id=unit.id, room=f"{rng.randint(1, 6)}0{rng.randint(1, 4)}", created_at=now
        )
        s.add(household)
        await s.flush()
        members[person] = household.id
        s.add(
            HouseholdMember(
                household_id=household.id,
                user_id=person.id,
                method="staff",
                verified_at=now - timedelta(days=30 - n),
                verified_by=f"u:{moderator.id}",
            )
        )
    return members


async def _parties(
    s: AsyncSession, community: Community, story: DemoCommunity, password_hash: str, now: datetime
) -> dict[str, Party]:
    """The community's responsible parties, one per name its items are assigned to; the property
    company also has an account (``party-<slug>``) for its desk."""
    parties: dict[str, Party] = {}
    for told in story.items:
        if told.responsible and told.responsible not in parties:
            party = Party(
                community_id=community.id,
                name=told.responsible,
                kind=PARTY_KINDS[told.responsible],
                contact=None,
                created_at=now - timedelta(days=60),
            )
            s.add(party)
            parties[told.responsible] = party
    await s.flush()
    if "物业公司" in parties:
        s.add(
            User(
                username=f"party-{story.slug}",
                display_name=f"{community.name}物业",
                role="party",
                community_id=community.id,
                party_id=parties["物业公司"].id,
                password_hash=password_hash,
                created_at=now - timedelta(days=60),
            )
        )
    return parties


async def _accountability(
    s: AsyncSession,
    item: AgendaItem,
    party: Party,
    host: User,
    supports: dict[int, set[str]],
    households: dict[str, int],
    raised: list[Opinion],
    created: datetime,
    reached: int,
    rng: random.Random,
    now: datetime,
) -> None:
    """The item assigned to its party when it was scheduled, the party's answer the next day
    (within the response limit), and for a resolved item the residents' ratings."""
    cal = WorkCalendar()
    assigned = min(created + timedelta(days=2), now)
    answered = min(assigned + timedelta(days=1), now)
    item.party_id, item.assigned_at = party.id, assigned
    item.response_days, item.resolve_days = 2, 15
    item.response_due_at = cal.deadline(assigned, 2)
    item.resolve_due_at = cal.deadline(assigned, 15)
    item.responded_at = answered
    lead = Assignment(
        item_id=item.id, party_id=party.id, role="lead", assigned_at=assigned, assigned_by=f"u:{host.id}"
    )
    s.add(lead)
    s.add(
        AgendaEvent(
            item_id=item.id,
            at=assigned,
            actor=host.display_name,
            from_status=None,
            to_status=None,
            note="",
            kind=str(TimelineKind.ASSIGNED),
            params={
                "party": party.name,
                "party_id": party.id,
                "supporting": [],
                "response_due_at": item.response_due_at.isoformat(),
                "resolve_due_at": item.resolve_due_at.isoformat(),
                "response_days": 2,
                "resolve_days": 15,
            },
        )
    )
    answer = ANSWERS[item.title]
    s.add(
        Progress(
            item_id=item.id,
            party_id=party.id,
            actor_key=f"p:{party.id}",
            actor_name=party.name,
            note=answer,
            photos=[],
            at=answered,
        )
    )
    s.add(
        AgendaEvent(
            item_id=item.id,
            at=answered,
            actor=party.name,
            from_status=None,
            to_status=None,
            note=answer,
            kind=str(TimelineKind.PROGRESS),
            params={"party": party.name},
        )
    )
    if reached < FLOW.index("resolved"):
        return
    item.resolved_at = min(created + timedelta(days=2 * reached), now)
    lead.done_at = item.resolved_at
    people = sorted(set().union(*(supports.get(o.id, set()) for o in raised)))
    raters = rng.sample(people, min(len(people), rng.randint(6, 14)))
    for n, key in enumerate(raters):
        rating = "unsatisfied" if n % 7 == 6 else ("basically_satisfied" if n % 3 == 2 else "satisfied")
        at = item.resolved_at + timedelta(hours=2 + n * 5)
        s.add(
            Rating(
                item_id=item.id,
                round=0,
                person_key=key,
                household_id=households.get(key),
                rating=rating,
                comment=rng.choice(RATING_COMMENTS[rating]),
                created_at=at,
                updated_at=at,
            )
        )


def _resident(rng: random.Random) -> str:
    return rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(("阿姨", "大爷", "师傅", "大姐", "老师", "奶奶"))


async def _sessions(
    s: AsyncSession,
    community: Community,
    story: DemoCommunity,
    host: User,
    moderator: User,
    residents: dict[User, int],
    parties: dict[str, Party],
    rng: random.Random,
    clock: Clock,
) -> None:
    now = clock.now()
    upcoming_at, past_at = broadcast_times(story, now)
    s.add(
        LiveSession(
            community_id=community.id,
            host_id=host.id,
            title=f"{community.name}{story.show}",
            description=story.upcoming_topic,
            status="scheduled",
            stream_key=secrets.token_urlsafe(24),
            scheduled_at=upcoming_at,
            created_at=now,
        )
    )
    sessions: list[LiveSession] = []
    for number, started in enumerate(reversed(past_at), start=1):  # oldest first
        past = LiveSession(
            community_id=community.id,
            host_id=host.id,
            title=f"{community.name}{story.show}（第{number}期）",
            description=f"{story.secretary}和居民聊聊{'、'.join(i.title for i in story.items[:2])}。",
            status="ended",
            stream_key=secrets.token_urlsafe(24),
            scheduled_at=started,
            started_at=started,
            ended_at=started + timedelta(minutes=MINUTES),
            created_at=started - timedelta(days=2),
            peak_viewers=rng.randint(40, 160),
            unique_viewers=rng.randint(80, 260),
        )
        s.add(past)
        await s.flush()
        sessions.append(past)
        for minute in range(0, MINUTES + 1):
            viewers = int(past.peak_viewers * min(1.0, (minute + 3) / 15) * rng.uniform(0.8, 1.0))
            s.add(ViewerSample(session_id=past.id, at=started + timedelta(minutes=minute), viewers=viewers))
        for n in range(20):
            s.add(
                SessionViewer(
                    session_id=past.id,
                    person_key=f"g:demo{past.id}-{n}",
                    first_seen=started + timedelta(seconds=n * 30),
                )
            )
        lines = list(story.chat) + list(GENERIC_CHAT)
        for n in range(12):
            at = started + timedelta(seconds=30 + n * 200)
            s.add(
                Message(
                    session_id=past.id,
                    community_id=community.id,
                    author_key=f"g:demo{past.id}-{n}",
                    author_name=_resident(rng),
                    author_role="guest",
                    text=lines[n % len(lines)] if n < len(lines) else rng.choice(lines),
                    created_at=at,
                    offset_ms=int((at - started).total_seconds() * 1000),
                )
            )

    def raise_opinion(
        session: LiveSession, n: int, category: str, text: str, location: str | None, status: str
    ) -> Opinion:
        assert session.started_at is not None
        at = session.started_at + timedelta(minutes=4 + n * 7)
        opinion = Opinion(
            community_id=community.id,
            text=text,
            category=category,
            location=location,
            source="live_chat",
            session_id=session.id,
            offset_ms=int((at - session.started_at).total_seconds() * 1000),
            author_key=f"g:demo{session.id}-op{n}",
            author_name=_resident(rng),
            status=status,
            supporters=rng.randint(3, 30),
            created_at=at,
        )
        s.add(opinion)
        return opinion

    # Each item was raised in the first broadcast, echoed later; duplicates merged into the first.
    linked: list[tuple[int, list[Opinion]]] = []
    merges: list[tuple[Opinion, Opinion]] = []
    slot = {session.id: 0 for session in sessions}
    for index, told in enumerate(story.items):
        raised: list[Opinion] = []
        for k, (text, location) in enumerate(told.opinions):
            session = sessions[min(k, len(sessions) - 1)]
            raised.append(raise_opinion(session, slot[session.id], told.category, text, location, "accepted"))
            slot[session.id] += 1
        if told.duplicate:
            session = sessions[-1]
            dup = raise_opinion(session, slot[session.id], told.category, told.duplicate, None, "merged")
            slot[session.id] += 1
            merges.append((dup, raised[0]))
        linked.append((index, raised))
    latest = sessions[-1]
    fresh_category, fresh_text = FRESH[len(community.slug) % len(FRESH)]
    raise_opinion(latest, slot[latest.id], fresh_category, fresh_text, None, "new")
    off = raise_opinion(latest, slot[latest.id] + 1, "other", OFF_TOPIC, None, "rejected")
    off.reject_reason = "off_topic"
    await s.flush()
    supports: dict[int, set[str]] = {}
    for opinion in (o for _, ops in linked for o in ops):
        supports[opinion.id] = {opinion.author_key} | {
            f"g:demo-{opinion.id}-{i}" for i in range(1, opinion.supporters)
        }
    every = [o for _, ops in linked for o in ops]
    households = {f"u:{person.id}": household for person, household in residents.items()}
    for n, person in enumerate(residents):  # each resident with an account supports two opinions
        for chosen in sorted({every[n % len(every)].id, every[(n * 3 + 1) % len(every)].id}):
            supports[chosen].add(f"u:{person.id}")
    for dup, survivor in merges:  # merging: the duplicate's supporters count on the survivor, once
        mine = {dup.author_key} | {f"g:demo-{dup.id}-{i}" for i in range(1, dup.supporters)}
        supports[dup.id] = mine
        supports[survivor.id] |= mine
        dup.merged_into_id = survivor.id
    for opinion_id, keys in supports.items():
        s.add_all(
            OpinionSupport(opinion_id=opinion_id, person_key=key, created_at=now) for key in sorted(keys)
        )
    for opinion in (o for _, ops in linked for o in ops):
        opinion.supporters = len(supports[opinion.id])
    for dup, _survivor in merges:
        dup.supporters = len(supports[dup.id])

    meeting_day = now.astimezone(ZONE) - timedelta(days=3)
    meeting = Meeting(
        community_id=community.id,
        format=story.meeting_format,
        title=f"{community.name}议事会：{story.items[0].title}",
        starts_at=meeting_day.replace(hour=19, minute=0, second=0, microsecond=0),
        place=story.meeting_place,
        attendance=rng.randint(12, 30),
        minutes=f"居民代表、物业、业委会共同商议：{'；'.join(i.title for i in story.items)}。",
        created_by=f"u:{host.id}",
        created_at=now - timedelta(days=10),
    )
    s.add(meeting)
    await s.flush()
    for index, raised in linked:
        story_item = story.items[index]
        created = sessions[0].ended_at or now
        created += timedelta(days=1 + index)
        item = AgendaItem(
            community_id=community.id,
            title=story_item.title,
            summary=raised[0].text,
            category=story_item.category,
            location=raised[0].location,
            status=story_item.status,
            responsible=story_item.responsible,
            outcome=story_item.outcome,
            meeting_id=meeting.id if story_item.status not in ("proposed", "closed") else None,
            created_by=f"u:{moderator.id}",
            created_at=created,
            updated_at=created,
        )
        s.add(item)
        await s.flush()
        for opinion in raised:
            s.add(AgendaOpinion(item_id=item.id, opinion_id=opinion.id))
        s.add(
            AgendaEvent(
                item_id=item.id,
                at=created,
                actor=moderator.display_name,
                from_status=None,
                to_status="proposed",
                note="",
                kind=str(TimelineKind.CREATED),
                params={"opinions": len(raised)},
            )
        )
        if story_item.status == "closed":
            s.add(
                AgendaEvent(
                    item_id=item.id,
                    at=created + timedelta(days=3),
                    actor=host.display_name,
                    from_status="proposed",
                    to_status="closed",
                    note="楼道口会议上居民自行商定了公约，不再列为议题。",
                    kind=str(TimelineKind.STATUS),
                    params={},
                )
            )
            continue
        reached = FLOW.index(story_item.status)
        for step in range(1, reached + 1):
            s.add(
                AgendaEvent(
                    item_id=item.id,
                    at=min(created + timedelta(days=step * 2), now),
                    actor=host.display_name,
                    from_status=FLOW[step - 1],
                    to_status=FLOW[step],
                    note=(story_item.outcome or "") if FLOW[step] == "resolved" else "",
                    kind=str(TimelineKind.STATUS),
                    params={},
                )
            )
        party = parties.get(story_item.responsible or "")
        if party is not None:
            await _accountability(
                s, item, party, host, supports, households, raised, created, reached, rng, now
            )
        if story_item.status != "proposed":
            s.add(
                MeetingItem(
                    meeting_id=meeting.id,
                    item_id=item.id,
                    decision="同意推进" if reached >= 3 else "",
                )
            )


async def _interaction(
    s: AsyncSession,
    community: Community,
    story: DemoCommunity,
    host: User,
    moderator: User,
    residents: dict[User, int],
    rng: random.Random,
    now: datetime,
) -> None:
    """The room was asked during the latest broadcast (a closed poll, at its moment in the
    recording); the meeting's first item has a household vote open (ballots online and on
    paper entered by the grid worker); residents registered for the meeting and were checked in
    at the door (kept apart from the rest of the story so other seeding can change freely)."""
    session = await s.scalar(
        select(LiveSession)
        .where(LiveSession.community_id == community.id, LiveSession.status == "ended")
        .order_by(LiveSession.started_at.desc())
        .limit(1)
    )
    people = sorted(residents, key=lambda u: u.id)
    if session is not None and session.started_at is not None:
        asked = session.started_at + timedelta(minutes=18)
        poll = Poll(
            session_id=session.id,
            community_id=community.id,
            question=f"{story.items[0].title}，您更希望先做哪一步？",
            multiple=False,
            open=False,
            offset_ms=18 * 60_000,
            closed_offset_ms=21 * 60_000,
            created_by=f"u:{host.id}",
            created_at=asked,
            closed_at=asked + timedelta(minutes=3),
        )
        s.add(poll)
        await s.flush()
        options = [
            PollOption(poll_id=poll.id, position=n, text=text)
            for n, text in enumerate(("先开居民议事会", "先请物业出方案", "先做问卷调查"))
        ]
        s.add_all(options)
        await s.flush()
        for n, person in enumerate(people):
            choice = options[0] if n % 5 < 3 else options[1 + n % 2]
            s.add(
                PollVote(
                    poll_id=poll.id,
                    option_id=choice.id,
                    person_key=f"u:{person.id}",
                    created_at=asked + timedelta(seconds=20 + n * 7),
                )
            )
    item = await s.scalar(
        select(AgendaItem).where(
            AgendaItem.community_id == community.id, AgendaItem.title == story.items[0].title
        )
    )
    if item is not None:
        opened = now - timedelta(days=2)
        vote = HouseholdVote(
            item_id=item.id,
            community_id=community.id,
            question=f"是否同意「{item.title}」的实施方案？",
            secret=False,
            open=True,
            closes_at=now + timedelta(days=5),
            created_by=f"u:{moderator.id}",
            created_at=opened,
        )
        s.add(vote)
        await s.flush()
        agree, against, abstain = (
            HouseholdVoteOption(vote_id=vote.id, position=n, text=text)
            for n, text in enumerate(("同意", "不同意", "弃权"))
        )
        s.add_all([agree, against, abstain])
        await s.flush()
        seen: set[int] = set()
        for n, person in enumerate(people[: max(2, len(people) * 3 // 4)]):
            household = residents[person]
            if household in seen:
                continue
            seen.add(household)
            paper = len(seen) % 3 == 2  # an elderly resident's paper ballot, entered by the grid worker
            option = agree if n % 6 else (against if n % 12 else abstain)
            ballot = {
                "vote_id": vote.id,
                "household_id": household,
                "option_id": option.id,
                "channel": "paper" if paper else "form",
                "voter_key": None if paper else f"u:{person.id}",
                "voter_name": person.display_name,
                "entered_by": f"u:{moderator.id}" if paper else None,
                "consent": paper,
            }
            at = opened + timedelta(hours=1 + n * 3)
            s.add(HouseholdBallot(**ballot, cast_at=at, changes=0))
            s.add(HouseholdBallotLog(**ballot, at=at))
    meeting = await s.scalar(select(Meeting).where(Meeting.community_id == community.id).limit(1))
    if meeting is not None:
        came = 0
        for n, person in enumerate(people[:12]):
            arrived = meeting.starts_at - timedelta(minutes=10 - n) if n % 4 != 3 else None
            came += arrived is not None
            s.add(
                Registration(
                    meeting_id=meeting.id,
                    person_key=f"u:{person.id}",
                    name=person.display_name,
                    status="registered",
                    code="".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8)),
                    created_at=meeting.starts_at - timedelta(days=3, hours=n),
                    checked_in_at=arrived,
                    checked_in_by=f"u:{moderator.id}" if arrived else None,
                )
            )
        meeting.attendance = max(meeting.attendance or 0, came)
