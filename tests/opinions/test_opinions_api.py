"""Opinions over real HTTP on SQLite and PostgreSQL: submit, support, triage, merge, similar."""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from live.clock import FakeClock
from live.keys import SERVICES
from tests.conftest import World, login
from tests.opinions.conftest import Api, guest_api

PARKING_1 = "小区晚上电动车乱停，消防通道被堵住了，希望划定停车位。"
PARKING_2 = "消防通道晚上总被电动车堵住，能不能规划一下停车？"
GARBAGE = "垃圾分类投放点太远，老人拿着垃圾要走很远。"


async def staff(client: TestClient[Any, Any], username: str = "mod-a") -> Api:
    return Api(client, await login(client, username))


async def test_submit_round_trips_chinese_and_contract_shape(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession
) -> None:
    guest = await guest_api(other_browser)
    body = {"community": "hexie", "text": PARKING_1 + "🚲", "category": "parking", "location": "幸福里3栋"}
    made = await guest.post("/api/opinions", body, expect=201)
    assert made["text"] == PARKING_1 + "🚲"
    assert made["status"] == "new" and made["supporters"] == 1
    assert made["community"] == "hexie" and made["category"] == "parking"
    assert made["location"] == "幸福里3栋" and made["session"] is None and made["offset_ms"] is None
    assert isinstance(made["id"], str) and made["created_at"].endswith("+00:00")
    raw = await (await other_browser.get(f"/api/opinions/{made['id']}")).read()
    assert (PARKING_1 + "🚲").encode() in raw
    listed = await guest.get("/api/opinions?community=hexie")
    assert [o["id"] for o in listed] == [made["id"]]


async def test_offset_ms_during_live_session(
    client: TestClient[Any, Any], world: World, clock: FakeClock, other_browser: aiohttp.ClientSession
) -> None:
    host = Api(client, await login(client, "host-a"))
    session = await host.post("/api/sessions", {"community": "hexie", "title": "直播"}, expect=201)
    await host.post(f"/api/sessions/{session['id']}/start")
    clock.advance(83.5)
    guest = await guest_api(other_browser)
    made = await guest.post("/api/opinions", {"session": session["id"], "text": GARBAGE}, expect=201)
    assert made["session"] == session["id"] and made["offset_ms"] == 83500
    assert made["community"] == "hexie" and made["source"] == "watch_form"
    stats = await host.get(f"/api/sessions/{session['id']}")
    assert stats["stats"]["opinions"] == 1
    other = await host.post("/api/sessions", {"community": "hexie", "title": "b"}, expect=201)
    wrong = {"community": "xingfu", "session": other["id"], "text": GARBAGE}
    assert (await guest.post("/api/opinions", wrong, expect=400))["error"] == "bad_session"


async def test_bad_input_is_4xx(client: TestClient[Any, Any], world: World) -> None:
    api = Api(client, (await (await client.get("/api/me")).json())["csrf"])
    cases: list[tuple[Any, int, str]] = [
        ({"community": "hexie", "text": "   "}, 400, "empty"),
        ({"community": "hexie"}, 400, "missing_field"),
        ({"community": "hexie", "text": "好" * 2001}, 400, "too_long"),
        ({"community": "hexie", "text": 5}, 400, "invalid"),
        ({"community": "nowhere", "text": "x"}, 404, "not_found"),
        ({"community": "hexie", "text": "x", "category": "weather"}, 400, "bad_category"),
        ({"community": "hexie", "text": "x", "session": "abc"}, 400, "invalid"),
        ({"community": "hexie", "text": "x", "session": "999"}, 404, "not_found"),
        ({"community": "hexie", "text": "x", "source": "door_visit"}, 401, "unauthenticated"),
        ({"community": "hexie", "text": "x", "source": "pigeon"}, 400, "bad_source"),
        (["not", "an", "object"], 400, "invalid_json"),
    ]
    for body, status, code in cases:
        answer = await api.post("/api/opinions", body, expect=status)
        assert answer["error"] == code, (body, answer)
    response = await client.post("/api/opinions", data=b"{nope", headers={"X-CSRF-Token": api.csrf})
    assert response.status == 400
    assert (await api.get("/api/opinions?limit=0", expect=400))["error"] == "invalid"
    assert (await api.get("/api/opinions?status=odd", expect=400))["error"] == "invalid"
    assert (await api.get("/api/opinions/12345", expect=404))["error"] == "not_found"
    no_csrf = await client.post("/api/opinions", json={"community": "hexie", "text": "x"})
    assert no_csrf.status == 403 and (await no_csrf.json())["error"] == "csrf"


