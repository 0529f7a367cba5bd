"""Addresses: with ``LIVE_TRUST_PROXY=N`` the client address is the N-th X-Forwarded-For entry from
the right, so an entry the client wrote never changes it; limits, mutes and bans hold on the
address as well as on the person, so a fresh identity resets nothing. Real HTTP and sockets."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from live.http.auth import forwarded_address
from live.keys import SERVICES
from live.services.accounts import UNKNOWN_NAMES_PER_ADDRESS
from live.settings import Settings, proxy_hops
from tests.conftest import World, guest_key
from tests.identity.conftest import Api, signed_in
from tests.realtime.conftest import Connect, Peer, Room

PROXY_SAW = "198.51.100.20"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """One trusted proxy in front, as in docs/deploy.md."""
    return replace(settings, trust_proxy=1)


def spoofed(i: int, real: str = PROXY_SAW) -> dict[str, str]:
    """A client that writes its own X-Forwarded-For entry; the proxy appends what it saw."""
    return {"X-Forwarded-For": f"10.{i % 250}.{i // 250}.1, 127.0.0.1, {real}"}


def test_the_address_is_counted_from_the_right() -> None:
    assert forwarded_address("1.2.3.4, 5.6.7.8", 1, "127.0.0.1") == "5.6.7.8"
    assert forwarded_address("1.2.3.4, 5.6.7.8", 2, "127.0.0.1") == "1.2.3.4"
    assert forwarded_address("5.6.7.8", 2, "127.0.0.1") == "127.0.0.1"
    assert forwarded_address("1.2.3.4, not-an-ip", 1, "127.0.0.1") == "127.0.0.1"
    assert forwarded_address("1.2.3.4", 0, "127.0.0.1") == "127.0.0.1"
    assert forwarded_address("", 1, "127.0.0.1") == "127.0.0.1"
    assert forwarded_address(" 2001:db8::1 ", 1, None) == "2001:db8::1"
    assert [proxy_hops(v) for v in ("", "0", "off", "1", "on", "true", "yes", "2")] == [
        0,
        0,
        0,
        1,
        1,
        1,
        1,
        2,
    ]
    with pytest.raises(ValueError):
        proxy_hops("lots")
    assert Settings.from_env({"LIVE_TRUST_PROXY": "2"}).trust_proxy == 2


async def test_spoofed_entries_do_not_escape_the_login_throttle(
    client: TestClient[Any, Any], world: World
) -> None:
    csrf = (await (await client.get("/api/me")).json())["csrf"]
    statuses = []
    for i in range(30):
        response = await client.post(
            "/api/auth/login",
            json={"username": "resident", "password": "wrong-password"},
            headers={"X-CSRF-Token": csrf, **spoofed(i)},
        )
        statuses.append(response.status)
    assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}
    right = await client.post(
        "/api/auth/login",
        json={"username": "resident", "password": World.password},
        headers={"X-CSRF-Token": csrf, **spoofed(99)},
    )
    assert right.status == 429
    # Unknown usernames from one address are throttled too, whatever the name, but with room
    # for the mistyped names of the many people behind one NAT.
    other = "198.51.100.21"
    for i in range(10 * UNKNOWN_NAMES_PER_ADDRESS):
        unknown = await client.post(
            "/api/auth/login",
            json={"username": f"nobody-{i}", "password": "x"},
            headers={"X-CSRF-Token": csrf, **spoofed(i, other)},
        )
        assert unknown.status == 401
        if i == 10:
            # A known resident behind the same address still signs in after ten mistyped names.
            known = await client.post(
                "/api/auth/login",
                json={"username": "mod-a", "password": World.password},
                headers={"X-CSRF-Token": csrf, **spoofed(0, other)},
            )
            assert known.status == 200
            csrf = (await known.json())["csrf"]
    refused = await client.post(
        "/api/auth/login",
        json={"username": "mod-a", "password": World.password},
        headers={"X-CSRF-Token": csrf, **spoofed(0, other)},
    )
    assert refused.status == 429 and (await refused.json())["error"] == "too_many_attempts"
    fine = await client.post(
        "/api/auth/login",
        json={"username": "mod-a", "password": World.password},
        headers={"X-CSRF-Token": csrf, "X-Forwarded-For": "198.51.100.22"},
    )
    assert fine.status == 200


async def test_metrics_look_at_the_real_address(client: TestClient[Any, Any]) -> None:
    assert (await client.get("/metrics")).status == 200
    assert (await client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1, 203.0.113.9"})).status == 403
    assert (await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9, 127.0.0.1"})).status == 200


async def test_a_ban_and_a_mute_hold_on_the_address_whatever_the_spoofed_entries(
    connect: Connect, room: Room, staff: Peer
) -> None:
    spammer = await connect(name="卖房的", guest="guest-spam-1", headers={"X-Forwarded-For": "203.0.113.50"})
    assert (await spammer.call("join", {"session": room.id}))["ok"]
    assert (await spammer.chat(room.id, "低价卖房"))["ok"]
    ban = {"session": room.id, "action": "ban", "user": guest_key("guest-spam-1")}
    assert await staff.call("moderate", ban) == {"ok": True}
    await spammer.disconnected.wait()
    fresh = await connect(name="新号", headers={"X-Forwarded-For": "8.8.8.8, 127.0.0.1, 203.0.113.50"})
    assert (await fresh.call("join", {"session": room.id}))["error"] == "banned"

    talker = await connect(name="吵架的", guest="guest-loud-1", headers={"X-Forwarded-For": "203.0.113.60"})
    assert (await talker.call("join", {"session": room.id}))["ok"]
    assert (await talker.chat(room.id, "吵"))["ok"]
    mute = {"session": room.id, "action": "mute", "user": guest_key("guest-loud-1"), "seconds": 600}
    assert await staff.call("moderate", mute) == {"ok": True}
    again = await connect(name="换个名字", headers={"X-Forwarded-For": "127.0.0.1, 203.0.113.60"})
    assert (await again.call("join", {"session": room.id}))["ok"]
    assert (await again.chat(room.id, "我又来了"))["error"] == "muted"
    # Someone else (another address) is not muted.
    neighbour = await connect(name="王阿姨", headers={"X-Forwarded-For": "203.0.113.61"})
    assert (await neighbour.call("join", {"session": room.id}))["ok"]
    assert (await neighbour.chat(room.id, "大家好"))["ok"]


async def test_fresh_identities_from_one_address_share_one_chat_budget(connect: Connect, room: Room) -> None:
    errors = []
    for i in range(30):
        peer = await connect(name=f"居民{i}", headers={"X-Forwarded-For": "203.0.113.70"})
        assert (await peer.call("join", {"session": room.id}))["ok"]
        errors.append((await peer.chat(room.id, f"第{i}条")).get("error"))
        await peer.sio.disconnect()
    assert "rate_limited" in errors[:-1]


async def test_fresh_cookies_from_one_address_cannot_raise_the_verified_count(
    client: TestClient[Any, Any], world: World, units: dict[str, str]
) -> None:
    services = client.app[SERVICES]
    base = str(client.make_url("/"))
    address = {"X-Forwarded-For": "203.0.113.80"}

    async def fresh() -> tuple[aiohttp.ClientSession, Api]:
        session = aiohttp.ClientSession(
            base_url=base, cookie_jar=aiohttp.CookieJar(unsafe=True), headers=address
        )
        me = await (await session.get("/api/me")).json()
        return session, Api(session, me["csrf"])

    author_session, author = await fresh()
    made = await author.post("/api/opinions", {"community": "hexie", "text": "电梯坏了"}, expect=201)
    await author_session.close()
    answers = []
    for _ in range(15):
        session, guest = await fresh()
        answers.append(await guest.call("POST", f"/api/opinions/{made['id']}/support"))
        await session.close()
    counted = [a for a in answers if "supporters" in a]
    refused = [a for a in answers if a.get("error") == "rate_limited"]
    assert len(counted) == services.settings.unverified_supports_per_hour == 10
    assert len(refused) == 5
    assert counted[-1] == {"supporters": 11, "verified_households": 0, "opinion": made["id"]}

    # Opinions from fresh cookies of one address share one budget as well.
    statuses = []
    for i in range(12):
        session, guest = await fresh()
        statuses.append(
            (
                await session.post(
                    "/api/opinions",
                    json={"community": "hexie", "text": f"意见{i}"},
                    headers={"X-CSRF-Token": guest.csrf},
                )
            ).status
        )
        await session.close()
    assert 429 in statuses

    # A verified resident from the same address still counts: a household more.
    mod = await signed_in(client, "mod-a")
    resident_id = next(u.id for u in await services.accounts.list_users() if u.username == "resident")
    await mod.post(
        "/api/households/verify", {"user": str(resident_id), "unit": units["hexie"], "room": "101"}
    )
    session = aiohttp.ClientSession(base_url=base, cookie_jar=aiohttp.CookieJar(unsafe=True), headers=address)
    try:
        resident = await signed_in(session, "resident")
        counted_one = await resident.post(f"/api/opinions/{made['id']}/support")
    finally:
        await session.close()
    assert counted_one == {"supporters": 12, "verified_households": 1, "opinion": made["id"]}
