"""A sign-out ends the powers of that sign-in's open sockets at once, on every process; the same
person's other devices keep theirs. Real Socket.IO clients; two processes with Redis."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import socketio
from aiohttp.test_utils import TestClient

from tests.conftest import PASSWORD, World
from tests.realtime.conftest import Connect, Peer, Room, fanout, open_peer  # noqa: F401
from tests.realtime.test_scale_out import SECRET, Server, live_session, pg_url, servers  # noqa: F401


async def sign_in(base: str, username: str) -> tuple[str, str]:
    """A fresh sign-in: (the Cookie header a socket sends, its CSRF token)."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        csrf = (await (await http.get(base + "/api/me")).json())["csrf"]
        response = await http.post(
            base + "/api/auth/login",
            json={"username": username, "password": PASSWORD},
            headers={"X-CSRF-Token": csrf},
        )
        assert response.status == 200, await response.text()
        return f"rt_session={response.cookies['rt_session'].value}", (await response.json())["csrf"]


async def sign_out(base: str, cookie: str, csrf: str) -> None:
    async with aiohttp.ClientSession() as http:
        response = await http.post(
            base + "/api/auth/logout", headers={"Cookie": cookie, "X-CSRF-Token": csrf}
        )
        assert response.status == 204


async def test_a_moderators_socket_loses_its_powers_on_logout(
    client: TestClient[Any, Any], world: World, connect: Connect, room: Room
) -> None:
    base = str(client.make_url("")).rstrip("/")
    cookie, csrf = await sign_in(base, "mod-a")
    other_cookie, _ = await sign_in(base, "mod-a")  # the same moderator on a second device
    mod = await connect(name=None, headers={"Cookie": cookie})
    phone = await connect(name=None, headers={"Cookie": other_cookie})
    for peer in (mod, phone):
        assert (await peer.call("join", {"session": room.id}))["you"]["role"] == "moderator"
    viewer = await connect(name="王阿姨")
    assert (await viewer.call("join", {"session": room.id}))["ok"]
    message = (await viewer.chat(room.id, "大家好"))["message"]

    await sign_out(base, cookie, csrf)
    # At once: the very next privileged action is refused, whatever the signal's timing.
    hide = {"session": room.id, "action": "hide", "message": message["id"]}
    try:
        refused = await mod.call("moderate", hide)
    except (socketio.exceptions.SocketIOError, ConnectionError):
        refused = None  # already disconnected by the sign-out's signal
    assert refused is None or refused["ok"] is False
    assert await mod.wait_for("reload") == {}
    await asyncio.wait_for(mod.disconnected.wait(), 10)
    history = (await viewer.call("join", {"session": room.id}))["history"]
    assert message["id"] in [m["id"] for m in history]
    # The other device keeps its sign-in and its powers.
    assert phone.sio.connected and "reload" not in phone.events
    assert await phone.call("moderate", hide) == {"ok": True}


async def test_logout_reaches_sockets_on_the_other_process(servers: list[Server]) -> None:  # noqa: F811
    a, b = servers
    session_id, _ = (await live_session(a.url)).split("|")
    cookie, csrf = await sign_in(a.url, "host-a")
    peers: list[Peer] = []
    try:
        host_on_b = await open_peer(b.url, name=None, secret=SECRET, headers={"Cookie": cookie})
        peers.append(host_on_b)
        assert (await host_on_b.call("join", {"session": session_id}))["you"]["role"] == "host"
        await sign_out(a.url, cookie, csrf)
        assert await host_on_b.wait_for("reload") == {}
        await asyncio.wait_for(host_on_b.disconnected.wait(), 10)
        again = await open_peer(b.url, name="访客", secret=SECRET, headers={"Cookie": cookie})
        peers.append(again)
        ack = await again.call("join", {"session": session_id})
        assert ack["you"]["role"] == "guest"
        closing = await again.call("moderate", {"session": session_id, "action": "close_chat"})
        assert closing["ok"] is False
    finally:
        for peer in peers:
            if peer.sio.connected:
                await peer.sio.disconnect()
