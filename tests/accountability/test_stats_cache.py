"""The statistics are cached, and every change that moves them empties the cache: in this
process at once, in another process (Redis) as soon as the signal arrives; what changes without
an event (time passing) after at most CACHE_TTL_S."""

from __future__ import annotations

import asyncio
import os
import uuid
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from live.app import create_app
from live.clock import FakeClock
from live.keys import SERVICES
from live.services.stats import CACHE_TTL_S, STATS_CHANGED
from live.settings import Settings
from tests.accountability.conftest import Desk, walk_to
from tests.conftest import World

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
STATS = "/api/stats?community=hexie"


async def test_views_are_served_from_the_cache_until_a_change_empties_it(
    client: TestClient[Any, Any], world: World, desk: Desk, clock: FakeClock
) -> None:
    stats = client.app[SERVICES].stats
    r = desk.residents
    first = await r[0].get(STATS)
    for path in ("/stats/hexie", "/stats"):
        assert (await client.get(path)).status == 200
    computed = stats.computed
    assert await r[1].get(STATS) == first  # nothing changed: nothing recounted
    for path in ("/stats/hexie", "/stats"):
        assert (await client.get(path)).status == 200
    assert stats.computed == computed

    # an opinion raised
    await r[2].post("/api/opinions", {"community": "hexie", "text": "北门路灯不亮"}, expect=201)
    after = await r[0].get(STATS)
    assert after["opinions"] == first["opinions"] + 1 and stats.computed == computed + 1

    # an item assigned, answered, resolved, then rated
    path = f"/api/agenda/{desk.item['id']}"
    await desk.mod.patch(path, {"party": desk.property["id"]})
    assert (await r[0].get(STATS))["response_rate"] is None  # assigned, not due, not answered
    await desk.prop_account.post(f"{path}/progress", {"note": "收到"}, expect=201)
    assert (await r[0].get(STATS))["response_rate"] == 1.0
    await walk_to(desk.mod, desk.item["id"], "resolved")
    resolved = await r[0].get(STATS)
    assert resolved["items_resolved"] == first["items_resolved"] + 1 and resolved["ratings"] == 0
    await r[1].post(f"{path}/rating", {"rating": "satisfied"})
    rated = await r[0].get(STATS)
    assert rated["ratings"] == 1 and rated["satisfaction_rate"] == 1.0
    await r[1].post(f"{path}/rating", {"rating": "unsatisfied"})  # replaces the first
    assert (await r[0].get(STATS))["satisfaction_rate"] == 0.0

    # a calendar correction (working days to resolve) empties it too
    computed = stats.computed
    await r[0].get(STATS)
    assert stats.computed == computed
    await desk.admin.call("PUT", "/api/admin/calendar/2026-12-02", {"workday": False})
    await r[0].get(STATS)
    assert stats.computed == computed + 1

    # what moves without an event (overdue as time passes) is recounted after the TTL
    computed = stats.computed
    clock.advance(CACHE_TTL_S / 2)
    await r[0].get(STATS)
    assert stats.computed == computed
    clock.advance(CACHE_TTL_S)
    await r[0].get(STATS)
    assert stats.computed == computed + 1


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, redis_url=REDIS_URL, redis_prefix=f"rt-test-{uuid.uuid4().hex[:10]}")


async def test_a_change_in_one_process_empties_the_cache_of_the_other(
    aiohttp_client: Any,
    client: TestClient[Any, Any],
    world: World,
    desk: Desk,
    settings: Settings,
    clock: FakeClock,
) -> None:
    other = await aiohttp_client(create_app(settings, clock=clock))
    stats = other.app[SERVICES].stats
    arrived = asyncio.Event()
    signals: list[dict[str, Any]] = []
    wanted = 0

    async def seen(payload: dict[str, Any]) -> None:
        signals.append(payload)  # runs after the cache's own handler has emptied it
        if len(signals) >= wanted:
            arrived.set()

    stats.signals.on(STATS_CHANGED, seen)
    before = await (await other.get(STATS)).json()
    computed = stats.computed
    assert await (await other.get(STATS)).json() == before and stats.computed == computed

    arrived.clear()
    wanted = len(signals) + 1
    await desk.residents[2].post("/api/opinions", {"community": "hexie", "text": "南门积水"}, expect=201)
    await asyncio.wait_for(arrived.wait(), 10)  # the signal reached the other process
    after = await (await other.get(STATS)).json()
    assert after["opinions"] == before["opinions"] + 1 and stats.computed == computed + 1

    arrived.clear()
    wanted = len(signals) + 2  # assigned, answered
    path = f"/api/agenda/{desk.item['id']}"
    await desk.mod.patch(path, {"party": desk.property["id"]})
    await desk.prop_account.post(f"{path}/progress", {"note": "收到"}, expect=201)
    await asyncio.wait_for(arrived.wait(), 10)
    assert (await (await other.get(STATS)).json())["response_rate"] == 1.0


async def test_serve_counts_the_statistics_once_at_start(
    aiohttp_client: Any, settings: Settings, clock: FakeClock
) -> None:
    """With the background jobs on (``serve``), the subdistrict's figures and its communities
    table are counted at start, so the first view after a restart is served from the cache."""
    from tests.waiting import eventually

    client: TestClient[Any, Any] = await aiohttp_client(
        create_app(replace(settings, jobs_interval_s=3600), clock=clock)
    )
    stats = client.app[SERVICES].stats
    # warm() counts two figures here (the subdistrict's, then its communities table, empty with
    # no community): wait for both, or the second lands after the view below
    await eventually(lambda: stats.computed >= 2, 20, what="the statistics counted at start")
    counted = stats.computed
    assert (await client.get("/api/stats")).status == 200
    assert stats.computed == counted  # the first view: from the cache
