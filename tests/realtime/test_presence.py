"""Viewer counting: distinct people across tabs, peak, unique, samples; session status events."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from live.keys import SERVICES
from tests.realtime.conftest import Connect, Room


async def test_tabs_of_one_person_count_once_and_peak_and_unique_hold(
    client: TestClient[Any, Any], connect: Connect, room: Room
) -> None:
    tab1 = await connect(name="王阿姨", guest="guest-alice-1")
    tab2 = await connect(name="王阿姨", guest="guest-alice-1")
    bob = await connect(name="李叔", guest="guest-bob-01")
    assert (await tab1.call("join", {"session": room.id}))["viewers"] == {
        "current": 1,
        "peak": 1,
        "unique": 1,
    }
    assert (await tab2.call("join", {"session": room.id}))["viewers"] == {
        "current": 1,
        "peak": 1,
        "unique": 1,
    }
    assert (await tab2.call("join", {"session": room.id}))["viewers"][
        "current"
    ] == 1  # joining twice is harmless
    before_bob = tab1.mark()  # a viewers event sent while alice was alone must not count below
    assert (await bob.call("join", {"session": room.id}))["viewers"] == {"current": 2, "peak": 2, "unique": 2}
    seen = await tab1.wait_for("viewers", lambda v: v["current"] == 2, after=before_bob)
    assert seen == {"session": room.id, "current": 2, "peak": 2, "unique": 2}
    stats = (await (await client.get(f"/api/sessions/{room.id}")).json())["stats"]
    assert (stats["current_viewers"], stats["peak_viewers"], stats["unique_viewers"]) == (2, 2, 2)

    await tab2.sio.disconnect()  # alice still has tab1 open
    assert (await client.app[SERVICES].presence.counts(int(room.id))).current == 2
    before_leave = tab1.mark()
    assert (await bob.call("leave", {"session": room.id}))["ok"]
    after = await tab1.wait_for("viewers", lambda v: v["current"] == 1, after=before_leave)
    assert after == {"session": room.id, "current": 1, "peak": 2, "unique": 2}
    await bob.sio.disconnect()
    await tab1.sio.disconnect()
    stats = (await (await client.get(f"/api/sessions/{room.id}")).json())["stats"]
    assert (stats["current_viewers"], stats["peak_viewers"], stats["unique_viewers"]) == (0, 2, 2)
    again = await connect(name="李叔", guest="guest-bob-01")
    assert (await again.call("join", {"session": room.id}))["viewers"] == {
        "current": 1,
        "peak": 2,
        "unique": 2,
    }


async def test_viewer_samples_are_stored_and_listed(
    client: TestClient[Any, Any], connect: Connect, room: Room
) -> None:
    presence = client.app[SERVICES].presence
    assert await presence.sample() == 1
    alice = await connect(name="王阿姨", guest="guest-alice-1")
    await alice.call("join", {"session": room.id})
    assert await presence.sample() == 1
    samples = await (await client.get(f"/api/sessions/{room.id}/viewers")).json()
    assert [s["viewers"] for s in samples] == [0, 1]
    assert samples[0]["t"].endswith("+00:00")


async def test_session_start_and_end_reach_the_room(
    client: TestClient[Any, Any], connect: Connect, room: Room
) -> None:
    alice = await connect(name="王阿姨", guest="guest-alice-1")
    await alice.call("join", {"session": room.id})
    ended = await client.post(f"/api/sessions/{room.id}/end", headers={"X-CSRF-Token": room.host_csrf})
    assert ended.status == 200
    assert await alice.wait_for("session") == {"id": room.id, "status": "ended"}
    assert (await alice.chat(room.id, "结束了吗"))["error"] == "chat_closed"


async def test_allowed_origins_setting_admits_a_listed_origin() -> None:
    from live.realtime.server import origin_checker
    from live.settings import Settings

    check = origin_checker(Settings(allowed_origins=("https://weixin.example",)))
    environ = {"HTTP_HOST": "live.example", "wsgi.url_scheme": "https"}
    assert check("https://weixin.example", environ)
    assert check("https://live.example", environ)
    assert check(None, environ)
    assert not check("https://evil.example", environ)
    assert not check("http://live.example", environ)


async def test_watching_a_replay_does_not_change_the_broadcasts_numbers(
    client: TestClient[Any, Any], connect: Connect, room: Room
) -> None:
    alice = await connect(name="王阿姨", guest="guest-alice-1")
    assert (await alice.call("join", {"session": room.id}))["viewers"]["unique"] == 1
    await alice.sio.disconnect()
    ended = await client.post(f"/api/sessions/{room.id}/end", headers={"X-CSRF-Token": room.host_csrf})
    assert ended.status == 200
    later = await connect(name="李叔", guest="guest-bob-01")
    ack = await later.call("join", {"session": room.id})
    assert ack["ok"] and ack["status"] == "ended"
    assert ack["viewers"] == {"current": 0, "peak": 1, "unique": 1}
    stats = (await (await client.get(f"/api/sessions/{room.id}")).json())["stats"]
    assert (stats["current_viewers"], stats["peak_viewers"], stats["unique_viewers"]) == (0, 1, 1)


async def test_presence_keeps_only_the_people_present_now(
    client: TestClient[Any, Any], connect: Connect, room: Room
) -> None:
    """A long-running process does not remember every person who ever came (soak: flat memory),
    and someone coming back is still counted once in ``unique``."""
    presence = client.app[SERVICES].presence
    session_id = int(room.id)
    for n in range(40):
        await presence.join(session_id, f"g:guest-{n:04d}")
        await presence.leave(session_id, f"g:guest-{n:04d}")
    await presence.join(session_id, "g:guest-0001")  # back again: not a new unique viewer
    counts = await presence.counts(session_id)
    assert (counts.current, counts.unique) == (1, 40)
    await presence.leave(session_id, "g:guest-0001")
    await presence.changes()
    held = len(presence._local) + sum(len(p) for p in presence._local.values()) + len(presence._last_sent)
    assert held == 0
