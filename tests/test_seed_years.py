"""The five-year seed at a small size, on SQLite and PostgreSQL: every kind of row, consistent
counts, the similar-opinion index filled, ids that new rows continue after, idempotent."""

from __future__ import annotations

from collections import Counter
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from live.keys import SERVICES
from live.seed.years import Size, seed_years
from live.services.accountability import RATINGS
from live.services.actors import Actor
from live.services.demo import seed_demo
from live.storage.accountability import Assignment, Rating
from live.storage.agenda import AgendaEvent, AgendaItem
from live.storage.chat import Message
from live.storage.opinions import Opinion, OpinionSupport
from live.storage.presence import ViewerSample
from live.storage.rooms import LiveSession
from live.storage.similar_index import INDEXED, OpinionTermCount, terms_of

SMALL = Size(
    years=2, sessions_per_year=2, messages=2_000, opinions=600, agenda_items=140, meetings_per_year=2,
    residents=300,
)  # fmt: skip


async def test_a_small_five_year_seed_is_whole_and_idempotent(client: TestClient[Any, Any]) -> None:
    services = client.app[SERVICES]
    db = services.db
    await seed_demo(db, services.clock)  # the regular demo first, to tell its rows apart
    async with db.read() as s:
        before = await s.scalar(select(func.max(Opinion.id))) or 0
        items_before = await s.scalar(select(func.max(AgendaItem.id))) or 0
    report = await seed_years(db, services.clock, SMALL)
    assert not report.already
    assert report.sessions == 10 * 2 * 2 and report.messages == 2_000 and report.opinions == 600
    async with db.read() as s:
        ended = await s.scalar(select(func.count()).where(LiveSession.status == "ended"))
        assert ended is not None and ended >= report.sessions
        assert await s.scalar(select(func.count(Message.id))) >= 2_000
        assert await s.scalar(select(func.count(ViewerSample.id))) >= report.viewer_samples
        states = set((await s.execute(select(AgendaItem.status).distinct())).scalars())
        assert states >= {
            "proposed",
            "scheduled",
            "deliberating",
            "decided",
            "in_progress",
            "resolved",
            "closed",
        }
        assert await s.scalar(select(func.count(AgendaEvent.id))) >= report.agenda_events
        # decided items have a lead party, limits and (once resolved) ratings, as the services keep them
        items = (await s.execute(select(AgendaItem).where(AgendaItem.id > items_before))).scalars()
        decided = [i for i in items if i.status in ("decided", "in_progress", "resolved")]
        assert decided and all(
            i.party_id and i.assigned_at and i.response_due_at and i.resolve_due_at for i in decided
        )
        resolved = [i for i in decided if i.status == "resolved"]
        assert resolved and all(i.resolved_at and i.responded_at for i in resolved)
        leads = dict((await s.execute(select(Assignment.item_id, Assignment.party_id))).all())
        assert all(leads.get(i.id) == i.party_id for i in decided)
        ratings = (await s.execute(select(Rating).where(Rating.item_id > items_before))).scalars().all()
        assert len(ratings) == report.ratings > 0 and report.parties > 0
        assert {r.rating for r in ratings} == set(RATINGS)
        assert {r.item_id for r in ratings} <= {i.id for i in resolved}
        # supporters are real rows, one per person
        counts = dict((await s.execute(
            select(OpinionSupport.opinion_id, func.count()).group_by(OpinionSupport.opinion_id)
        )).all())  # fmt: skip
        opinions = (await s.execute(select(Opinion).where(Opinion.id > before))).scalars().all()
        assert all(counts.get(o.id) == o.supporters for o in opinions)
        assert {o.status for o in opinions} == {"new", "accepted", "rejected", "merged"}
        assert all(o.merged_into_id for o in opinions if o.status == "merged")
        # the similar-opinion index holds what a recount finds
        community = opinions[0].community_id
        expected: Counter[str] = Counter()
        everyone = (await s.execute(select(Opinion).where(Opinion.community_id == community))).scalars()
        for o in everyone:
            if o.community_id == community and o.status in INDEXED:
                expected.update(terms_of(o.text))
                expected[""] += 1
        mine = OpinionTermCount.community_id == community
        stored = dict((await s.execute(select(OpinionTermCount.term, OpinionTermCount.n).where(mine))).all())
        assert {t: n for t, n in stored.items() if n} == dict(expected)
        some = next(o for o in opinions if o.status == "new")
    admin = Actor(key="u:0", name="admin", role="admin", user_id=0)
    assert await services.opinions.similar(admin, some.id)
    # new rows get ids after the seeded ones (PostgreSQL sequences moved on)
    resident = Actor(key="g:after-the-seed", name="居民")
    fresh = await services.opinions.submit(resident, community_slug="hexie", text="新的意见：路灯不亮")
    assert fresh.id > max(o.id for o in opinions)
    assert (await seed_years(db, services.clock, SMALL)).already
    for path in ("/", "/archive", "/agenda", f"/agenda/{resolved[0].id}", "/stats", "/stats/hexie"):
        response = await client.get(path)
        assert response.status == 200, (path, response.status)
