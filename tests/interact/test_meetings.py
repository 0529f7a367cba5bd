"""Meeting registration and check-in over HTTP: capacity, a waiting list that moves up by itself,
codes and QR, check-in by code or by name, counts, reminders in the inbox the day before."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from live.clock import FakeClock
from live.keys import SERVICES
from live.services.jobs import Jobs
from tests.interact.conftest import People, Person

ROOT = Path(__file__).resolve().parents[2]


async def meeting(mod: Person, clock: FakeClock, **extra: Any) -> dict[str, Any]:
    body = {
        "community": "hexie",
        "format": "roundtable",
        "title": "停车议事圆桌会",
        "starts_at": (clock.now() + timedelta(days=3)).isoformat(),
        "place": "社区活动室",
        "agenda": [],
    }
    status, made = await mod.call("POST", "/api/meetings", body)
    assert status == 201, made
    assert (made["registered"], made["waitlisted"], made["attended"], made["capacity"]) == (0, 0, 0, None)
    return made  # type: ignore[no-any-return]


async def test_full_meeting_waitlist_moves_up_and_check_in(
    client: TestClient[Any, Any], people: People, clock: FakeClock
) -> None:
    mod = await people("mod-a")
    made = await meeting(mod, clock)
    path = f"/api/meetings/{made['id']}"
    status, patched = await mod.call("PATCH", path, {"capacity": 2})
    assert status == 200 and patched["capacity"] == 2
    status, _ = await (await people()).call("PATCH", path, {"capacity": 5})
    assert status == 401

    alice, bob, carol, dave = [await people() for _ in range(4)]
    regs = []
    for person, name in ((alice, "王阿姨"), (bob, "李叔"), (carol, "赵奶奶")):
        status, reg = await person.call("POST", f"{path}/registrations", {"name": name})
        assert status == 201, reg
        regs.append(reg)
    assert [r["status"] for r in regs] == ["registered", "registered", "waitlisted"]
    assert all(len(r["code"]) == 8 for r in regs) and len({r["code"] for r in regs}) == 3
    # registering the same name again gives the same registration
    status, again = await alice.call("POST", f"{path}/registrations", {"name": "王阿姨"})
    assert status == 201 and again["id"] == regs[0]["id"]
    status, read = await dave.call("GET", path)
    assert (read["registered"], read["waitlisted"], read["attended"]) == (2, 1, 0)

    # only its registrant cancels; then the first waitlisted moves up by itself
    status, _ = await dave.call("DELETE", f"{path}/registrations/{regs[0]['id']}")
    assert status == 403
    status, _ = await alice.call("DELETE", f"{path}/registrations/{regs[0]['id']}")
    assert status == 204
    status, mine = await carol.call("GET", f"{path}/registrations")
    assert [(r["id"], r["status"]) for r in mine] == [(regs[2]["id"], "registered")]
    status, read = await dave.call("GET", path)
    assert (read["registered"], read["waitlisted"]) == (2, 0)
    # dave comes late: waitlisted; more places move him up
    status, late = await dave.call("POST", f"{path}/registrations", {})
    assert late["status"] == "waitlisted"
    await mod.call("PATCH", path, {"capacity": 3})
    status, mine = await dave.call("GET", f"{path}/registrations")
    assert mine[0]["status"] == "registered"

    # the QR of a registration: its registrant and staff only
    qr = await bob.http.get(regs[1]["qr"])
    assert qr.status == 200 and qr.content_type == "image/svg+xml" and "<svg" in await qr.text()
    assert (await dave.http.get(regs[1]["qr"])).status == 404

    # check-in at the door
    status, err = await bob.call("POST", f"{path}/checkin", {"code": regs[1]["code"]})
    assert status == 401
    status, done = await mod.call("POST", f"{path}/checkin", {"code": regs[1]["code"].lower()})
    assert status == 200 and done["registration"]["id"] == regs[1]["id"] and done["checked_in_at"]
    status, err = await mod.call("POST", f"{path}/checkin", {"code": regs[1]["code"]})
    assert status == 409 and err["error"] == "already_checked_in"
    status, err = await mod.call("POST", f"{path}/checkin", {"code": "NOPE2345"})
    assert status == 404 and err["error"] == "unknown_code"
    status, err = await mod.call("POST", f"{path}/checkin", {"code": regs[0]["code"]})  # cancelled
    assert status == 404 and err["error"] == "unknown_code"
    # by name: staff find the registration in the list and check it in by id
    status, everyone = await mod.call("GET", f"{path}/registrations")
    carol_reg = next(r for r in everyone if r["name"] == "赵奶奶")
    status, done = await mod.call("POST", f"{path}/checkin", {"registration": carol_reg["id"]})
    assert status == 200
    status, read = await dave.call("GET", path)
    assert (read["registered"], read["waitlisted"], read["attended"]) == (3, 0, 2)
    status, _ = await (await people("host-b")).call("POST", f"{path}/checkin", {"code": late["code"]})
    assert status == 403

    # reminders the day before, once
    services = client.app[SERVICES]
    assert await services.registrations.remind() == 0
    clock.advance(2 * 86400 + 3600)
    assert await services.registrations.remind() == 3
    assert await services.registrations.remind() == 0
    status, inbox = await carol.call("GET", "/api/inbox")
    assert any("停车议事圆桌会" in entry["text"] for entry in inbox), inbox


async def test_reminders_are_part_of_the_scheduled_jobs_once_per_registration(
    client: TestClient[Any, Any], people: People, clock: FakeClock, db_url: str, tmp_path: Path
) -> None:
    """``python -m live jobs run`` (and serve's background jobs) send the reminders the day
    before: judged by the injected clock or ``--now``, one per active registration however often
    and however concurrently the jobs run."""
    mod = await people("mod-a")
    made = await meeting(mod, clock)  # in three days
    path = f"/api/meetings/{made['id']}"
    await mod.call("PATCH", path, {"capacity": 1})
    alice, bob, carol = [await people() for _ in range(3)]
    for person, name in ((alice, "王阿姨"), (bob, "李叔"), (carol, "赵奶奶")):
        status, _ = await person.call("POST", f"{path}/registrations", {"name": name})
        assert status == 201
    status, mine = await carol.call("GET", f"{path}/registrations")
    status, _ = await carol.call("DELETE", f"{path}/registrations/{mine[0]['id']}")
    assert status == 204

    jobs = client.app[SERVICES].jobs
    assert (await jobs.run()).reminders == 0  # three days ahead: not yet
    clock.advance(timedelta(days=1, hours=23).total_seconds())  # 25 hours before: not yet
    assert (await jobs.run()).reminders == 0
    clock.advance(timedelta(hours=2).total_seconds())  # 23 hours before
    other = Jobs(jobs.db, jobs.clock)
    reports = await asyncio.gather(jobs.run(), other.run(), jobs.run(), other.run())
    assert sum(r.reminders for r in reports) == 2  # alice registered, bob waitlisted; carol cancelled
    assert (await jobs.run()).reminders == 0

    async def reminders(person: Person) -> list[dict[str, Any]]:
        status, inbox = await person.call("GET", "/api/inbox")
        assert status == 200
        return [e for e in inbox if e["kind"] == "meeting.reminder"]

    assert len(await reminders(alice)) == 1 and len(await reminders(bob)) == 1
    assert await reminders(carol) == []

    # the command line: a meeting registered for later is reminded by `jobs run --now`, once
    later = await meeting(mod, clock)
    dave = await people()
    status, _ = await dave.call("POST", f"/api/meetings/{later['id']}/registrations", {"name": "钱大爷"})
    assert status == 201
    when = (clock.now() + timedelta(days=2, hours=1)).isoformat()
    env = {**os.environ, "DATABASE_URL": db_url, "LIVE_DATA_DIR": str(tmp_path), "LIVE_SECRET": "s"}
    for expected in (1, 0):
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "live", "jobs", "run", "--now", when],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert f"meeting reminders {expected}" in done.stdout, done.stdout
    assert len(await reminders(dave)) == 1


async def test_a_meeting_schedules_items_with_a_timeline_line_in_the_readers_language(
    client: TestClient[Any, Any], people: People
) -> None:
    """The line a meeting puts in its items' timelines is a code with the meeting's title, time
    and place, rendered in the reader's language (the item's page, its API, the followers'
    inbox); no sentence is stored, and an old row's stored sentence still reads as it was."""
    from live.storage.agenda import AgendaEvent

    mod = await people("mod-a")
    follower = await people()
    status, item = await mod.call(
        "POST", "/api/agenda", {"community": "hexie", "title": "加装电梯", "opinions": []}
    )
    assert status == 201
    status, _ = await follower.call("POST", f"/api/agenda/{item['id']}/follow")
    assert status == 200
    body = {
        "community": "hexie",
        "format": "roundtable",
        "title": "停车议事圆桌会",
        "starts_at": "2026-12-05T19:00:00+08:00",
        "place": "社区活动室",
        "agenda": [item["id"]],
    }
    status, made = await mod.call("POST", "/api/meetings", body)
    assert status == 201, made
    zh = "会议«停车议事圆桌会»（2026-12-05 19:00，社区活动室）"
    en = "At the meeting «停车议事圆桌会», 2026-12-05 19:00, 社区活动室"
    for lang, line in (("zh-CN", zh), ("en", en)):
        status, shown = await mod.call("GET", f"/api/agenda/{item['id']}?lang={lang}")
        assert (shown["events"][-1]["to"], shown["events"][-1]["note"]) == ("scheduled", line)
        page = await (await mod.http.get(f"/agenda/{item['id']}?lang={lang}")).text()
        assert line in page
        status, inbox = await follower.call("GET", f"/api/inbox?lang={lang}")
        assert any(line in entry["text"] for entry in inbox), inbox

    services = client.app[SERVICES]
    view = await services.agenda.view(int(item["id"]))
    stored = view.events[-1]
    assert stored.note == "" and stored.params["meeting"] == {
        "id": made["id"],
        "title": "停车议事圆桌会",
        "starts_at": "2026-12-05T11:00:00+00:00",
        "place": "社区活动室",
    }
    # a row from before (the sentence stored in the note) still reads as it was
    async with services.db.transaction() as s:
        s.add(
            AgendaEvent(
                item_id=int(item["id"]),
                at=stored.at,
                actor="和谐网格员",
                from_status="proposed",
                to_status="scheduled",
                note="旧会议（2026-01-01 10:00，活动室）",
                kind="status",
                params={},
            )
        )
    page = await (await mod.http.get(f"/agenda/{item['id']}?lang=en")).text()
    assert "旧会议（2026-01-01 10:00，活动室）" in page and en in page


async def test_the_last_place_goes_to_one_of_many_registering_at_once(
    client: TestClient[Any, Any], people: People, clock: FakeClock
) -> None:
    """Eight residents press 报名 for the last two places at the same moment (a broadcast has
    just announced the meeting): two are registered, six wait, never ten in a room for eight."""
    mod = await people("mod-a")
    made = await meeting(mod, clock)
    path = f"/api/meetings/{made['id']}"
    await mod.call("PATCH", path, {"capacity": 2})
    residents = [await people() for _ in range(8)]
    answers = await asyncio.gather(
        *(p.call("POST", f"{path}/registrations", {"name": f"居民{n}"}) for n, p in enumerate(residents))
    )
    assert all(status == 201 for status, _ in answers), answers
    assert sorted(reg["status"] for _, reg in answers) == ["registered"] * 2 + ["waitlisted"] * 6
    status, read = await mod.call("GET", path)
    assert status == 200
    assert (read["registered"], read["waitlisted"]) == (2, 6)
