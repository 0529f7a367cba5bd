"""Agenda items, the state machine, meetings, following and the inbox over real HTTP."""

from __future__ import annotations

import itertools
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from live.errors import BadTransition, Invalid
from live.services.agenda import FLOW, STATES, check_transition
from tests.conftest import World, login
from tests.opinions.conftest import Api, guest_api


async def make_item(mod: Api, opinions: list[str] | None = None, title: str = "规划电动车停放区") -> Any:
    body = {"community": "hexie", "title": title, "summary": "消防通道被堵", "opinions": opinions or []}
    return await mod.post("/api/agenda", body, expect=201)


def test_state_machine_allows_exactly_the_documented_steps() -> None:
    allowed = {(a, b) for a, b in itertools.pairwise(FLOW)}
    allowed |= {(s, "closed") for s in FLOW[:-1]}
    for current, target in itertools.product(STATES, STATES):
        if (current, target) in allowed:
            check_transition(current, target, "原因")
        else:
            with pytest.raises(BadTransition):
                check_transition(current, target, "原因")
    with pytest.raises(Invalid):
        check_transition("proposed", "closed", "  ")
    with pytest.raises(Invalid):
        check_transition("proposed", "flying", "")


async def test_item_from_opinions_and_its_timeline(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession
) -> None:
    guest = await guest_api(other_browser)
    text = {
        "community": "hexie",
        "text": "消防通道晚上总被电动车堵住",
        "category": "parking",
        "location": "幸福里",
    }
    opinion = await guest.post("/api/opinions", text, expect=201)
    mod = Api(client, await login(client, "mod-a"))
    item = await make_item(mod, [opinion["id"]])
    assert item["status"] == "proposed" and item["category"] == "parking" and item["location"] == "幸福里"
    assert [o["id"] for o in item["opinions"]] == [opinion["id"]]
    assert item["events"][0]["to"] == "proposed" and item["events"][0]["from"] is None
    assert (await guest.get(f"/api/opinions/{opinion['id']}"))["status"] == "accepted"
    path = f"/api/agenda/{item['id']}"
    steps = ["scheduled", "deliberating", "decided", "in_progress", "resolved"]
    for step in steps:
        changed = await mod.patch(path, {"status": step, "note": f"到{step}"})
        assert changed["status"] == step
    for bad in ["closed", "proposed", "resolved", "in_progress"]:
        answer = await mod.patch(path, {"status": bad, "note": "x"}, expect=409)
        assert answer["error"] == "bad_transition"
    await mod.patch(path, {"responsible": "物业公司", "outcome": "已划定停放区", "due_date": "2026-12-31"})
    shown = await guest.get(path)
    assert shown["responsible"] == "物业公司" and shown["outcome"] == "已划定停放区"
    assert shown["due_date"] == "2026-12-31"
    events = shown["events"]
    assert [e["to"] for e in events] == ["proposed", *steps, None]
    assert all({"at", "actor", "from", "to", "note", "kind", "params"} <= set(e) for e in events)
    assert events[1] == {**events[1], "from": "proposed", "to": "scheduled", "note": "到scheduled"}
    assert "负责方：物业公司" in events[-1]["note"]
    # the opinion's author follows automatically and was told about each step
    inbox = await guest.get("/api/inbox")
    assert len(inbox) == 1 + len(steps) + 1
    assert "已解决" in inbox[1]["text"]
    # on resolution the author is asked to rate it (instead of a plain status entry)
    assert inbox[1]["kind"] == "item.rate" and inbox[2]["params"]["status"] == "in_progress"
    assert inbox[0]["text"] == (
        "「规划电动车停放区」有新进展；负责方：物业公司；期限：2026-12-31；办理结果：已划定停放区"
    )
    # the same stored entries, read in English
    english = await guest.get("/api/inbox?lang=en")
    assert english[1]["text"].startswith("«规划电动车停放区» is resolved. Are you satisfied? Please rate")
    assert english[2]["text"] == "«规划电动车停放区» is now In progress; 到in_progress"
    assert english[-1]["text"] == "Your opinion is now the agenda item «规划电动车停放区»"
    shown_en = await guest.get(f"{path}?lang=en")
    assert shown_en["events"][-1]["note"] == (
        "Responsible party: 物业公司; Due date: 2026-12-31; Outcome: 已划定停放区"
    )


