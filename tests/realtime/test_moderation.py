"""Moderation through the socket: limits with the fake clock, word list, hide, pin, bans, audit."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from live.clock import FakeClock
from live.settings import Settings
from tests.conftest import guest_key, login
from tests.realtime.conftest import Connect, Peer, Room, session_cookie

SPAMMER_ADDRESS = "203.0.113.7"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Trust X-Forwarded-For so that a test can come from a non-loopback address."""
    return replace(settings, trust_proxy=1)


async def joined(connect: Connect, room: Room, **kw: Any) -> Peer:
    peer = await connect(**kw)
    ack = await peer.call("join", {"session": room.id})
    assert ack["ok"], ack
    return peer


async def moderate(peer: Peer, room: Room, action: str, **kw: Any) -> Any:
    return await peer.call("moderate", {"session": room.id, "action": action, **kw})


async def test_slow_mode_and_mutes_follow_the_clock(
    connect: Connect, room: Room, staff: Peer, clock: FakeClock
) -> None:
    alice = await joined(connect, room, name="王阿姨", guest="guest-alice-1")
    before = alice.mark()
    assert (await moderate(staff, room, "slow_mode", seconds=30))["ok"]
    state = await alice.wait_for("chat_state", lambda s: s["slow_mode"] == 30, after=before)
    assert state == {"session": room.id, "open": True, "slow_mode": 30}
    assert (await alice.chat(room.id, "第一条"))["ok"]
    assert (await alice.chat(room.id, "第二条"))["error"] == "slow_mode"
    assert (await staff.chat(room.id, "工作人员不受慢速限制"))["ok"]
    assert (await staff.chat(room.id, "再说一句"))["ok"]
    clock.advance(31)
    assert (await alice.chat(room.id, "第二条"))["ok"]
    assert (await moderate(staff, room, "slow_mode", seconds=0))["ok"]
    assert (await moderate(staff, room, "slow_mode", seconds=-1))["error"] == "bad_seconds"

    bob = await joined(connect, room, name="老李", guest="guest-bob-1")
    before = alice.mark()
    assert (await moderate(staff, room, "mute", user=guest_key("guest-alice-1"), seconds=60))["ok"]
    # her open pages are told at once, with how long
    assert await alice.wait_for("muted", after=before) == {"seconds": 60}
    assert (await alice.chat(room.id, "我被禁言了吗"))["error"] == "muted"
    clock.advance(30)
    assert (await alice.chat(room.id, "还是不行"))["error"] == "muted"
    clock.advance(31)
    assert (await alice.chat(room.id, "可以说话了"))["ok"]
    assert (await moderate(staff, room, "mute", user=guest_key("guest-alice-1"), seconds=600))["ok"]
    assert (await alice.chat(room.id, "又被禁言"))["error"] == "muted"
    before = alice.mark()
    assert (await moderate(staff, room, "unmute", user=guest_key("guest-alice-1")))["ok"]
    await alice.wait_for("unmuted", after=before)
    assert (await alice.chat(room.id, "解除了"))["ok"]
    assert bob.received("muted") == [] and bob.received("unmuted") == []  # nobody else hears of it


async def test_closed_chat_refuses_residents_but_not_staff(connect: Connect, room: Room, staff: Peer) -> None:
    alice = await joined(connect, room, name="王阿姨", guest="guest-alice-1")
    before = alice.mark()
    assert (await moderate(staff, room, "close_chat"))["ok"]
    await alice.wait_for("chat_state", lambda s: s["open"] is False, after=before)
    assert (await alice.chat(room.id, "还能说话吗"))["error"] == "chat_closed"
    assert (await staff.chat(room.id, "聊天暂时关闭"))["ok"]
    assert (await moderate(staff, room, "open_chat"))["ok"]
    assert (await alice.chat(room.id, "又能说话了"))["ok"]


