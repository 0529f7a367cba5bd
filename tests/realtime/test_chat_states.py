"""What a page needs to show the chat's states: how long a mute lasts (in the refusal and in the
join), and a held message refused by a moderator reaching its author as a ``hide``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from live.clock import FakeClock
from tests.conftest import guest_key
from tests.realtime.conftest import Connect, Peer, Room


async def moderate(peer: Peer, room: Room, action: str, **kw: Any) -> Any:
    return await peer.call("moderate", {"session": room.id, "action": action, **kw})


async def test_a_mute_says_how_long_it_lasts(
    connect: Connect, room: Room, staff: Peer, clock: FakeClock
) -> None:
    alice = await connect(name="王阿姨", guest="guest-alice-1")
    assert (await alice.call("join", {"session": room.id}))["muted"] is None
    assert (await moderate(staff, room, "mute", user=guest_key("guest-alice-1"), seconds=600))["ok"]
    refused = await alice.chat(room.id, "我被禁言了吗")
    assert refused["error"] == "muted" and refused["seconds"] == 600
    assert datetime.fromisoformat(refused["until"]) == clock.now() + timedelta(seconds=600)
    clock.advance(59.5)
    again = await alice.call("join", {"session": room.id})  # a reload: the page knows at once
    assert again["ok"] and again["muted"]["seconds"] == 541
    assert (await staff.call("join", {"session": room.id}))["muted"] is None


async def test_a_refused_held_message_reaches_its_author(
    connect: Connect, room: Room, staff: Peer, client: Any
) -> None:
    from live.keys import SERVICES

    await client.app[SERVICES].words.add(["代开发票"])
    alice = await connect(name="王阿姨", guest="guest-alice-1")
    assert (await alice.call("join", {"session": room.id}))["ok"]
    for action in ("hide", "delete"):
        posted = await alice.chat(room.id, f"代开发票 {action}")
        assert posted["message"]["status"] == "held"
        mark = alice.mark()
        assert (await moderate(staff, room, action, message=posted["message"]["id"]))["ok"]
        await alice.wait_for("hide", lambda h, i=posted["message"]["id"]: h["message"] == i, after=mark)