async def test_skips_backsteps_and_close(client: TestClient[Any, Any], world: World) -> None:
    mod = Api(client, await login(client, "mod-a"))
    item = await make_item(mod)
    path = f"/api/agenda/{item['id']}"
    for bad in ["deliberating", "decided", "in_progress", "resolved", "proposed"]:
        assert (await mod.patch(path, {"status": bad}, expect=409))["error"] == "bad_transition"
    assert (await mod.patch(path, {"status": "closed"}, expect=400))["error"] == "note_required"
    assert (await mod.patch(path, {"status": "bogus"}, expect=400))["error"] == "bad_status"
    assert (await mod.patch(path, {}, expect=400))["error"] == "empty"
    closed = await mod.patch(path, {"status": "closed", "note": "与3号议题重复"})
    assert closed["status"] == "closed" and closed["events"][-1]["note"] == "与3号议题重复"
    for target in STATES:
        await mod.patch(path, {"status": target, "note": "x"}, expect=409)


async def test_agenda_authorisation_and_bad_input(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession
) -> None:
    guest = await guest_api(other_browser)
    await guest.post("/api/agenda", {"community": "hexie", "title": "x"}, expect=401)
    host_b = Api(client, await login(client, "host-b"))
    assert (await host_b.post("/api/agenda", {"community": "hexie", "title": "x"}, expect=403))[
        "error"
    ] == "forbidden"
    foreign = await host_b.post(
        "/api/opinions", {"community": "xingfu", "text": "幸福社区的意见"}, expect=201
    )
    mod = Api(client, await login(client, "mod-a"))
    item = await make_item(mod)
    await mod.post("/api/agenda", {"community": "hexie", "title": ""}, expect=400)
    await mod.post("/api/agenda", {"community": "hexie", "title": "t", "opinions": "1"}, expect=400)
    answer = await mod.post(
        "/api/agenda", {"community": "hexie", "title": "t", "opinions": [foreign["id"]]}, 400
    )
    assert answer["error"] == "bad_opinion"
    await mod.post("/api/agenda", {"community": "hexie", "title": "t", "category": "weather"}, expect=400)
    await mod.patch(f"/api/agenda/{item['id']}", {"due_date": "soon"}, expect=400)
    await mod.get("/api/agenda/9999", expect=404)
    await mod.get("/api/agenda?status=odd", expect=400)
    host_b = Api(client, await login(client, "host-b"))
    await host_b.patch(f"/api/agenda/{item['id']}", {"status": "scheduled"}, expect=403)
    listed = await host_b.get("/api/agenda?community=hexie")
    assert [i["id"] for i in listed] == [item["id"]] and "events" not in listed[0]


async def test_list_filters_and_paging(client: TestClient[Any, Any], world: World) -> None:
    mod = Api(client, await login(client, "mod-a"))
    a = await mod.post(
        "/api/agenda",
        {"community": "hexie", "title": "停车", "category": "parking", "location": "幸福里2栋"},
        201,
    )
    b = await mod.post(
        "/api/agenda",
        {"community": "hexie", "title": "垃圾", "category": "garbage", "location": "梧桐苑"},
        201,
    )
    await mod.patch(f"/api/agenda/{b['id']}", {"status": "scheduled"})
    assert [i["id"] for i in await mod.get("/api/agenda?category=parking")] == [a["id"]]
    assert [i["id"] for i in await mod.get("/api/agenda?status=scheduled")] == [b["id"]]
    assert [i["id"] for i in await mod.get("/api/agenda?location=幸福里")] == [a["id"]]
    assert [i["id"] for i in await mod.get("/api/agenda?limit=1")] == [b["id"]]
    assert [i["id"] for i in await mod.get(f"/api/agenda?after={b['id']}")] == [a["id"]]


