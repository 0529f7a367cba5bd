"""The socket side of opinions with real socket.io clients: raise, see live, "me too", showcase."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import World, guest_key
from tests.opinions.conftest import Api
from tests.realtime.conftest import Connect, Room, session_cookie


async def test_opinion_event_reaches_moderators_and_viewers(
    client: TestClient[Any, Any],
    world: World,
    connect: Connect,
    room: Room,
    staff: Any,
) -> None:
    viewer = await connect(name="王阿姨", guest="guest-wang")
    assert (await viewer.call("join", {"session": room.id}))["ok"]
    ack = await viewer.call(
        "opinion",
        {"session": room.id, "text": "2号楼门口路灯不亮", "category": "facilities", "location": "2号楼"},
    )
    assert ack["ok"], ack
    opinion = ack["opinion"]
    assert opinion["text"] == "2号楼门口路灯不亮" and opinion["session"] == room.id
    assert opinion["status"] == "new" and opinion["supporters"] == 1 and opinion["offset_ms"] is not None
    assert "contact" not in opinion
    seen = await staff.wait_for("opinion", lambda o: o["id"] == opinion["id"])
    assert seen["author"]["id"] == guest_key("guest-wang") and seen["category"] == "facilities"
    public = await viewer.wait_for("session_opinion", lambda o: o["id"] == opinion["id"])
    assert "contact" not in public
    assert viewer.received("opinion") == []  # residents never get the staff feed
    # durable before the ack: it is in the database
    listed = await (await client.get(f"/api/opinions?session={room.id}")).json()
    assert [o["id"] for o in listed] == [opinion["id"]]
    # an HTTP "me too" reaches the room
    neighbour = Api(client, room.host_csrf)
    before = viewer.mark()
    assert (await neighbour.post(f"/api/opinions/{opinion['id']}/support"))["supporters"] == 2
    update = await viewer.wait_for("opinion_update", lambda u: u["id"] == opinion["id"], after=before)
    assert update["supporters"] == 2


async def test_opinion_event_bad_input(
    client: TestClient[Any, Any],
    world: World,
    connect: Connect,
    room: Room,
) -> None:
    viewer = await connect(name="王阿姨")
    for payload, code in [
        ({"session": room.id, "text": "  "}, "empty"),
        ({"session": room.id}, "empty"),
        ({"session": room.id, "text": "好" * 2001}, "too_long"),
        ({"session": room.id, "text": "x", "category": "weather"}, "bad_category"),
        ({"session": "nope", "text": "x"}, "invalid"),
        ({"session": "9999", "text": "x"}, "not_found"),
        ({"session": room.id, "text": "x", "location": 5}, "invalid"),
    ]:
        ack = await viewer.call("opinion", payload)
        assert ack["ok"] is False and ack["error"] == code, (payload, ack)
    assert (await viewer.call("opinion", "text"))["ok"] is False


async def test_showcase_is_host_only(
    client: TestClient[Any, Any],
    world: World,
    connect: Connect,
    room: Room,
) -> None:
    host = Api(client, room.host_csrf)
    item = await host.post("/api/agenda", {"community": "hexie", "title": "规划电动车停放区"}, expect=201)
    await host.patch(f"/api/agenda/{item['id']}", {"outcome": "已划定停放区并安装充电桩"})
    viewer = await connect(name="王阿姨")
    assert (await viewer.call("join", {"session": room.id}))["ok"]
    refused = await viewer.call("showcase", {"session": room.id, "item": item["id"]})
    assert refused == {**refused, "ok": False, "error": "unauthenticated"}
    mod = await connect(name=None, headers={"Cookie": await session_cookie(client, "mod-a")})
    assert (await mod.call("showcase", {"session": room.id, "item": item["id"]}))["error"] == "forbidden"
    host_peer = await connect(name=None, headers={"Cookie": await session_cookie(client, "host-a")})
    assert (await host_peer.call("showcase", {"session": room.id, "item": item["id"]}))["ok"]
    shown = await viewer.wait_for("showcase")
    assert (
        shown["item"]["title"] == "规划电动车停放区"
        and shown["item"]["outcome"] == "已划定停放区并安装充电桩"
    )
    # "you said, we did" carries the residents' ratings of the item (none yet)
    assert shown["item"]["ratings"] == {"satisfied": 0, "basically_satisfied": 0, "unsatisfied": 0}
    assert (await host_peer.call("showcase", {"session": room.id, "item": "9999"}))["error"] == "not_found"


async def test_to_opinion_keeps_the_message_and_reaches_moderators(
    client: TestClient[Any, Any], world: World, connect: Connect, room: Room, staff: Any
) -> None:
    viewer = await connect(name="李大爷", guest="guest-li")
    assert (await viewer.call("join", {"session": room.id}))["ok"]
    sent = await viewer.chat(room.id, "路灯坏了好几盏，晚上很黑", "n1")
    assert sent["ok"], sent
    message = sent["message"]
    ack = await staff.call("moderate", {"session": room.id, "action": "to_opinion", "message": message["id"]})
    assert ack["ok"], ack
    opinion = ack["opinion"]
    assert opinion["message"] == message["id"] and opinion["offset_ms"] == message["offset_ms"]
    assert opinion["source"] == "live_chat" and opinion["author"]["id"] == guest_key("guest-li")
    seen = await staff.wait_for("opinion", lambda o: o["id"] == opinion["id"])
    assert seen["text"] == "路灯坏了好几盏，晚上很黑"
    refused = await viewer.call(
        "moderate", {"session": room.id, "action": "to_opinion", "message": message["id"]}
    )
    assert refused["ok"] is False