async def test_support_once_per_person(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession
) -> None:
    guest = await guest_api(other_browser)
    made = await guest.post("/api/opinions", {"community": "hexie", "text": PARKING_1}, expect=201)
    path = f"/api/opinions/{made['id']}/support"
    assert (await guest.post(path))["supporters"] == 1  # the author already counts
    resident = Api(client, await login(client, "resident"))
    assert (await resident.post(path))["supporters"] == 2
    assert (await resident.post(path))["supporters"] == 2
    assert (await resident.get(f"/api/opinions/{made['id']}"))["supporters"] == 2
    assert (await resident.post("/api/opinions/999/support", expect=404))["error"] == "not_found"


async def test_concurrent_supports_of_one_opinion_count(client: TestClient[Any, Any], world: World) -> None:
    """Many people press 我也是 on one opinion at the same moment: no deadlock (PostgreSQL once
    answered some of them 500), and every one is counted."""
    import asyncio

    from live.services.actors import Actor

    services = client.app[SERVICES]
    author = Actor(key="g:author", name="居民")
    made = await services.opinions.submit(author, community_slug="hexie", text=PARKING_1)
    people = [Actor(key=f"g:neighbour{n}", name="居民") for n in range(16)]
    await asyncio.gather(*(services.opinions.support(p, made.id) for p in people))
    fresh = await services.opinions.support(people[0], made.id)  # a repeat changes nothing
    assert fresh.supporters == 1 + len(people)


async def test_staff_entry_contact_and_visibility(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession
) -> None:
    mod = await staff(client)
    body = {
        "community": "hexie",
        "text": "楼道口会议：3单元楼道灯坏了",
        "source": "door_visit",
        "contact": "13800000000",
        "category": "facilities",
    }
    made = await mod.post("/api/opinions", body, expect=201)
    assert made["source"] == "door_visit" and made["contact"] == "13800000000"
    guest = await guest_api(other_browser)
    seen = await guest.get(f"/api/opinions/{made['id']}")
    assert "contact" not in seen and "id" not in seen["author"]
    await mod.post(f"/api/opinions/{made['id']}/reject", {"reason": "off_topic", "note": "重复"})
    assert await guest.get("/api/opinions?community=hexie") == []
    await guest.get(f"/api/opinions/{made['id']}", expect=404)
    assert len(await mod.get("/api/opinions?community=hexie&status=rejected")) == 1
    host_b = Api(client, await login(client, "host-b"))
    assert (await host_b.post(f"/api/opinions/{made['id']}/accept", expect=403))["error"] == "forbidden"
    guest_door = {"community": "hexie", "text": "x", "source": "meeting"}
    assert (await host_b.post("/api/opinions", guest_door, expect=403))["error"] == "forbidden"


async def test_triage_reject_accept_bulk(client: TestClient[Any, Any], world: World) -> None:
    mod = await staff(client)
    ids = [
        (await mod.post("/api/opinions", {"community": "hexie", "text": t}, expect=201))["id"]
        for t in (PARKING_1, PARKING_2, GARBAGE)
    ]
    bad = await mod.post(f"/api/opinions/{ids[0]}/reject", {"reason": " "}, expect=400)
    assert bad["error"] == "bad_reason"
    await mod.post(f"/api/opinions/{ids[0]}/reject", {}, expect=400)
    free = await mod.post(f"/api/opinions/{ids[0]}/reject", {"reason": "与本社区无关"})
    assert free["reject_reason"] == "other" and free["reject_note"] == "与本社区无关"
    rejected = await mod.post(f"/api/opinions/{ids[0]}/reject", {"reason": "abusive", "note": "辱骂"})
    assert rejected["status"] == "rejected" and rejected["reject_reason"] == "abusive"
    accepted = await mod.post("/api/opinions/bulk", {"ids": ids[1:], "action": "accept"})
    assert [o["status"] for o in accepted] == ["accepted", "accepted"]
    await mod.post("/api/opinions/bulk", {"ids": ids[1:], "action": "explode"}, expect=400)
    await mod.post("/api/opinions/bulk", {"ids": "1,2", "action": "accept"}, expect=400)
    await mod.post("/api/opinions/bulk", {"ids": [*ids, "999"], "action": "accept"}, expect=404)
    listed = {o["id"]: o["status"] for o in await mod.get("/api/opinions?community=hexie")}
    assert listed == {ids[0]: "rejected", ids[1]: "accepted", ids[2]: "accepted"}, "all or nothing"
    host_b = Api(client, await login(client, "host-b"))
    answer = await host_b.post("/api/opinions/bulk", {"ids": ids, "action": "reject", "reason": "other"}, 403)
    assert answer["error"] == "forbidden"
    filtered = await mod.get("/api/opinions?community=hexie&status=accepted&limit=1")
    assert len(filtered) == 1
    after = await mod.get(f"/api/opinions?community=hexie&status=accepted&after={filtered[0]['id']}")
    assert len(after) == 1 and after[0]["id"] != filtered[0]["id"]


