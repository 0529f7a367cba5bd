"""The scheduled job: due soon, overdue and escalation each exactly once, one runner across
processes (two real ``python -m live jobs run`` processes), and the background task of serve."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from live.keys import SERVICES
from live.services.jobs import Jobs
from live.services.workdays import ZONE
from tests.accountability.conftest import Desk, signed_in
from tests.conftest import World
from tests.opinions.conftest import Api

ROOT = Path(__file__).resolve().parents[2]


def beijing(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZONE)


async def kinds(api: Api, item_id: str) -> Counter[str]:
    return Counter(e["kind"] for e in (await api.get(f"/api/agenda/{item_id}"))["events"])


async def inbox_kinds(api: Api) -> Counter[str]:
    return Counter(e["kind"] for e in await api.get("/api/inbox"))


async def test_due_soon_overdue_and_escalation_each_happen_once(
    client: TestClient[Any, Any], world: World, desk: Desk
) -> None:
    services = client.app[SERVICES]
    item_id = desk.item["id"]
    await desk.mod.patch(f"/api/agenda/{item_id}", {"party": desk.property["id"]})  # due Fri 2026-12-18
    jobs = services.jobs

    async def run(*when: int) -> tuple[int, int, int, int]:
        report = await jobs.run(beijing(*when))
        assert report.ran
        return report.response_overdue, report.due_soon, report.overdue, report.escalated

    assert await run(2026, 12, 1, 12, 0) == (0, 0, 0, 0)  # within the response limit (Tue 12-01)
    assert await run(2026, 12, 2, 9, 0) == (1, 0, 0, 0)  # no answer by the response limit
    assert await run(2026, 12, 2, 10, 0) == (0, 0, 0, 0)
    assert await run(2026, 12, 16, 10, 0) == (0, 0, 0, 0)  # two working days before
    assert await run(2026, 12, 17, 10, 0) == (0, 1, 0, 0)  # due soon: the next working day
    assert await run(2026, 12, 18, 23, 0) == (0, 0, 0, 0)
    assert await run(2026, 12, 19, 0, 0) == (0, 0, 1, 0)  # overdue from the first second after
    assert await run(2026, 12, 25, 18, 0) == (0, 0, 0, 0)  # 5 working days late: not yet
    assert await run(2026, 12, 28, 9, 0) == (0, 0, 0, 1)  # 6: escalated
    assert await run(2027, 1, 15, 9, 0) == (0, 0, 0, 0)
    events = await kinds(desk.mod, item_id)
    assert (events["due_soon"], events["overdue"], events["escalated"]) == (
        1,
        2,
        1,
    )  # overdue: response + resolve
    item = await desk.residents[0].get(f"/api/agenda/{item_id}")
    assert item["overdue"] is True and item["escalated"] is True and item["due_soon"] is True
    party_inbox = await inbox_kinds(desk.prop_account)
    assert (party_inbox["item.due_soon"], party_inbox["item.overdue"], party_inbox["item.escalated"]) == (
        1,
        2,
        0,
    )
    mod_inbox = await inbox_kinds(desk.mod)
    assert (mod_inbox["item.due_soon"], mod_inbox["item.overdue"]) == (1, 2)
    admin_inbox = await inbox_kinds(desk.admin)
    assert admin_inbox["item.escalated"] == 1
    [escalation] = [e for e in await desk.admin.get("/api/inbox?lang=en") if e["kind"] == "item.escalated"]
    assert (
        escalation["text"] == "Escalated: «3号楼电梯维修» (和谐社区, 幸福物业) is overdue by 6 working days"
    )
    # the timeline shows the time the job judged, in Beijing time
    shown = (await desk.mod.get(f"/api/agenda/{item_id}?lang=en"))["events"]
    assert "Overdue: the resolution limit ended at 2026-12-18 23:59" in [e["note"] for e in shown]
    # a resolved item is no longer overdue
    await desk.mod.patch(f"/api/agenda/{item_id}", {"status": "scheduled"})
    for step in ("deliberating", "decided", "in_progress", "resolved"):
        await desk.mod.patch(f"/api/agenda/{item_id}", {"status": step})
    assert (await desk.mod.get(f"/api/agenda/{item_id}"))["overdue"] is False


async def test_two_runners_in_one_database_do_the_work_once(
    client: TestClient[Any, Any], world: World, desk: Desk
) -> None:
    services = client.app[SERVICES]
    await desk.mod.patch(f"/api/agenda/{desk.item['id']}", {"party": desk.property["id"]})
    a, b = Jobs(services.db, services.clock), Jobs(services.db, services.clock)
    late = beijing(2027, 1, 15, 9, 0)
    reports = await asyncio.gather(a.run(late), b.run(late), a.run(late), b.run(late))
    assert sum(r.overdue for r in reports) == 1 and sum(r.escalated for r in reports) == 1
    assert sum(r.response_overdue for r in reports) == 1
    events = await kinds(desk.mod, desk.item["id"])
    assert (events["overdue"], events["escalated"], events["due_soon"]) == (2, 1, 0)


def _jobs_process(db_url: str, tmp: Path, now: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DATABASE_URL": db_url, "LIVE_DATA_DIR": str(tmp), "LIVE_SECRET": "s"}
    return subprocess.Popen(
        [sys.executable, "-m", "live", "jobs", "run", "--now", now],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def test_two_jobs_processes_on_one_database(
    client: TestClient[Any, Any], world: World, desk: Desk, db_url: str, tmp_path: Path
) -> None:
    """Two real ``python -m live jobs run`` processes at once: each step happens once."""
    await desk.mod.patch(f"/api/agenda/{desk.item['id']}", {"party": desk.property["id"]})
    now = "2027-01-15T09:00:00+08:00"
    procs = [_jobs_process(db_url, tmp_path, now) for _ in range(2)]
    outputs = [await asyncio.to_thread(p.communicate, timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert out.startswith("jobs: "), out
    events = await kinds(desk.mod, desk.item["id"])
    assert (events["overdue"], events["escalated"]) == (2, 1), outputs
    admin_inbox = await inbox_kinds(desk.admin)
    assert admin_inbox["item.escalated"] == 1
    # and once more later: nothing new
    again = _jobs_process(db_url, tmp_path, "2027-02-01T09:00:00+08:00")
    out, err = await asyncio.to_thread(again.communicate, timeout=120)
    assert again.returncode == 0 and "overdue 0, escalated 0" in out, (out, err)


async def test_serve_runs_the_jobs_in_the_background(
    aiohttp_client: Any, settings: Any, world: World
) -> None:
    """An app with LIVE_JOBS_INTERVAL_S runs the job by itself on its (injected) clock."""
    from dataclasses import replace

    from live.app import create_app
    from live.clock import FakeClock

    clock = FakeClock(datetime(2026, 11, 27, 8, 0, tzinfo=UTC))
    app = create_app(replace(settings, jobs_interval_s=0.2), clock=clock)
    second = await aiohttp_client(app)
    services = second.app[SERVICES]
    mod = await signed_in(second, "mod-a")
    try:
        party = await mod.post(
            "/api/parties", {"community": "hexie", "name": "物业", "kind": "property"}, expect=201
        )
        item = await mod.post("/api/agenda", {"community": "hexie", "title": "路灯"}, expect=201)
        await mod.patch(f"/api/agenda/{item['id']}", {"party": party["id"]})
        clock.advance(30 * 86400)  # past the resolution limit
        deadline = asyncio.get_running_loop().time() + 20
        while (await kinds(mod, item["id"]))["overdue"] < 2:
            assert asyncio.get_running_loop().time() < deadline, "the background job never ran"
            await asyncio.sleep(0.1)
        assert (await kinds(mod, item["id"]))["overdue"] == 2
        assert services.jobs is not None
    finally:
        await mod.http.close()  # type: ignore[union-attr]
