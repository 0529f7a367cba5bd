"""Chat persistence: group commits (with a per-message fallback), resent nonces, slow mode
atomic with the insert, and the cached rules invalidated across processes (through Redis)."""

from __future__ import annotations

import asyncio
import os
import uuid
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from live.app import create_app
from live.clock import FakeClock
from live.keys import SERVICES
from live.services.chat_rules import CHAT_RULES
from live.services.chat_writer import GroupWriter, SlowModeRefused
from live.settings import Settings
from live.storage.chat import Message
from live.storage.db import Database
from tests.conftest import guest_key
from tests.realtime.conftest import Connect, Peer, Room, open_peer

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def joined(connect: Connect, room: Room, **kw: Any) -> Peer:
    peer = await connect(**kw)
    ack = await peer.call("join", {"session": room.id})
    assert ack["ok"], ack
    return peer


async def rows(db: Database, session_id: str) -> int:
    async with db.read() as s:
        count = await s.scalar(select(func.count()).where(Message.session_id == int(session_id)))
    return int(count or 0)


async def test_a_resent_nonce_returns_the_first_message_and_is_broadcast_once(
    client: TestClient[Any, Any], connect: Connect, room: Room, clock: FakeClock
) -> None:
    db = client.app[SERVICES].db
    watcher = await joined(connect, room, name="李叔叔", guest="guest-watcher-1")
    tab1 = await joined(connect, room, name="王阿姨", guest="guest-alice-1")
    tab2 = await joined(connect, room, name="王阿姨", guest="guest-alice-1")
    first = await tab1.chat(room.id, "楼道灯坏了", nonce="n-1")
    again = await tab1.chat(room.id, "楼道灯坏了", nonce="n-1")  # resent after a timeout
    assert first["ok"] and again["ok"]
    assert again["message"] == first["message"]
    # two tabs resending at the same moment (same group or not): still one message
    both = await asyncio.gather(
        tab1.chat(room.id, "电梯又停了", nonce="n-2"), tab2.chat(room.id, "电梯又停了", nonce="n-2")
    )
    assert both[0]["ok"] and both[1]["ok"] and both[0]["message"]["id"] == both[1]["message"]["id"]
    # another person may use the same nonce
    other = await watcher.chat(room.id, "我也看到了", nonce="n-1")
    assert other["ok"] and other["message"]["id"] != first["message"]["id"]
    await watcher.wait_for("chat", lambda m: m["id"] == other["message"]["id"])
    ids = [m["id"] for m in watcher.received("chat")]
    assert ids.count(first["message"]["id"]) == 1 and ids.count(both[0]["message"]["id"]) == 1
    assert await rows(db, room.id) == 3
    # after five minutes the same nonce is a new message
    clock.advance(301)
    later = await tab1.chat(room.id, "灯还是没修", nonce="n-1")
    assert later["ok"] and later["message"]["id"] != first["message"]["id"]
    assert await rows(db, room.id) == 4


async def test_two_tabs_of_one_person_cannot_both_pass_slow_mode(
    connect: Connect, room: Room, staff: Peer, clock: FakeClock
) -> None:
    assert (await staff.call("moderate", {"session": room.id, "action": "slow_mode", "seconds": 30}))["ok"]
    tabs = [await joined(connect, room, name="王阿姨", guest="guest-alice-1") for _ in range(3)]
    for round_ in range(3):
        acks = await asyncio.gather(*(tab.chat(room.id, f"第{round_}轮 {i}") for i, tab in enumerate(tabs)))
        assert sorted(bool(a["ok"]) for a in acks) == [False, False, True], acks
        assert {a["error"] for a in acks if not a["ok"]} == {"slow_mode"}
        clock.advance(31)


