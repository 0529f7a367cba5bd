"""The statistics counted by the database (grouped queries, issue 14) equal a straightforward
recount in Python of every item, rating and viewer sample, on a small five-year seed (items in
every state, late answers and resolutions, extensions, ratings of every round and channel), on
SQLite and PostgreSQL; and a change in one community recounts only its own figures (and the
subdistrict's), not every community's."""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from live.clock import FakeClock
from live.keys import SERVICES
from live.seed.years import Size, seed_years
from live.services.accountability import is_overdue
from live.services.stats import ItemFigures, month_of, month_range
from live.services.workdays import WorkCalendar, local_day
from live.storage.accountability import Rating
from live.storage.agenda import AgendaItem
from live.storage.chat import Message
from live.storage.opinions import Opinion
from live.storage.places import Community
from live.storage.presence import SessionViewer, ViewerSample
from live.storage.rooms import LiveSession
from tests.accountability.conftest import Desk
from tests.conftest import World

SMALL = Size(
    years=2, sessions_per_year=2, messages=1_000, opinions=300, agenda_items=160, meetings_per_year=1,
    residents=200,
)  # fmt: skip
GOOD = ("satisfied", "basically_satisfied")
RATES = (
    "items_opened", "items_resolved", "response_rate", "resolution_rate", "on_time_rate",
    "satisfaction_rate", "extension_rate", "overdue", "ratings", "extensions", "median_days_to_resolve",
)  # fmt: skip
BROADCAST = (
    "broadcasts", "viewers_total", "average_viewers", "peak_viewers", "unique_viewers",
    "watch_minutes", "messages", "opinions",
)  # fmt: skip


def rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def recount(
    cohort: list[AgendaItem], ratings: dict[int, list[Rating]], now: datetime, cal: WorkCalendar
) -> dict[str, Any]:
    """The rates of the items in ``cohort``, one item at a time (the definitions in
    ``live/services/stats.py``), with the calendar counted day by day."""
    counted = [i for i in cohort if i.status != "closed"]
    due = [
        i
        for i in counted
        if i.response_due_at is not None and (i.responded_at is not None or now > i.response_due_at)
    ]
    responded = [i for i in due if i.responded_at is not None and i.responded_at <= i.response_due_at]  # type: ignore[operator]
    resolved = [i for i in counted if i.status == "resolved"]
    limited = [i for i in resolved if i.resolve_due_at is not None and i.resolved_at is not None]
    on_time = [i for i in limited if i.resolved_at <= i.resolve_due_at]  # type: ignore[operator]
    every = [r for i in counted for r in ratings.get(i.id, [])]
    assigned = [i for i in counted if i.assigned_at is not None]

    def workdays(after: datetime, until: datetime) -> int:
        day, end, n = local_day(after), local_day(until), 0
        while day < end:
            day += timedelta(days=1)
            n += cal.is_workday(day)
        return n

    days = [workdays(i.assigned_at or i.created_at, i.resolved_at) for i in resolved if i.resolved_at]
    return {
        "items_opened": len(cohort),
        "items_resolved": len(resolved),
        "response_rate": rate(len(responded), len(due)),
        "resolution_rate": rate(len(resolved), len(counted)),
        "on_time_rate": rate(len(on_time), len(limited)),
        "satisfaction_rate": rate(sum(r.rating in GOOD for r in every), len(every)),
        "extension_rate": rate(sum(1 for i in assigned if i.extensions), len(assigned)),
        "overdue": sum(is_overdue(i, now) for i in counted),
        "ratings": len(every),
        "extensions": sum(i.extensions for i in assigned),
        "median_days_to_resolve": float(statistics.median(days)) if days else None,
    }


