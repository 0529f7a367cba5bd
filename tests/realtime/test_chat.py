"""Chat over real Socket.IO clients: the shapes of CONTRACT.md section 4, persistence, errors."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from live.keys import SERVICES
from live.storage.chat import Message
from tests.conftest import guest_key
from tests.realtime.conftest import Connect, Room


async def test_join_answers_history_viewers_and_you(connect: Connect, room: Room) -> None:
    alice = await connect(name="王阿姨", guest="guest-alice-1")
    ack = await alice.call("join", {"session": room.id})
    assert ack["ok"] is True
    assert ack["history"] == []
    assert ack["viewers"] == {"current": 1, "peak": 1, "unique": 1}
    assert ack["you"] == {"id": guest_key("guest-alice-1"), "name": "王阿姨", "role": "guest"}


async def test_message_is_committed_before_the_ack_and_reaches_everyone(
    client: TestClient[Any, Any], connect: Connect, room: Room
) -> None:
    alice = await connect(name="王阿姨", guest="guest-alice-1")
    bob = await connect(name="李叔", guest="guest-bob-01")
    for peer in (alice, bob):
        assert (await peer.call("join", {"session": room.id}))["ok"]
    ack = await alice.chat(room.id, "  停车位太少了，晚上回来没地方停  ", nonce="n-1")
    assert ack["ok"] is True
    message = ack["message"]
    async with client.app[SERVICES].db.read() as s:
        row = await s.get(Message, int(message["id"]))
    assert row is not None and row.text == "停车位太少了，晚上回来没地方停"
    assert set(message) == {"id", "session", "author", "text", "nonce", "ts", "offset_ms", "status"}
    assert message["session"] == room.id and message["nonce"] == "n-1" and message["status"] == "visible"
    assert message["author"] == {"id": guest_key("guest-alice-1"), "name": "王阿姨", "role": "guest"}
    assert isinstance(message["ts"], int) and isinstance(message["offset_ms"], int)
    got = await bob.wait_for("chat", lambda m: m["id"] == message["id"])
    assert got["text"] == "停车位太少了，晚上回来没地方停"
    await alice.wait_for("chat", lambda m: m["id"] == message["id"])
    carol = await connect(name="赵大爷", guest="guest-carol-1")
    history = (await carol.call("join", {"session": room.id}))["history"]
    assert [m["id"] for m in history] == [message["id"]]


async def test_every_input_error_has_its_code(connect: Connect, room: Room) -> None:
    alice = await connect(name="王阿姨", guest="guest-alice-1")
    assert (await alice.chat(room.id, "还没加入"))["error"] == "not_joined"
    assert (await alice.call("join", {"session": "999999"}))["error"] == "not_found"
    assert (await alice.call("join", {"session": "abc"}))["error"] == "invalid"
    assert (await alice.call("join", "not an object"))["error"] == "bad_request"
    assert (await alice.call("join", {"session": room.id}))["ok"]
    empty = await alice.chat(room.id, "   \n ")
    assert empty["ok"] is False and empty["error"] == "empty" and empty["detail"]
    assert (await alice.call("chat", {"session": room.id, "text": 42}))["error"] == "empty"
    assert (await alice.chat(room.id, "长" * 501))["error"] == "too_long"
    assert (await alice.chat(room.id, "长" * 500))["ok"] is True
    assert (await alice.call("chat", {"session": room.id, "text": "hi", "nonce": "x" * 65}))[
        "error"
    ] == "bad_nonce"
    assert (await alice.call("moderate", {"session": room.id, "action": "hide", "message": "1"}))[
        "error"
    ] == ("forbidden")


async def test_thirty_quick_messages_are_rate_limited_before_the_last(connect: Connect, room: Room) -> None:
    alice = await connect(name="刷屏的人", guest="guest-spammer")
    assert (await alice.call("join", {"session": room.id}))["ok"]
    acks = [await alice.chat(room.id, f"第{i}条") for i in range(30)]
    errors = [a.get("error") for a in acks]
    assert errors[0] is None
    assert "rate_limited" in errors[:-1]
    first_refused = errors.index("rate_limited")
    assert all(a["ok"] for a in acks[:first_refused])


async def test_a_bad_display_name_is_refused_at_connect(client: TestClient[Any, Any], room: Room) -> None:
    import socketio

    from tests.realtime.conftest import open_peer

    url = str(client.make_url("")).rstrip("/")
    for bad in ("管理员小王", "x" * 25, "a\u0007b"):
        try:
            peer = await open_peer(url, name=bad)
        except socketio.exceptions.ConnectionError:
            continue
        await peer.sio.disconnect()
        raise AssertionError(f"{bad!r} was accepted")


async def test_polling_fallback_works_with_a_guest_cookie(client: TestClient[Any, Any], room: Room) -> None:
    from live.services.guests import sign_guest
    from tests.realtime.conftest import open_peer

    url = str(client.make_url("")).rstrip("/")
    cookie = f"rt_guest={sign_guest('test-secret', 'cookie-guest-1')}"
    peer = await open_peer(url, name="用轮询的人", transports=["polling"], headers={"Cookie": cookie})
    try:
        ack = await peer.call("join", {"session": room.id})
        assert ack["you"]["id"] == guest_key("cookie-guest-1")
        sent = await peer.chat(room.id, "轮询也能发")
        assert sent["ok"]
        await peer.wait_for("chat", lambda m: m["id"] == sent["message"]["id"])
    finally:
        # a graceful polling disconnect waits out the pending long-poll (the ping interval)
        await peer.sio.eio.disconnect(abort=True)


async def test_other_origins_are_refused_unless_allowed(client: TestClient[Any, Any], room: Room) -> None:
    import socketio

    from tests.realtime.conftest import open_peer

    url = str(client.make_url("")).rstrip("/")
    same = await open_peer(url, headers={"Origin": url})
    await same.sio.disconnect()
    try:
        evil = await open_peer(url, headers={"Origin": "https://evil.example"})
    except socketio.exceptions.ConnectionError:
        pass
    else:
        await evil.sio.disconnect()
        raise AssertionError("a foreign origin was accepted")
