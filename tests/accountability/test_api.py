"""Parties, assignments with working-day limits, party accounts, photos, extensions, ratings."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from PIL import Image

from live.clock import FakeClock
from live.keys import SERVICES
from live.services.accountability import should_reopen
from tests.accountability.conftest import Desk, guest, walk_to
from tests.conftest import World, login
from tests.opinions.conftest import Api

# FakeClock starts on Friday 2026-11-27 08:00 UTC = 16:00 in Beijing
RESPONSE_DUE = "2026-12-01T15:59:59+00:00"  # Tuesday: Mon 30th and Tue 1st are the two working days
RESOLVE_DUE = "2026-12-18T15:59:59+00:00"  # 15 working days


async def test_parties_belong_to_a_community_or_the_subdistrict(
    client: TestClient[Any, Any], world: World, desk: Desk
) -> None:
    assert desk.property == {
        "id": desk.property["id"], "community": "hexie", "name": "幸福物业", "kind": "property",
        "contact": "0571-8888",
    }  # fmt: skip
    assert desk.committee["community"] is None
    await desk.mod.post("/api/parties", {"community": "xingfu", "name": "x", "kind": "other"}, expect=403)
    await desk.mod.post("/api/parties", {"name": "街道", "kind": "department"}, expect=403)
    bad = await desk.mod.post("/api/parties", {"community": "hexie", "name": "x", "kind": "shop"}, expect=400)
    assert bad["error"] == "bad_kind"
    listed = await desk.mod.get("/api/parties?community=hexie")
    assert {p["name"] for p in listed} == {"幸福物业", "街道城管科"}
    assert len(await desk.mod.get("/api/parties")) == 3


async def test_category_limits_per_category_and_per_community(
    client: TestClient[Any, Any], world: World, desk: Desk
) -> None:
    changed = await desk.admin.patch("/api/categories/property", {"response_days": 1, "resolve_days": 5})
    assert changed["response_days"] == 1 and changed["resolve_days"] == 5
    await desk.mod.patch("/api/categories/property", {"resolve_days": 3}, expect=403)
    bad = await desk.admin.patch("/api/categories/property", {"resolve_days": 0}, expect=400)
    assert bad["error"] == "bad_days"
    local = await desk.admin.patch("/api/categories/property", {"community": "hexie", "resolve_days": 7})
    assert local["community"] == "hexie" and local["resolve_days"] == 7 and local["response_days"] == 1
    item = await desk.mod.patch(f"/api/agenda/{desk.item['id']}", {"party": desk.property["id"]})
    assert item["response_days"] == 1 and item["resolve_days"] == 7
    assert item["response_due_at"] == "2026-11-30T15:59:59+00:00"
    assert item["resolve_due_at"] == "2026-12-08T15:59:59+00:00"


async def test_assignment_limits_reassignment_and_history(
    client: TestClient[Any, Any], world: World, desk: Desk
) -> None:
    path = f"/api/agenda/{desk.item['id']}"
    await desk.mod.patch(path, {"party": desk.other_party["id"]}, expect=400)  # another community's party
    item = await desk.mod.patch(path, {"party": desk.property["id"]})
    assert item["party"] == {"id": desk.property["id"], "name": "幸福物业"}
    assert item["assigned_at"] == "2026-11-27T08:00:00+00:00"
    assert item["response_due_at"] == RESPONSE_DUE and item["resolve_due_at"] == RESOLVE_DUE
    assert item["overdue"] is False and item["escalated"] is False
    assert item["events"][-1]["kind"] == "assigned"
    assert "幸福物业" in item["events"][-1]["note"] and "2026-12-18 23:59" in item["events"][-1]["note"]
    # reassigned to the subdistrict's department with the property company in support
    client.app[SERVICES].clock.advance(3600)  # type: ignore[attr-defined]
    again = await desk.mod.patch(path, {"party": desk.committee["id"], "supporting": [desk.property["id"]]})
    assert (
        again["party"]["name"] == "街道城管科" and again["resolve_due_at"] == RESOLVE_DUE
    )  # the clock runs on
    assert [s["name"] for s in again["supporting"]] == ["幸福物业"]
    history = [(a["party"]["name"], a["role"], a["ended_at"] is None) for a in again["assignments"]]
    assert history == [
        ("幸福物业", "lead", False),
        ("街道城管科", "lead", True),
        ("幸福物业", "support", True),
    ]
    assert again["events"][-1]["params"]["previous"] == "幸福物业"
    # the party accounts were told
    inbox = await desk.committee_account.get("/api/inbox")
    assert inbox[0]["kind"] == "item.assigned" and inbox[0]["item"] == desk.item["id"]
    english = await desk.committee_account.get("/api/inbox?lang=en")
    assert english[0]["text"].startswith(
        "«3号楼电梯维修» is assigned to 街道城管科: respond by 2026-12-01 23:59"
    )
    listed = await desk.mod.get("/api/agenda?community=hexie")
    assert listed[0]["party"] == {"id": desk.committee["id"], "name": "街道城管科"}


async def test_a_party_account_acts_on_its_items_and_nothing_else(
    client: TestClient[Any, Any], world: World, desk: Desk
) -> None:
    path = f"/api/agenda/{desk.item['id']}"
    other_item = await desk.mod.post("/api/agenda", {"community": "hexie", "title": "另一件事"}, expect=201)
    await desk.prop_account.post(f"{path}/progress", {"note": "还没交办"}, expect=403)
    await desk.mod.patch(path, {"party": desk.property["id"]})
    await walk_to(desk.mod, desk.item["id"], "in_progress")
    note = await desk.prop_account.post(f"{path}/progress", {"note": "已联系电梯厂家"}, expect=201)
    assert (
        note["note"] == "已联系电梯厂家" and note["actor"] == "prop" and note["party"] == desk.property["id"]
    )
    shown = await desk.residents[0].get(path)
    assert shown["responded_at"] == "2026-11-27T08:00:00+00:00"
    assert [p["note"] for p in shown["progress"]] == ["已联系电梯厂家"]
    # not its item, not its powers
    await desk.prop_account.post(f"/api/agenda/{other_item['id']}/progress", {"note": "x"}, expect=403)
    await desk.prop_account.post(f"/api/agenda/{other_item['id']}/done", {}, expect=403)
    await desk.other_account.post(f"{path}/progress", {"note": "x"}, expect=403)
    await desk.other_account.post(f"{path}/done", {}, expect=403)
    await desk.prop_account.patch(path, {"status": "resolved"}, expect=403)
    await desk.prop_account.patch(path, {"party": desk.committee["id"]}, expect=403)
    await desk.prop_account.post(f"{path}/extend", {"days": 3, "reason": "x"}, expect=403)
    await desk.prop_account.post(
        "/api/parties", {"community": "hexie", "name": "x", "kind": "other"}, expect=403
    )
    await desk.residents[1].post(f"{path}/progress", {"note": "x"}, expect=401)
    mine = await desk.prop_account.get("/api/party/items")
    assert [i["id"] for i in mine["items"]] == [desk.item["id"]]
    assert (await desk.other_account.get("/api/party/items"))["items"] == []
    # the lead marks its part done: the item in progress is resolved
    done = await desk.prop_account.post(f"{path}/done", {"outcome": "更换了曳引机"})
    assert done["status"] == "resolved"
    await desk.prop_account.post(f"{path}/done", {}, expect=409)
    final = await desk.residents[0].get(path)
    assert final["outcome"] == "更换了曳引机" and final["resolved_at"] is not None
    assert [e["kind"] for e in final["events"][-2:]] == ["part_done", "status"]
    # residents are asked to rate it
    assert (await desk.residents[2].get("/api/inbox"))[0]["kind"] == "item.rate"


def jpeg_with_gps(width: int = 3000, height: int = 2000) -> bytes:
    image = Image.new("RGB", (width, height), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (30.0, 15.0, 0.0), "E", (120.0, 10.0, 0.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


async def test_progress_photos_are_resized_and_lose_their_metadata(
    client: TestClient[Any, Any], world: World, desk: Desk
) -> None:
    path = f"/api/agenda/{desk.item['id']}"
    await desk.mod.patch(path, {"party": desk.property["id"]})
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the GPS is there to start with
    form = FormData()
    form.add_field("note", "电梯间照片")
    form.add_field("photo", original, filename="a.jpg", content_type="image/jpeg")
    response = await desk.prop_account.http.post(  # type: ignore[union-attr]
        f"{path}/progress", data=form, headers={"X-CSRF-Token": desk.prop_account.csrf}
    )
    assert response.status == 201, await response.text()
    made = await response.json()
    [photo] = made["photos"]
    for url, side in ((photo["url"], 1600), (photo["thumb"], 320)):
        fetched = await client.get(url)
        assert fetched.status == 200 and fetched.content_type == "image/jpeg"
        image = Image.open(io.BytesIO(await fetched.read()))
        assert max(image.size) == side and image.size[0] > image.size[1]
        assert not image.getexif() and "exif" not in image.info
    bad = FormData()
    bad.add_field("note", "x")
    bad.add_field("photo", b"GIF89a not really", filename="x.jpg", content_type="image/jpeg")
    refused = await desk.prop_account.http.post(  # type: ignore[union-attr]
        f"{path}/progress", data=bad, headers={"X-CSRF-Token": desk.prop_account.csrf}
    )
    assert refused.status == 400 and (await refused.json())["error"] == "bad_file"
    assert (await client.get("/files/photos/../../secret.key")).status == 404


async def test_an_extension_needs_a_reason_is_public_and_counted(
    client: TestClient[Any, Any], world: World, desk: Desk
) -> None:
    path = f"/api/agenda/{desk.item['id']}"
    await desk.mod.post(f"{path}/extend", {"days": 5, "reason": "x"}, expect=409)  # no party yet
    await desk.mod.patch(path, {"party": desk.property["id"]})
    missing = await desk.mod.post(f"{path}/extend", {"days": 5}, expect=400)
    assert missing["error"] == "missing_field"
    made = await desk.mod.post(f"{path}/extend", {"days": 5, "reason": "等待电梯配件到货"}, expect=201)
    assert made["from"] == RESOLVE_DUE and made["to"] == "2026-12-25T15:59:59+00:00"
    shown = await desk.residents[0].get(path)
    assert shown["extensions"] == 1 and shown["resolve_due_at"] == "2026-12-25T15:59:59+00:00"
    assert shown["extension_log"][0]["reason"] == "等待电梯配件到货"
    assert shown["events"][-1]["kind"] == "extended" and "等待电梯配件到货" in shown["events"][-1]["note"]
    stats = await desk.residents[0].get("/api/stats?community=hexie")
    assert stats["extensions"] == 1 and stats["extension_rate"] == 1.0


def test_the_reopening_rule_at_its_boundaries() -> None:
    assert not should_reopen({"unsatisfied": 2})  # fewer than three ratings
    assert not should_reopen({"satisfied": 2, "unsatisfied": 1})  # exactly a third
    assert should_reopen({"satisfied": 1, "unsatisfied": 2})
    assert not should_reopen({"satisfied": 4, "basically_satisfied": 1, "unsatisfied": 2})  # 2/7
    assert should_reopen({"satisfied": 3, "basically_satisfied": 1, "unsatisfied": 3})  # 3/7


async def test_ratings_reopen_the_item_above_a_third_and_not_below(
    client: TestClient[Any, Any], world: World, desk: Desk, clock: FakeClock
) -> None:
    path = f"/api/agenda/{desk.item['id']}"
    r = desk.residents
    await desk.mod.patch(path, {"party": desk.property["id"]})
    await walk_to(desk.mod, desk.item["id"], "in_progress")
    early = await r[0].post(f"{path}/rating", {"rating": "satisfied"}, expect=409)
    assert early["error"] == "not_resolved"
    await walk_to(desk.mod, desk.item["id"], "resolved")
    stranger = await guest(client)
    refused = await stranger.post(f"{path}/rating", {"rating": "unsatisfied"}, expect=403)
    assert refused["error"] == "not_a_participant"
    await stranger.http.close()  # type: ignore[union-attr]
    bad = await r[0].post(f"{path}/rating", {"rating": "meh"}, expect=400)
    assert bad["error"] == "bad_rating"
    await r[0].post(f"{path}/rating", {"rating": "unsatisfied"})
    await r[0].post(f"{path}/rating", {"rating": "satisfied"})  # a second rating replaces the first
    await r[1].post(f"{path}/rating", {"rating": "satisfied", "comment": "修得很快"})
    counts = await r[2].post(f"{path}/rating", {"rating": "unsatisfied", "comment": "还是会停"})
    assert counts == {"ratings": {"satisfied": 2, "basically_satisfied": 0, "unsatisfied": 1}}
    assert (await r[0].get(path))["status"] == "resolved"  # one third: not more than a third
    counts = await r[3].post(f"{path}/rating", {"rating": "unsatisfied"})
    assert counts["ratings"]["unsatisfied"] == 2
    item = await r[0].get(path)
    assert item["status"] == "in_progress"
    reopened = item["events"][-1]
    assert (
        reopened["kind"] == "reopened" and reopened["from"] == "resolved" and reopened["to"] == "in_progress"
    )
    assert item["ratings"] == {"satisfied": 0, "basically_satisfied": 0, "unsatisfied": 0}  # a new round
    told = await desk.prop_account.get("/api/inbox")
    assert told[0]["kind"] == "item.reopened" and told[0]["params"]["unsatisfied"] == 2
    # resolved again: a new round of ratings, closed after 14 days
    await desk.mod.patch(path, {"status": "resolved"})
    clock.advance(14 * 86400 + 1)
    late = await r[4].post(f"{path}/rating", {"rating": "satisfied"}, expect=409)
    assert late["error"] == "rating_closed"
    stats = await r[0].get("/api/stats?community=hexie")
    assert stats["satisfaction_rate"] == pytest.approx(2 / 4)


async def test_rates_match_counts_made_by_hand(
    client: TestClient[Any, Any], world: World, desk: Desk, clock: FakeClock
) -> None:
    """Five items with known histories; every rate is checked against a count by hand."""
    mod, r = desk.mod, desk.residents
    items = [desk.item]
    for n in range(4):
        op = await r[n].post("/api/opinions", {"community": "hexie", "text": f"意见{n}号"}, expect=201)
        items.append(
            await mod.post(
                "/api/agenda", {"community": "hexie", "title": f"议题{n}", "opinions": [op["id"]]}, expect=201
            )
        )
    ids = [i["id"] for i in items]
    for item_id in ids[:4]:
        await mod.patch(f"/api/agenda/{item_id}", {"party": desk.property["id"]})
    # item 0: answered at once, resolved on time, rated 2 satisfied + 1 basically + 1 unsatisfied
    await desk.prop_account.post(f"/api/agenda/{ids[0]}/progress", {"note": "收到"}, expect=201)
    await walk_to(mod, ids[0], "resolved")
    for person, rating in zip(
        r[:4], ["satisfied", "satisfied", "basically_satisfied", "unsatisfied"], strict=True
    ):
        await person.post(f"/api/agenda/{ids[0]}/rating", {"rating": rating})
    # item 1: answered on day 1 too, resolved late (after its 15 working days)
    await desk.prop_account.post(f"/api/agenda/{ids[1]}/progress", {"note": "收到"}, expect=201)
    clock.advance(4 * 86400)  # Tue 2026-12-01 08:00 UTC: still within the response limit
    await desk.prop_account.post(
        f"/api/agenda/{ids[2]}/progress", {"note": "收到"}, expect=201
    )  # item 2: on time
    clock.advance(2 * 86400)  # Thu 12-03: item 3's response limit (12-01) has passed without an answer
    clock.advance(20 * 86400)  # 12-23: past every resolution limit (12-18)
    await walk_to(mod, ids[1], "resolved")
    await r[0].post(f"/api/agenda/{ids[1]}/rating", {"rating": "unsatisfied"})  # its opinion is r[0]'s
    # item 4 (never assigned) is closed: left out of every rate
    await mod.patch(f"/api/agenda/{ids[4]}", {"status": "closed", "note": "重复"})
    stats = await r[0].get("/api/stats?community=hexie")
    # by hand: assigned 0-3; responses due or given: all four; on time: 0, 1, 2 → 3/4
    assert stats["items_opened"] == 5 and stats["items_resolved"] == 2
    assert stats["response_rate"] == 0.75
    assert stats["resolution_rate"] == 0.5  # resolved 0 and 1 of the four not closed
    assert stats["on_time_rate"] == 0.5  # 0 on time, 1 late
    assert stats["satisfaction_rate"] == 0.6  # (2 + 1) of 5 ratings
    assert stats["overdue"] == 2  # items 2 and 3
    month = await r[0].get("/api/stats?community=hexie&month=2026-11")
    assert month["items_opened"] == 5 and month["items_resolved"] == 1  # item 1 was resolved in December
    assert (await r[0].get("/api/stats?community=hexie&month=2026-12"))["items_opened"] == 0
    assert (await r[0].get("/api/stats?community=xingfu"))["response_rate"] is None
    everywhere = await r[0].get("/api/stats")
    assert everywhere["items_opened"] == 5 and set(everywhere) >= {
        "broadcasts", "viewers_total", "peak_viewers", "messages", "opinions", "satisfaction_rate",
    }  # fmt: skip
    parties = await r[0].get("/api/stats/parties?community=hexie")
    assert [(p["name"], p["items_opened"], p["on_time_rate"]) for p in parties] == [("幸福物业", 4, 0.5)]
    csv = await client.get("/api/stats/communities.csv")
    body = (await csv.read()).decode("utf-8-sig")
    assert csv.status == 200 and body.splitlines()[0].startswith("key,name,items_opened")
    assert "hexie,和谐社区,5,2,0.75,0.5,0.5,0.6" in body
    xlsx = await client.get("/api/stats/months.xlsx?community=hexie")
    assert xlsx.status == 200 and (await xlsx.read())[:2] == b"PK"
    board = await r[0].get("/api/board/parties?community=hexie")
    assert board == [
        {"party": {"id": desk.property["id"], "name": "幸福物业"}, "open": 2, "due_soon": 0, "overdue": 2}
    ]


async def test_bad_stats_queries_are_4xx(client: TestClient[Any, Any], world: World) -> None:
    assert (await client.get("/api/stats?month=2026-13")).status == 400
    assert (await client.get("/api/stats?month=soon")).status == 400
    assert (await client.get("/api/stats?month=9999-12")).status == 400
    assert (await client.get("/api/stats?month=0001-01")).status == 400
    assert (await client.get("/api/stats?community=nowhere")).status == 404
    assert (await client.get("/api/stats/planets")).status == 404


async def test_admins_correct_the_calendar(client: TestClient[Any, Any], world: World) -> None:
    admin = Api(client, await login(client, "admin"))
    await admin.call("PUT", "/api/admin/calendar/2030-01-01", {"workday": False, "note": "元旦"}, expect=200)
    assert await admin.get("/api/admin/calendar") == [{"day": "2030-01-01", "workday": False, "note": "元旦"}]
    cal = await client.app[SERVICES].accountability.calendar()
    assert not cal.is_workday(datetime(2030, 1, 1, tzinfo=UTC).date())
    await admin.call("PUT", "/api/admin/calendar/2030-01-01", {"workday": None}, expect=200)
    assert await admin.get("/api/admin/calendar") == []
    await admin.call("PUT", "/api/admin/calendar/someday", {"workday": True}, expect=400)
    mod = Api(client, await login(client, "mod-a"))
    await mod.call("PUT", "/api/admin/calendar/2030-01-02", {"workday": False}, expect=403)