async def broadcasts(s: Any, community_id: int | None, month: str | None) -> dict[str, Any]:
    """The broadcast figures, every session, sample, viewer and message read one by one."""
    start, end = month_range(month) if month else (None, None)

    def within(at: datetime | None) -> bool:
        return at is not None and (start is None or start <= at < end)  # type: ignore[operator]

    sessions = [
        x
        for x in (await s.execute(select(LiveSession))).scalars()
        if within(x.started_at) and (community_id is None or x.community_id == community_id)
    ]
    ids = {x.id for x in sessions}
    samples: dict[int, list[ViewerSample]] = defaultdict(list)
    for sample in (await s.execute(select(ViewerSample))).scalars():
        if sample.session_id in ids:
            samples[sample.session_id].append(sample)
    seconds = 0.0
    for rows in samples.values():
        rows.sort(key=lambda r: r.at)
        for a, b in itertools.pairwise(rows):
            seconds += a.viewers * max(0.0, min((b.at - a.at).total_seconds(), 60.0))
    viewers = {
        v.person_key for v in (await s.execute(select(SessionViewer))).scalars() if v.session_id in ids
    }
    messages = sum(1 for m in (await s.execute(select(Message))).scalars() if m.session_id in ids)
    opinions = [
        o
        for o in (await s.execute(select(Opinion))).scalars()
        if (community_id is None or o.community_id == community_id)
        and (start is None or start <= o.created_at < end)
    ]
    total = sum(x.unique_viewers for x in sessions)
    return {
        "broadcasts": len(sessions),
        "viewers_total": total,
        "average_viewers": round(total / len(sessions), 1) if sessions else None,
        "peak_viewers": max((x.peak_viewers for x in sessions), default=0),
        "unique_viewers": len(viewers),
        "watch_minutes": int(seconds // 60),
        "messages": messages,
        "opinions": len(opinions),
    }


def subset(figures: ItemFigures, keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: getattr(figures, k) for k in keys}


@pytest.fixture
async def seeded(client: TestClient[Any, Any], world: World, clock: FakeClock) -> Any:
    """The small seed, plus ratings in a second round and by the on-behalf and paper channels,
    and viewer samples further apart than a minute and closer than a millisecond."""
    services = client.app[SERVICES]
    await seed_years(services.db, clock, SMALL)
    async with services.db.transaction() as s:
        rated = (
            await s.execute(
                select(AgendaItem).where(AgendaItem.status == "resolved").order_by(AgendaItem.id).limit(6)
            )
        ).scalars()
        for n, item in enumerate(rated):
            for k, channel in enumerate(("on_behalf", "paper")):
                at = item.resolved_at or item.created_at
                s.add(
                    Rating(
                        item_id=item.id,
                        round=item.rating_round + 1,
                        person_key=f"behalf-{n}-{k}",
                        rating=("unsatisfied", "basically_satisfied")[(n + k) % 2],
                        channel=channel,
                        created_at=at,
                        updated_at=at,
                    )
                )
        # a gap of five minutes (counted as one) and one of 1.5 ms, in one broadcast
        last = (
            await s.execute(
                select(ViewerSample).order_by(ViewerSample.session_id, ViewerSample.at.desc()).limit(1)
            )
        ).scalar_one()
        for seconds, viewers in ((300.0, 7), (300.0015, 3), (330.25, 1)):
            s.add(
                ViewerSample(
                    session_id=last.session_id, at=last.at + timedelta(seconds=seconds), viewers=viewers
                )
            )
    await services.stats.changed()
    return services


async def test_the_figures_counted_by_the_database_equal_a_recount(
    client: TestClient[Any, Any], seeded: Any, clock: FakeClock
) -> None:
    stats = seeded.stats
    now = clock.now()
    async with seeded.db.read() as s:
        items = list((await s.execute(select(AgendaItem).order_by(AgendaItem.id))).scalars())
        ratings: dict[int, list[Rating]] = defaultdict(list)
        for r in (await s.execute(select(Rating))).scalars():
            ratings[r.item_id].append(r)
        communities = list((await s.execute(select(Community).order_by(Community.id))).scalars())
        cal = WorkCalendar()
        # the dataset has what the rates distinguish
        assert {i.status for i in items} >= {"proposed", "in_progress", "resolved", "closed"}
        assert any(i.responded_at and i.response_due_at and i.responded_at > i.response_due_at for i in items)
        assert any(i.resolved_at and i.resolve_due_at and i.resolved_at > i.resolve_due_at for i in items)
        assert any(i.extensions for i in items) and any(is_overdue(i, now) for i in items)
        assert {r.channel for rs in ratings.values() for r in rs} >= {"on_behalf", "paper"}
        months = sorted({month_of(i.created_at) for i in items})
        busiest = max(months, key=lambda m: sum(month_of(i.created_at) == m for i in items))
        hexie = next(c for c in communities if c.slug == "hexie")

        for community in (None, hexie):
            cid = community.id if community else None
            mine = [i for i in items if cid is None or i.community_id == cid]
            slug = community.slug if community else None
            got = await stats.figures(slug)
            assert subset(got, RATES) == recount(mine, ratings, now, cal), slug
            assert subset(got, BROADCAST) == await broadcasts(s, cid, None), slug
            assert got.watch_minutes and got.unique_viewers and got.messages  # something counted
            for month in (busiest, months[0], month_of(now)):
                start, end = month_range(month)
                cohort = [i for i in mine if start <= i.created_at < end]
                want = recount(cohort, ratings, now, cal)
                want["items_resolved"] = sum(
                    1
                    for i in mine
                    if i.status == "resolved" and i.resolved_at and start <= i.resolved_at < end
                )
                got = await stats.figures(slug, month)
                assert subset(got, RATES) == want, (slug, month)
                assert subset(got, BROADCAST) == await broadcasts(s, cid, month), (slug, month)

        rows = await stats.table("community")
        assert [r.key for r in rows] == [c.slug for c in communities]
        for row, c in zip(rows, communities, strict=True):
            mine = [i for i in items if i.community_id == c.id]
            assert subset(row.figures, RATES) == recount(mine, ratings, now, cal), c.slug
        for period in (None, busiest):
            cohort = items
            if period:
                start, end = month_range(period)
                cohort = [i for i in items if start <= i.created_at < end]
            parties = await stats.table("party", None, period)
            by_party: dict[int, list[AgendaItem]] = defaultdict(list)
            for i in cohort:
                if i.party_id is not None:
                    by_party[i.party_id].append(i)
            assert [r.key for r in parties] == [str(p) for p in sorted(by_party)]
            for row in parties:
                assert subset(row.figures, RATES) == recount(by_party[int(row.key)], ratings, now, cal)
            categories = await stats.table("category", None, period, "en")
            by_cat: dict[str, list[AgendaItem]] = defaultdict(list)
            for i in cohort:
                by_cat[i.category].append(i)
            assert [r.key for r in categories] == sorted(by_cat)
            for row in categories:
                assert subset(row.figures, RATES) == recount(by_cat[row.key], ratings, now, cal)
        hexie_months = sorted({month_of(i.created_at) for i in items if i.community_id == hexie.id})
        table = await stats.table("month", "hexie")
        assert [r.key for r in table] == hexie_months[-24:]

        report = await stats.report("hexie", busiest)
        start, end = month_range(busiest)
        mine = [i for i in items if i.community_id == hexie.id]
        assert [i.id for i in report.resolved] == [
            i.id for i in mine if i.status == "resolved" and i.resolved_at and start <= i.resolved_at < end
        ]
        assert [i.id for i, _ in report.overdue] == [
            i.id for i in mine if is_overdue(i, min(now, end)) and i.created_at < end
        ]


async def test_an_opinion_in_one_community_recounts_only_its_own_figures(
    client: TestClient[Any, Any], world: World, desk: Desk
) -> None:
    stats = client.app[SERVICES].stats
    r = desk.residents[0]
    for path in ("/stats", "/stats/hexie", "/stats/xingfu", "/api/stats?community=xingfu"):
        assert (await client.get(path)).status == 200
    xingfu = await r.get("/api/stats?community=xingfu")
    everywhere = await r.get("/api/stats")
    computed = stats.computed

    await r.post("/api/opinions", {"community": "hexie", "text": "东门垃圾桶满了"}, expect=201)
    assert await r.get("/api/stats?community=xingfu") == xingfu
    assert (await client.get("/stats/xingfu")).status == 200
    assert stats.computed == computed  # xingfu's figures came from the cache
    assert (await r.get("/api/stats"))["opinions"] == everywhere["opinions"] + 1
    assert stats.computed == computed + 1  # the subdistrict's figures were recounted
    assert (await client.get("/stats")).status == 200
    # the communities table is made again (+1) from each community's cached figures, of which
    # only hexie's are recounted (+1); and the subdistrict's categories table (+1)
    assert stats.computed == computed + 4

    # a change in xingfu leaves hexie's figures alone
    computed = stats.computed
    await r.post("/api/opinions", {"community": "xingfu", "text": "西门路灯坏了"}, expect=201)
    assert (await client.get("/api/stats?community=hexie")).status == 200
    assert stats.computed == computed
    assert (await r.get("/api/stats?community=xingfu"))["opinions"] == xingfu["opinions"] + 1
    assert stats.computed == computed + 1