async def test_word_list_holds_variants_for_moderators_only(
    client: TestClient[Any, Any],
    other_browser: aiohttp.ClientSession,
    connect: Connect,
    room: Room,
    staff: Peer,
) -> None:
    csrf = (await (await other_browser.get("/api/me")).json())["csrf"]
    signed = await other_browser.post(
        "/api/auth/login",
        json={"username": "admin", "password": "correct-horse"},
        headers={"X-CSRF-Token": csrf},
    )
    admin_csrf = (await signed.json())["csrf"]
    added = await other_browser.post(
        "/api/words", json={"words": ["傻B", "scam"]}, headers={"X-CSRF-Token": admin_csrf}
    )
    assert added.status == 201, await added.text()
    assert (await (await other_browser.get("/api/words")).json()) == [
        {"id": "scam", "word": "scam"},
        {"id": "傻b", "word": "傻b"},
    ]
    alice = await joined(connect, room, name="王阿姨", guest="guest-alice-1")
    bob = await joined(connect, room, name="李叔", guest="guest-bob-01")
    held_ids = []
    for text in ("你是傻Ｂ吗", "傻 b", "傻\u200bB", "傻.b!", "This is a SCAM", "ｓｃａｍ alert", "s c a m"):
        ack = await bob.chat(room.id, text)
        assert ack["ok"] and ack["message"]["status"] == "held", text
        held_ids.append(ack["message"]["id"])
        await staff.wait_for("held", lambda m, i=ack["message"]["id"]: m["id"] == i)
    clean = await bob.chat(room.id, "傻瓜相机 is not a word on the list")
    assert clean["message"]["status"] == "visible"
    await alice.wait_for("chat", lambda m: m["id"] == clean["message"]["id"])
    assert not [m for m in alice.received("chat") + alice.received("held") if m["id"] in held_ids]
    assert not bob.received("held")
    public = await (await other_browser.get(f"/api/sessions/{room.id}/messages")).json()
    statuses = {m["id"]: m["status"] for m in public}
    assert statuses[held_ids[0]] == "held"  # admin sees held messages
    async with aiohttp.ClientSession() as stranger:
        anonymous = await (
            await stranger.get(str(client.make_url(f"/api/sessions/{room.id}/messages")))
        ).json()
    assert held_ids[0] not in {m["id"] for m in anonymous}

    assert (await moderate(staff, room, "approve", message=held_ids[0]))["ok"]
    approved = await alice.wait_for("chat", lambda m: m["id"] == held_ids[0])
    assert approved["status"] == "visible"

    removed = await other_browser.delete(
        "/api/words", json={"words": ["傻B"]}, headers={"X-CSRF-Token": admin_csrf}
    )
    assert (await removed.json())["removed"] == 1
    assert (await bob.chat(room.id, "傻B"))["message"]["status"] == "visible"
    forbidden = await client.post(
        "/api/words", json={"words": ["x"]}, headers={"X-CSRF-Token": room.host_csrf}
    )
    assert forbidden.status == 403


async def test_hide_and_pin_reach_the_other_viewers(
    client: TestClient[Any, Any], connect: Connect, room: Room, staff: Peer
) -> None:
    alice = await joined(connect, room, name="王阿姨", guest="guest-alice-1")
    bob = await joined(connect, room, name="李叔", guest="guest-bob-01")
    first = (await alice.chat(room.id, "明天几点开会？"))["message"]
    second = (await alice.chat(room.id, "<b>广告</b>"))["message"]
    assert (await moderate(staff, room, "pin", message=first["id"]))["ok"]
    pin = await bob.wait_for("pin", lambda p: p["message"] is not None)
    assert pin["session"] == room.id and pin["message"]["id"] == first["id"]
    assert (await moderate(staff, room, "hide", message=second["id"], reason="广告"))["ok"]
    assert await bob.wait_for("hide", lambda h: h["message"] == second["id"]) == {
        "session": room.id,
        "message": second["id"],
    }
    history = await (await connect(name="赵大爷", guest="guest-zhao-1")).call("join", {"session": room.id})
    assert [m["id"] for m in history["history"]] == [first["id"]]
    assert history["pinned"]["id"] == first["id"]
    mod_view = await client.get(f"/api/sessions/{room.id}/messages")  # client is host-a: staff
    assert {m["id"]: m["status"] for m in await mod_view.json()}[second["id"]] == "hidden"
    before_unhide = bob.mark()  # bob saw ``second`` once already, when it was posted
    assert (await moderate(staff, room, "unhide", message=second["id"]))["ok"]
    await bob.wait_for("chat", lambda m: m["id"] == second["id"], after=before_unhide)
    assert (await moderate(staff, room, "delete", message=second["id"]))["ok"]
    assert (await moderate(staff, room, "hide", message="999999"))["error"] == "not_found"
    assert (await moderate(staff, room, "explode"))["error"] == "bad_action"
    before_unpin = bob.mark()
    assert (await moderate(staff, room, "unpin"))["ok"]
    await bob.wait_for("pin", lambda p: p["message"] is None, after=before_unpin)