async def test_a_bad_row_fails_alone_when_its_group_falls_back(
    client: TestClient[Any, Any], room: Room, clock: FakeClock
) -> None:
    db = client.app[SERVICES].db
    writer = GroupWriter(db, clock)

    def message(session_id: int, text: str, author: str = "g:guest-x") -> Message:
        return Message(
            session_id=session_id,
            community_id=1,
            author_key=author,
            author_name="居民",
            author_role="guest",
            text=text,
            nonce=None,
            created_at=clock.now(),
            offset_ms=0,
            status="visible",
        )

    good = int(room.id)
    results = await asyncio.gather(
        writer.write(message(good, "一")),
        writer.write(message(10**9, "没有这个直播")),  # foreign key fails
        writer.write(message(good, "三")),
        return_exceptions=True,
    )
    await writer.close()
    assert writer.fallbacks == 1  # they were one group, then one by one
    assert isinstance(results[1], Exception)
    assert not isinstance(results[0], BaseException) and not isinstance(results[2], BaseException)
    async with db.read() as s:
        texts = list(
            (
                await s.execute(select(Message.text).where(Message.session_id == good).order_by(Message.id))
            ).scalars()
        )
    assert texts == ["一", "三"]
    assert results[0].message.id < results[2].message.id


async def test_a_group_is_one_transaction_and_keeps_slow_mode_per_person(
    client: TestClient[Any, Any], room: Room, clock: FakeClock
) -> None:
    writer = GroupWriter(client.app[SERVICES].db, clock)

    def message(author: str, text: str) -> Message:
        return Message(
            session_id=int(room.id),
            community_id=1,
            author_key=author,
            author_name="居民",
            author_role="guest",
            text=text,
            created_at=clock.now(),
            offset_ms=0,
            status="visible",
        )

    results = await asyncio.gather(
        *(writer.write(message(f"g:guest-{i % 5}", f"第{i}条"), slow_mode_s=10) for i in range(20)),
        return_exceptions=True,
    )
    await writer.close()
    assert writer.groups == 1
    assert sum(not isinstance(r, BaseException) for r in results) == 5
    assert all(isinstance(r, SlowModeRefused) for r in results[5:])


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, redis_url=REDIS_URL, redis_prefix=f"rt-test-{uuid.uuid4().hex[:10]}")


async def test_moderation_in_one_process_applies_at_once_in_the_other(
    aiohttp_client: Any,
    client: TestClient[Any, Any],
    settings: Settings,
    clock: FakeClock,
    room: Room,
    staff: Peer,
) -> None:
    other = await aiohttp_client(create_app(settings, clock=clock))
    rules = other.app[SERVICES].chat.rules
    community = (await client.app[SERVICES].rooms.get(int(room.id))).community_id
    arrived = asyncio.Event()

    async def seen(_payload: dict[str, Any]) -> None:
        arrived.set()  # runs after the cache's own handler has dropped the entry

    rules.signals.on(CHAT_RULES, seen)

    async def moderate(action: str, **kw: Any) -> None:
        arrived.clear()
        assert (await staff.call("moderate", {"session": room.id, "action": action, **kw}))["ok"]
        await asyncio.wait_for(arrived.wait(), 10)  # the signal reached the other process

    alice = await open_peer(str(other.make_url("")).rstrip("/"), name="王阿姨", guest="guest-alice-1")
    try:
        assert (await alice.call("join", {"session": room.id}))["ok"]
        assert (await alice.chat(room.id, "第一条"))["ok"]  # the other process caches the rules
        loads = rules.loads
        assert (await alice.chat(room.id, "第二条"))["ok"]
        assert rules.loads == loads  # served from the cache

        await moderate("mute", user=guest_key("guest-alice-1"), seconds=60)
        assert community not in rules._sanctions
        assert (await alice.chat(room.id, "被禁言了"))["error"] == "muted"
        await moderate("unmute", user=guest_key("guest-alice-1"))
        assert (await alice.chat(room.id, "又能说话了"))["ok"]
        await moderate("close_chat")
        assert (await alice.chat(room.id, "关了吗"))["error"] == "chat_closed"
        await moderate("open_chat")
        assert (await alice.chat(room.id, "开了"))["ok"]
        await moderate("slow_mode", seconds=30)
        assert (await alice.chat(room.id, "慢一点"))["error"] == "slow_mode"
    finally:
        if alice.sio.connected:
            await alice.sio.disconnect()
