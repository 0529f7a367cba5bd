"""Guest identity is issued by the server only: a signed token in the guest cookie (or given to
cookie-less socket clients by ``GET /api/me``). A claimed public id, or any token the server did
not sign, starts a fresh identity — never someone else's. Real HTTP and Socket.IO clients."""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from tests.conftest import World, login
from tests.identity.conftest import Api
from tests.realtime.conftest import Connect, Peer, Room


async def test_me_issues_a_signed_guest_token_and_sets_it_as_the_cookie(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession
) -> None:
    first = await other_browser.get("/api/me")
    body = await first.json()
    assert body["user"] is None and body["guest"]
    assert first.cookies["rt_guest"].value == body["guest"]
    again = await (await other_browser.get("/api/me")).json()
    assert again["guest"] == body["guest"] and again["csrf"] == body["csrf"]
    # Signed in: no guest token.
    await login(client, "resident")
    assert (await (await client.get("/api/me")).json())["guest"] is None


async def test_a_claimed_public_id_gives_a_different_identity_and_a_ban_spares_the_victim(
    client: TestClient[Any, Any], connect: Connect, room: Room, staff: Peer
) -> None:
    # The victim: a cookie-less client using the token /api/me issued to it.
    async with aiohttp.ClientSession(base_url=str(client.make_url("/"))) as http:
        token = (await (await http.get("/api/me")).json())["guest"]
    victim = await connect(name="王阿姨", token=token)
    victim_id = (await victim.call("join", {"session": room.id}))["you"]["id"]
    said = (await victim.chat(room.id, "楼道灯坏了"))["message"]
    assert said["author"]["id"] == victim_id
    assert victim_id.startswith("g:") and victim_id[2:] not in token

    # The same token again is the same person (a second tab).
    tab = await connect(name="王阿姨", token=token)
    assert (await tab.call("join", {"session": room.id}))["you"]["id"] == victim_id

    # The attacker claims the victim's public id, in every form, or forges a token.
    claims = [victim_id, victim_id[2:], f"{victim_id[2:]}.{'0' * 32}", token.split(".")[0], token + "x"]
    attackers = []
    for claim in claims:
        attacker = await connect(name="王阿姨", token=claim)
        you = (await attacker.call("join", {"session": room.id}))["you"]["id"]
        assert you != victim_id
        attackers.append((attacker, you))
    attacker, attacker_id = attackers[0]
    abuse = (await attacker.chat(room.id, "骂人的话"))["message"]
    assert abuse["author"]["id"] == attacker_id

    # Banning the attacker hides their message, disconnects them, and leaves the victim alone.
    assert await staff.call("moderate", {"session": room.id, "action": "ban", "user": attacker_id}) == {
        "ok": True
    }
    await victim.wait_for("hide", lambda h: h["message"] == abuse["id"])
    await attacker.disconnected.wait()
    assert victim.sio.connected
    assert (await victim.chat(room.id, "我还能说话"))["ok"]
    history = (await victim.call("join", {"session": room.id}))["history"]
    assert said["id"] in [m["id"] for m in history]


async def test_the_socket_token_is_the_same_guest_as_the_cookie(
    client: TestClient[Any, Any], connect: Connect, room: Room, other_browser: aiohttp.ClientSession
) -> None:
    me = await (await other_browser.get("/api/me")).json()
    guest = Api(other_browser, me["csrf"])
    made = await guest.post("/api/opinions", {"community": "hexie", "text": "垃圾桶不够"}, expect=201)
    peer = await connect(name="李叔", token=me["guest"])
    you = (await peer.call("join", {"session": room.id}))["you"]["id"]
    mod = Api(client, await login(client, "mod-a"))
    assert (await mod.get(f"/api/opinions/{made['id']}"))["author"]["id"] == you