async def test_another_communitys_staff_may_not_moderate(
    client: TestClient[Any, Any], connect: Connect, room: Room
) -> None:
    alice = await joined(connect, room, name="王阿姨", guest="guest-alice-1")
    message = (await alice.chat(room.id, "你好"))["message"]
    other = await joined(connect, room, name=None, headers={"Cookie": await session_cookie(client, "host-b")})
    for action, extra in (
        ("hide", {"message": message["id"]}),
        ("ban", {"user": guest_key("guest-alice-1")}),
        ("close_chat", {}),
    ):
        ack = await moderate(other, room, action, **extra)
        assert ack == {"ok": False, "error": "forbidden", "detail": ack["detail"]}
    resident = await joined(
        connect, room, name=None, headers={"Cookie": await session_cookie(client, "resident")}
    )
    assert (await moderate(resident, room, "hide", message=message["id"]))["error"] == "forbidden"
    admin = await joined(connect, room, name=None, headers={"Cookie": await session_cookie(client, "admin")})
    assert (await moderate(admin, room, "hide", message=message["id"]))["ok"]


async def test_ban_hides_all_disconnects_and_refuses_by_id_and_address(
    client: TestClient[Any, Any], connect: Connect, room: Room, staff: Peer
) -> None:
    spam = {"X-Forwarded-For": SPAMMER_ADDRESS}
    spammer = await joined(connect, room, name="卖房的", guest="guest-spammer-1", headers=spam)
    neighbour = await joined(connect, room, name="王阿姨", guest="guest-alice-1")
    ids = [(await spammer.chat(room.id, f"低价卖房 {i}"))["message"]["id"] for i in range(3)]
    kept = (await neighbour.chat(room.id, "请不要发广告"))["message"]["id"]
    ack = await moderate(staff, room, "ban", user=guest_key("guest-spammer-1"), reason="广告")
    assert ack == {"ok": True}
    for message_id in ids:
        await neighbour.wait_for("hide", lambda h, i=message_id: h["message"] == i)
    await spammer.disconnected.wait()
    again = await connect(name="新名字", guest="guest-new-tab-2", headers=spam)
    assert (await again.call("join", {"session": room.id}))["error"] == "banned"
    same_id = await connect(name="卖房的", guest="guest-spammer-1")
    assert (await same_id.call("join", {"session": room.id}))["error"] == "banned"
    history = (await neighbour.call("join", {"session": room.id}))["history"]
    assert [m["id"] for m in history] == [kept]
    # a neighbour on loopback (no forwarded address) is not caught by the address ban
    assert (await neighbour.chat(room.id, "还能说话"))["ok"]
    staff_ban = await moderate(staff, room, "ban", user="u:1")
    assert staff_ban["error"] == "forbidden"

    assert (await moderate(staff, room, "unban", user=guest_key("guest-spammer-1")))["ok"]
    back = await joined(connect, room, name="卖房的", guest="guest-spammer-1", headers=spam)
    assert (await back.chat(room.id, "我改了"))["ok"]


async def test_audit_log_records_every_action_and_exports_csv(
    client: TestClient[Any, Any],
    other_browser: aiohttp.ClientSession,
    connect: Connect,
    room: Room,
    staff: Peer,
) -> None:
    alice = await joined(connect, room, name="王阿姨", guest="guest-alice-1")
    message = (await alice.chat(room.id, "你好"))["message"]
    await moderate(staff, room, "hide", message=message["id"], reason="测试")
    await moderate(staff, room, "mute", user=guest_key("guest-alice-1"), seconds=60)
    await moderate(staff, room, "close_chat")
    entries = await (await client.get(f"/api/sessions/{room.id}/audit")).json()
    assert [(e["action"], e["target"]) for e in entries] == [
        ("hide", message["id"]),
        ("mute", guest_key("guest-alice-1")),
        ("close_chat", room.id),
    ]
    assert entries[0]["actor"]["name"] == "和谐网格员" and entries[0]["reason"] == "测试" and entries[0]["at"]
    # staff read names and words, not ids
    assert [e["target_label"] for e in entries] == ["王阿姨: 你好", "王阿姨", None]
    exported = await client.get("/api/audit.csv?community=hexie")
    assert exported.status == 200
    body = (await exported.read()).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:3] == ["id", "at", "session"] and len(rows) == 4 and rows[1][-1] == "测试"
    assert rows[1][rows[0].index("target_name")] == "王阿姨: 你好"
    assert (await other_browser.get(f"/api/sessions/{room.id}/audit")).status in (401, 403)
    await login(client, "host-b")
    assert (await client.get(f"/api/sessions/{room.id}/audit")).status == 403
    assert (await client.get("/api/audit.csv?community=hexie")).status == 403