async def test_similar_and_merge_credit_everyone(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession
) -> None:
    guest = await guest_api(other_browser)
    first = await guest.post("/api/opinions", {"community": "hexie", "text": PARKING_1}, expect=201)
    resident = Api(client, await login(client, "resident"))
    second = await resident.post("/api/opinions", {"community": "hexie", "text": PARKING_2}, expect=201)
    third = await resident.post("/api/opinions", {"community": "hexie", "text": GARBAGE}, expect=201)
    await resident.post(f"/api/opinions/{first['id']}/support")  # resident backs both: counts once
    await resident.call("POST", "/api/auth/logout")
    mod = await staff(client)
    similar = await mod.get(f"/api/opinions/{second['id']}/similar")
    assert similar[0]["opinion"]["id"] == first["id"]
    assert similar[0]["score"] > (similar[1]["score"] if len(similar) > 1 else 0)
    assert third["id"] not in [s["opinion"]["id"] for s in similar[:1]]
    assert (await guest.get(f"/api/opinions/{second['id']}/similar", expect=401))[
        "error"
    ] == "unauthenticated"
    survivor = await mod.post(f"/api/opinions/{second['id']}/merge", {"into": first["id"]})
    assert survivor["id"] == first["id"] and survivor["supporters"] == 2  # guest + resident
    merged = await mod.get(f"/api/opinions/{second['id']}")
    assert merged["status"] == "merged" and merged["merged_into"] == first["id"]
    again = await mod.post(f"/api/opinions/{second['id']}/merge", {"into": first["id"]}, expect=409)
    assert again["error"] == "bad_state"
    await mod.post(f"/api/opinions/{first['id']}/merge", {"into": first["id"]}, expect=400)
    await mod.post(f"/api/opinions/{first['id']}/merge", {}, expect=400)
    # supporting the merged one supports the survivor
    assert (await guest.post(f"/api/opinions/{second['id']}/support"))["supporters"] == 2
    resident = Api(client, await login(client, "resident"))
    inbox = await resident.get("/api/inbox")
    assert len(inbox) == 1 and "合并" in inbox[0]["text"]
    host_b = Api(client, await login(client, "host-b"))
    await host_b.get(f"/api/opinions/{first['id']}/similar", expect=403)
    await host_b.post(f"/api/opinions/{third['id']}/merge", {"into": first["id"]}, expect=403)


async def test_english_similarity(client: TestClient[Any, Any], world: World) -> None:
    mod = await staff(client)
    texts = [
        "The street lights near building 5 are broken and it is dark at night",
        "Garbage bins overflow every weekend",
        "Several street lamps by building 5 are not working, very dark at night",
    ]
    ids = [
        (await mod.post("/api/opinions", {"community": "hexie", "text": t}, expect=201))["id"] for t in texts
    ]
    similar = await mod.get(f"/api/opinions/{ids[0]}/similar")
    assert similar[0]["opinion"]["id"] == ids[2]


async def test_from_message_keeps_the_moment(client: TestClient[Any, Any], world: World) -> None:
    from live.services.actors import Actor
    from live.storage.chat import Message

    services = client.app[SERVICES]
    host = Api(client, await login(client, "host-a"))
    session = await host.post("/api/sessions", {"community": "hexie", "title": "直播"}, expect=201)
    community = await services.places.by_slug("hexie")
    async with services.db.transaction() as s:
        message = Message(
            session_id=int(session["id"]),
            community_id=community.id,
            author_key="g:abc",
            author_name="李大爷",
            author_role="guest",
            text="路灯坏了好几盏",
            created_at=services.clock.now(),
            offset_ms=61000,
        )
        s.add(message)
        await s.flush()
        message_id = message.id
    mod = Actor(key="u:1", name="m", role="moderator", user_id=1, community_id=community.id)
    opinion = await services.opinions.from_message(mod, message_id)
    assert (opinion.message_id, opinion.offset_ms, opinion.source) == (message_id, 61000, "live_chat")
    assert opinion.author_key == "g:abc" and opinion.session_id == int(session["id"])
    assert (await services.opinions.from_message(mod, message_id)).id == opinion.id
    outsider = Actor(key="u:2", name="o", role="moderator", user_id=2, community_id=community.id + 1)
    import pytest

    from live.errors import Forbidden

    with pytest.raises(Forbidden):
        await services.opinions.from_message(outsider, message_id)


