"""The demo reads like a real subdistrict: the claims about its story that can be checked."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from live.keys import SERVICES
from live.services.demo import seed_demo
from live.storage.accountability import Assignment, Party, Progress, Rating
from live.storage.agenda import AgendaItem, AgendaOpinion
from live.storage.chat import Message
from live.storage.households import HouseholdMember
from live.storage.meetings import Meeting
from live.storage.opinions import Opinion
from live.storage.places import Community, Grid
from live.storage.presence import ViewerSample
from live.storage.rooms import LiveSession

WEEKDAYS = "一二三四五六"  # 周一 … 周六; 周日 is 6
ZONE = ZoneInfo("Asia/Shanghai")


def _weekday_named(title: str) -> int | None:
    at = title.find("周")
    if at < 0 or at + 1 >= len(title):
        return None
    day = title[at + 1]
    if day in ("日", "天"):
        return 6
    return WEEKDAYS.index(day) if day in WEEKDAYS else None


async def test_demo_story_is_coherent(client: TestClient[Any, Any]) -> None:
    services = client.app[SERVICES]
    assert await seed_demo(services.db, services.clock)
    async with services.db.read() as s:
        communities = {c.id: c for c in (await s.execute(select(Community))).scalars()}
        sessions = list((await s.execute(select(LiveSession))).scalars())
        items = list((await s.execute(select(AgendaItem))).scalars())
        links = list(
            await s.execute(
                select(AgendaOpinion.item_id, Opinion.category, Opinion.text).join(
                    Opinion, Opinion.id == AgendaOpinion.opinion_id
                )
            )
        )
        grids = dict(
            (
                await s.execute(select(Grid.community_id, func.count(Grid.id)).group_by(Grid.community_id))
            ).all()
        )
        members = (
            await s.execute(
                select(func.count(HouseholdMember.id)).where(HouseholdMember.revoked_at.is_(None))
            )
        ).scalar_one()
        leads = {a.item_id: a for a in (await s.execute(select(Assignment))).scalars()}
        parties = {p.id: p for p in (await s.execute(select(Party))).scalars()}
        answers = {p.item_id for p in (await s.execute(select(Progress))).scalars()}
        meetings = list((await s.execute(select(Meeting))).scalars())
        ratings: dict[int, list[Rating]] = defaultdict(list)
        for rating in (await s.execute(select(Rating))).scalars():
            ratings[rating.item_id].append(rating)
        messages = dict(
            (
                await s.execute(
                    select(Message.session_id, func.count(Message.id)).group_by(Message.session_id)
                )
            ).all()
        )
        samples = dict(
            (
                await s.execute(
                    select(ViewerSample.session_id, func.count(ViewerSample.id)).group_by(
                        ViewerSample.session_id
                    )
                )
            ).all()
        )
    assert len(communities) == 10

    # Schedules on the right days: "周四直播间" is on a Thursday, in the community's time zone.
    named = 0
    for session in sessions:
        day = _weekday_named(session.title)
        assert session.scheduled_at is not None
        if day is not None:
            named += 1
            local = session.scheduled_at.astimezone(ZONE)
            assert local.weekday() == day, (session.title, local.isoformat())
    assert named == len(sessions)  # every demo broadcast says its day

    # Every item's opinions are about the item: they share its category.
    by_id = {i.id: i for i in items}
    for item_id, category, text in links:
        assert category == by_id[item_id].category, (by_id[item_id].title, text)
    assert {i.id for i in items} == {item_id for item_id, _, _ in links}  # each item has its opinions

    # Communities differ: no two share an item, and they are not all the same size.
    titles: dict[int, set[str]] = defaultdict(set)
    for item in items:
        titles[item.community_id].add(item.title)
    seen: set[str] = set()
    for community_titles in titles.values():
        assert not (community_titles & seen)
        seen |= community_titles
    assert len(set(grids.values())) > 3

    # Verified households count: residents with accounts verified, and their supports show.
    assert members > 0
    assert sum(i.verified_households for i in items) > 0
    assert all(sum(i.verified_households for i in items if i.community_id == c) > 0 for c in communities)

    # Responsible parties assigned, with an answer; resolved items rated by residents.
    for item in items:
        if item.responsible is None:
            continue
        lead = leads.get(item.id)
        assert lead is not None and parties[lead.party_id].name == item.responsible, item.title
        assert parties[lead.party_id].community_id == item.community_id
        assert item.id in answers and item.responded_at is not None, item.title
        assert item.response_due_at is not None and item.responded_at <= item.response_due_at
        if item.status == "resolved":
            assert item.outcome and item.resolved_at is not None
            assert len(ratings[item.id]) >= 3, item.title
    assert any(r.rating == "satisfied" for rs in ratings.values() for r in rs)
    assert any(r.household_id is not None for rs in ratings.values() for r in rs)
    # What residents write fits their rating: no comment stands beside two different ratings.
    by_comment: dict[str, set[str]] = defaultdict(set)
    for rating in (r for rs in ratings.values() for r in rs if r.comment):
        by_comment[rating.comment].add(rating.rating)
    assert by_comment and all(len(kinds) == 1 for kinds in by_comment.values()), by_comment

    # Meetings happen at an hour people meet, in the past, in the community's time zone.
    assert meetings
    for meeting in meetings:
        local = meeting.starts_at.astimezone(ZONE)
        assert 8 <= local.hour <= 21 and meeting.starts_at < services.clock.now(), local.isoformat()

    # Past broadcasts have something to replay: chat and viewer figures, and their replay page.
    ended = [session for session in sessions if session.status == "ended"]
    assert len(ended) == 30
    assert all(messages.get(session.id, 0) > 0 and samples.get(session.id, 0) > 0 for session in ended)
    replay = await client.get(f"/archive/{ended[0].id}")
    assert replay.status == 200

    # An item's timeline reads in the order things happened.
    for item in items:
        page = await (await client.get(f"/agenda/{item.id}")).text()
        timeline = page.split('data-testid="timeline"')[1].split("</ol>")[0]
        moments = re.findall(r'<time datetime="([^"]+)"', timeline)
        assert moments and moments == sorted(moments), item.title

    # The figures the stats page shows are there: answered, resolved, rated.
    stats = await (await client.get("/stats")).text()
    for figure in ("response-rate", "satisfaction-rate"):
        assert re.search(rf'data-testid="{figure}">\d+%<', stats), figure


async def test_demo_asks_the_room_votes_and_registers(client: TestClient[Any, Any]) -> None:
    """Every community's demo has a closed poll at its moment in the latest broadcast, an open
    household vote on the meeting's first item (online and paper ballots, one per household)
    and registrations for its meeting, some checked in (the meeting's attendance covers them)."""
    from live.storage.meetings import Registration
    from live.storage.polls import Poll, PollVote
    from live.storage.votes import HouseholdBallot, HouseholdVote

    services = client.app[SERVICES]
    assert await seed_demo(services.db, services.clock)
    async with services.db.read() as s:
        communities = list((await s.execute(select(Community))).scalars())
        for community in communities:
            polls = list((await s.execute(select(Poll).where(Poll.community_id == community.id))).scalars())
            assert len(polls) == 1 and not polls[0].open and polls[0].offset_ms > 0
            voters = await s.scalar(select(func.count(PollVote.id)).where(PollVote.poll_id == polls[0].id))
            assert voters and voters > 0
            vote = (
                await s.execute(select(HouseholdVote).where(HouseholdVote.community_id == community.id))
            ).scalar_one()
            assert vote.open
            ballots = list(
                (await s.execute(select(HouseholdBallot).where(HouseholdBallot.vote_id == vote.id))).scalars()
            )
            assert ballots and len({b.household_id for b in ballots}) == len(ballots)
            assert {b.channel for b in ballots} == {"form", "paper"}
            assert all(b.entered_by for b in ballots if b.channel == "paper")
            meeting = (
                (await s.execute(select(Meeting).where(Meeting.community_id == community.id)))
                .scalars()
                .first()
            )
            assert meeting is not None
            regs = list(
                (await s.execute(select(Registration).where(Registration.meeting_id == meeting.id))).scalars()
            )
            came = [r for r in regs if r.checked_in_at]
            assert regs and came and len(came) < len(regs)
            assert meeting.attendance is not None and meeting.attendance >= len(came)
    for path in ("/api/votes/1", "/api/polls/1", "/api/meetings/1"):
        answer = await client.get(path)
        assert answer.status == 200, (path, await answer.text())