async def test_meetings_schedule_items_and_record_decisions(
    client: TestClient[Any, Any], world: World
) -> None:
    mod = Api(client, await login(client, "mod-a"))
    first, second = await make_item(mod, title="加装电梯"), await make_item(mod, title="楼道灯")
    await mod.patch(f"/api/agenda/{second['id']}", {"status": "scheduled"})
    body = {
        "community": "hexie",
        "format": "stairwell",
        "title": "3单元楼道口会议",
        "starts_at": "2026-12-05T19:00:00+08:00",
        "place": "幸福里3栋3单元楼道口",
        "agenda": [first["id"], second["id"]],
    }
    meeting = await mod.post("/api/meetings", body, expect=201)
    assert meeting["format"] == "stairwell" and meeting["starts_at"] == "2026-12-05T11:00:00+00:00"
    assert [a["item"] for a in meeting["agenda"]] == [first["id"], second["id"]]
    moved = await mod.get(f"/api/agenda/{first['id']}")
    assert moved["status"] == "scheduled" and moved["meeting"] == meeting["id"]
    assert "3单元楼道口会议" in moved["events"][-1]["note"]
    assert len((await mod.get(f"/api/agenda/{second['id']}"))["events"]) == 2  # already scheduled
    record = {
        "attendance": 23,
        "minutes": "居民一致同意",
        "decisions": {first["id"]: "同意加装，费用按楼层分摊"},
    }
    recorded = await mod.patch(f"/api/meetings/{meeting['id']}", record)
    assert recorded["attendance"] == 23 and recorded["agenda"][0]["decision"] == "同意加装，费用按楼层分摊"
    await mod.patch(f"/api/meetings/{meeting['id']}", {"decisions": {"9999": "x"}}, expect=400)
    await mod.patch(f"/api/meetings/{meeting['id']}", {"attendance": "many"}, expect=400)
    assert [m["id"] for m in await mod.get("/api/meetings?community=hexie")] == [meeting["id"]]
    assert (await mod.get(f"/api/meetings/{meeting['id']}"))["minutes"] == "居民一致同意"
    linked = await mod.patch(f"/api/agenda/{second['id']}", {"meeting": meeting["id"], "note": "会上讨论"})
    assert linked["meeting"] == meeting["id"]
    for fmt in ["roundtable", "one_issue", "peacemaker", "monday_face_to_face", "streetlamp", "family"]:
        await mod.post("/api/meetings", {**body, "format": fmt, "agenda": []}, expect=201)
    assert (await mod.post("/api/meetings", {**body, "format": "party"}, expect=400))["error"] == "bad_format"
    await mod.post("/api/meetings", {**body, "starts_at": "tomorrow"}, expect=400)
    await mod.post("/api/meetings", {**body, "agenda": ["9999"]}, expect=400)
    host_b = Api(client, await login(client, "host-b"))
    await host_b.post("/api/meetings", body, expect=403)
    await host_b.patch(f"/api/meetings/{meeting['id']}", {"minutes": "x"}, expect=403)


async def test_follow_and_inbox_for_guests(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession
) -> None:
    mod = Api(client, await login(client, "mod-a"))
    item = await make_item(mod)
    guest = await guest_api(other_browser)
    assert await guest.get("/api/inbox") == []
    assert (await guest.post(f"/api/agenda/{item['id']}/follow"))["following"] is True
    assert (await guest.post(f"/api/agenda/{item['id']}/follow"))["following"] is True
    assert (await guest.get(f"/api/agenda/{item['id']}"))["following"] is True
    await mod.patch(f"/api/agenda/{item['id']}", {"status": "scheduled", "note": "下周一开会"})
    inbox = await guest.get("/api/inbox")
    assert len(inbox) == 1 and inbox[0]["item"] == item["id"] and "下周一开会" in inbox[0]["text"]
    assert inbox[0]["read"] is False
    await guest.post("/api/inbox/read")
    assert (await guest.get("/api/inbox"))[0]["read"] is True
    await guest.call("DELETE", f"/api/agenda/{item['id']}/follow", expect=200)
    await mod.patch(f"/api/agenda/{item['id']}", {"status": "deliberating"})
    assert len(await guest.get("/api/inbox")) == 1
    await guest.post("/api/agenda/9999/follow", expect=404)


async def test_supporters_hear_of_every_step_of_the_item(client: TestClient[Any, Any], world: World) -> None:
    """A person who only pressed "me too" (and never followed) is told of each status change,
    also when the opinion they supported was merged into the item's opinion."""
    base = str(client.make_url("/"))
    sessions = [
        aiohttp.ClientSession(base_url=base, cookie_jar=aiohttp.CookieJar(unsafe=True)) for _ in range(3)
    ]
    try:
        author, supporter, merged_supporter = [await guest_api(s) for s in sessions]
        first = await author.post(
            "/api/opinions", {"community": "hexie", "text": "楼道灯坏了三周"}, expect=201
        )
        second = await author.post(
            "/api/opinions", {"community": "hexie", "text": "三号楼楼道灯不亮"}, expect=201
        )
        await supporter.post(f"/api/opinions/{first['id']}/support")
        await merged_supporter.post(f"/api/opinions/{second['id']}/support")
        mod = Api(client, await login(client, "mod-a"))
        await mod.post(f"/api/opinions/{second['id']}/merge", {"into": first["id"]})
        item = await make_item(mod, [first["id"]], title="修复三号楼楼道灯")
        assert await supporter.get("/api/inbox") == []
        await mod.patch(f"/api/agenda/{item['id']}", {"status": "scheduled"})
        for person in (supporter, merged_supporter):
            inbox = await person.get("/api/inbox")
            assert [entry["item"] for entry in inbox] == [item["id"]]
    finally:
        for s in sessions:
            await s.close()


def test_next_states_are_exactly_what_the_state_machine_allows() -> None:
    from live.services.agenda import next_states

    for current in STATES:
        allowed = []
        for target in STATES:
            try:
                check_transition(current, target, "原因")
            except BadTransition:
                continue
            allowed.append(target)
        assert next_states(current) == allowed, current