async def test_categories_admin(client: TestClient[Any, Any], world: World) -> None:
    anyone = Api(client, (await (await client.get("/api/me")).json())["csrf"])
    keys = [c["key"] for c in await anyone.get("/api/categories")]
    assert keys == [
        "property",
        "garbage",
        "parking",
        "renovation",
        "dispute",
        "environment",
        "facilities",
        "other",
    ]
    await anyone.post("/api/categories", {"key": "pets", "name_zh": "宠物"}, expect=401)
    mod = await staff(client)
    await mod.post("/api/categories", {"key": "pets", "name_zh": "宠物"}, expect=403)
    admin = Api(client, await login(client, "admin"))
    made = await admin.post("/api/categories", {"key": "pets", "name_zh": "宠物管理", "name_en": "Pets"}, 201)
    assert made["name_zh"] == "宠物管理"
    await admin.post("/api/categories", {"key": "pets", "name_zh": "x"}, expect=409)
    await admin.post("/api/categories", {"key": "Bad Key", "name_zh": "x"}, expect=400)
    edited = await admin.patch("/api/categories/pets", {"name_en": "Pets and animals"})
    assert edited["name_en"] == "Pets and animals"
    await admin.patch("/api/categories/garbage", {"active": False})
    assert "garbage" not in [c["key"] for c in await admin.get("/api/categories")]
    assert "garbage" in [c["key"] for c in await admin.get("/api/categories?all=1")]
    await admin.post("/api/opinions", {"community": "hexie", "text": "x", "category": "garbage"}, expect=400)
    await admin.post("/api/opinions", {"community": "hexie", "text": "狗", "category": "pets"}, expect=201)
    await admin.patch("/api/categories/nope", {"active": False}, expect=404)
    await admin.patch("/api/categories/pets", {"active": "no"}, expect=400)


async def test_residents_are_rate_limited_staff_are_not(
    client: TestClient[Any, Any], world: World, clock: FakeClock, other_browser: aiohttp.ClientSession
) -> None:
    guest = await guest_api(other_browser)
    for n in range(10):
        await guest.post("/api/opinions", {"community": "hexie", "text": f"意见{n}"}, expect=201)
    refused = await guest.post("/api/opinions", {"community": "hexie", "text": "再来一条"}, expect=429)
    assert refused["error"] == "rate_limited"
    clock.advance(31)
    await guest.post("/api/opinions", {"community": "hexie", "text": "过了一会儿"}, expect=201)
    mod = await staff(client)
    for n in range(15):
        await mod.post(
            "/api/opinions", {"community": "hexie", "text": f"入户走访{n}", "source": "door_visit"}, 201
        )


async def test_the_limit_holds_across_processes_through_redis(clock: FakeClock) -> None:
    import uuid

    import redis.asyncio as aioredis

    from live.services.opinions import SUBMIT_BURST, opinion_limiter

    client = aioredis.from_url("redis://127.0.0.1:6379")
    prefix = f"rt-test-{uuid.uuid4().hex[:8]}"
    try:
        one, two = opinion_limiter(client, clock, prefix), opinion_limiter(client, clock, prefix)
        taken = [await (one if n % 2 else two).take("g:x") for n in range(SUBMIT_BURST + 1)]
        assert taken == [True] * SUBMIT_BURST + [False]
    finally:
        await client.delete(f"{prefix}:opinions:bucket:g:x")
        await client.aclose()


async def test_banned_people_cannot_raise_opinions(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession
) -> None:
    from live.storage.moderation import Ban

    guest = await guest_api(other_browser)
    made = await guest.post("/api/opinions", {"community": "hexie", "text": "第一条"}, expect=201)
    mod = await staff(client)
    key = (await mod.get(f"/api/opinions/{made['id']}"))["author"]["id"]
    services = client.app[SERVICES]
    hexie = await services.places.by_slug("hexie")
    async with services.db.transaction() as s:
        s.add(Ban(community_id=hexie.id, person_key=key, created_at=services.clock.now(), created_by="u:1"))
    refused = await guest.post("/api/opinions", {"community": "hexie", "text": "第二条"}, expect=403)
    assert refused["error"] == "banned"
    await guest.post("/api/opinions", {"community": "xingfu", "text": "别的社区"}, expect=201)