async def test_a_message_becomes_an_opinion(
    client: TestClient[Any, Any], connect: Connect, room: Room, staff: Peer
) -> None:
    alice = await joined(connect, room, name="王阿姨", guest="guest-alice-1")
    message = (await alice.chat(room.id, "3号楼楼道灯坏了一个月了"))["message"]
    ack = await moderate(staff, room, "to_opinion", message=message["id"])
    assert ack["ok"], ack
    assert ack["opinion"]["text"] == "3号楼楼道灯坏了一个月了"
    assert ack["opinion"]["session"] == room.id and ack["opinion"]["message"] == message["id"]
    entries = await (await client.get(f"/api/sessions/{room.id}/audit")).json()
    assert [(e["action"], e["target"]) for e in entries] == [("to_opinion", message["id"])]
    assert (await moderate(alice, room, "to_opinion", message=message["id"]))["error"] == "forbidden"


async def test_word_list_changes_from_another_process_are_picked_up(
    client: TestClient[Any, Any], connect: Connect, room: Room, clock: FakeClock
) -> None:
    from live.keys import SERVICES
    from live.services.words import WordList

    alice = await joined(connect, room, name="王阿姨", guest="guest-alice-1")
    assert (await alice.chat(room.id, "加微信领红包"))["message"]["status"] == "visible"
    services = client.app[SERVICES]
    await WordList(services.db, clock).add(["领红包"])  # as `python -m live words add` would
    clock.advance(2)
    assert (await alice.chat(room.id, "加微信 领 红 包"))["message"]["status"] == "held"
    await WordList(services.db, clock).remove(["领红包"])
    clock.advance(2)
    assert (await alice.chat(room.id, "领红包"))["message"]["status"] == "visible"


async def test_moderation_console_is_for_this_communitys_staff(
    client: TestClient[Any, Any], other_browser: aiohttp.ClientSession, room: Room
) -> None:
    page = await client.get(f"/moderate/{room.id}")  # client: host-a
    assert page.status == 200
    html = await page.text()
    for hook in (
        'data-testid="held-list"',
        'data-testid="chat-list"',
        'data-testid="audit-log"',
        "moderate.js",
    ):
        assert hook in html
    anonymous = await other_browser.get(f"/moderate/{room.id}", allow_redirects=False)
    assert anonymous.status == 303 and anonymous.headers["Location"].startswith("/login?next=")
    await login(client, "host-b")
    assert (await client.get(f"/moderate/{room.id}")).status == 403
    watch = await (await client.get(f"/live/{room.id}")).text()
    for hook in ("chat-list", "chat-input", "chat-send", "viewer-count"):
        assert f'data-testid="{hook}"' in watch


async def test_the_audit_export_holds_every_entry_in_order(client: TestClient[Any, Any], room: Room) -> None:
    """More entries than one read batch (and than the old cap would allow per batch): all of
    them, oldest first, streamed."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert, select

    from live.keys import SERVICES
    from live.storage.moderation import AuditEntry
    from live.storage.places import Community

    db = client.app[SERVICES].db
    base = datetime(2026, 1, 1, tzinfo=UTC)
    async with db.transaction() as s:
        hexie = (await s.execute(select(Community.id).where(Community.slug == "hexie"))).scalar_one()
        await s.execute(
            insert(AuditEntry),
            [
                {
                    "community_id": hexie,
                    "session_id": int(room.id),
                    "actor_key": "u:1",
                    "actor_name": "网格员",
                    "action": "hide",
                    "target": str(n),
                    "reason": "=SUM(A1)" if n % 100 == 0 else f"第{n}条",
                    "at": base + timedelta(seconds=n),
                }
                for n in range(1203)
            ],
        )
    exported = await client.get("/api/audit.csv?community=hexie")  # the client is hexie's host
    assert exported.status == 200 and exported.headers.get("Transfer-Encoding") == "chunked"
    rows = list(csv.reader(io.StringIO((await exported.read()).decode("utf-8-sig"))))
    ids = [int(r[0]) for r in rows[1:]]
    assert len(ids) == 1203 and ids == sorted(ids)
    assert rows[1][-1] == "'=SUM(A1)"  # still no formula
