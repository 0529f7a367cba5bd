"""Two real server processes on one PostgreSQL database and one Redis: chat, presence, bans and
rate limits hold across them, and a killed process's viewers drop out of ``current``."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from live.clock import SystemClock
from live.events import EventBus
from live.services.accounts import Accounts
from live.services.places import Places
from live.services.throttle import MemoryFailureCounter
from live.storage.db import Database
from tests.conftest import PASSWORD, _truncate_all, guest_key
from tests.realtime.conftest import Peer, open_peer
from tests.waiting import eventually

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.slow]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TTL_S = 3
SECRET = "scale-out-secret"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]


@pytest.fixture
async def pg_url(request: pytest.FixtureRequest) -> str:
    if request.config.getoption("--no-postgres"):
        pytest.skip("the scale-out test needs PostgreSQL")
    url = str(request.getfixturevalue("pg_database"))
    await _truncate_all(url)
    db = Database.from_url(url)
    try:
        clock = SystemClock()
        places = Places(db)
        await places.add_community("hexie", "和谐社区")
        accounts = Accounts(db, clock, MemoryFailureCounter(clock), EventBus())
        await accounts.create_user("host-a", PASSWORD, "host", "hexie", "和谐书记")
    finally:
        await db.close()
    return url


@pytest.fixture
async def servers(pg_url: str, tmp_path: Path, fanout: str) -> AsyncIterator[list[Server]]:
    """Two ``python -m live serve`` processes sharing the database and a Redis prefix of their own."""
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "REDIS_URL": REDIS_URL,
        "LIVE_REDIS_PREFIX": f"rt-test-{uuid.uuid4().hex[:10]}",
        "LIVE_SECRET": SECRET,
        "LIVE_DATA_DIR": str(tmp_path / "data"),
        "LIVE_PRESENCE_TTL_S": str(TTL_S),
        "LIVE_VIEWER_SAMPLE_S": "1",
        "LIVE_TRUST_PROXY": "1",
        # the shared bucket must empty by count, not by how fast a busy machine sends: no refill
        "LIVE_CHAT_RATE": "0.01",
        "LIVE_FANOUT": fanout,
    }
    started: list[Server] = []
    for name in ("a", "b"):
        port = free_port()
        log = (tmp_path / f"server-{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: ASYNC220 - starting a server is quick
            [sys.executable, "-m", "live", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(Server(f"http://127.0.0.1:{port}", process))
    try:
        async with aiohttp.ClientSession() as http:
            for server in started:

                async def up(server: Server = server) -> bool:
                    assert server.process.poll() is None, (tmp_path / "server-a.log").read_text()
                    try:
                        return (await http.get(server.url + "/healthz")).status == 200
                    except aiohttp.ClientError:
                        return False

                await eventually(up, 120, every=0.1, what="the server to answer /healthz")
        yield started
    finally:
        for server in started:
            if server.process.poll() is None:
                server.process.terminate()
                try:
                    server.process.wait(10)
                except subprocess.TimeoutExpired:
                    server.process.kill()


async def live_session(url: str) -> str:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        csrf = (await (await http.get(url + "/api/me")).json())["csrf"]
        signed = await http.post(
            url + "/api/auth/login",
            json={"username": "host-a", "password": PASSWORD},
            headers={"X-CSRF-Token": csrf},
        )
        csrf = (await signed.json())["csrf"]
        created = await http.post(
            url + "/api/sessions",
            json={"community": "hexie", "title": "两台服务器"},
            headers={"X-CSRF-Token": csrf},
        )
        session_id = str((await created.json())["id"])
        await http.post(url + f"/api/sessions/{session_id}/start", headers={"X-CSRF-Token": csrf})
        token = signed.cookies["rt_session"].value
    return f"{session_id}|rt_session={token}"


async def current_viewers(url: str, session_id: str) -> int:
    async with aiohttp.ClientSession() as http:
        body = await (await http.get(f"{url}/api/sessions/{session_id}")).json()
    return int(body["stats"]["current_viewers"])


async def test_two_processes_share_chat_presence_bans_and_limits(servers: list[Server]) -> None:
    a, b = servers
    session_id, host_cookie = (await live_session(a.url)).split("|")
    peers: list[Peer] = []

    async def join(url: str, **kw: Any) -> Peer:
        peer = await open_peer(url, secret=SECRET, **kw)
        peers.append(peer)
        ack = await peer.call("join", {"session": session_id})
        assert ack["ok"], ack
        return peer

    try:
        host = await join(a.url, name=None, headers={"Cookie": host_cookie})
        alice_a = await join(a.url, name="王阿姨", guest="guest-alice-1")
        # a second tab of alice, on the other process
        await join(b.url, name="王阿姨", guest="guest-alice-1")
        bob_b = await join(b.url, name="李叔", guest="guest-bob-01")

        # chat crosses processes both ways
        sent = (await alice_a.chat(session_id, "A 上发的消息"))["message"]
        await bob_b.wait_for("chat", lambda m: m["id"] == sent["id"])
        reply = (await bob_b.chat(session_id, "B 上回复"))["message"]
        await alice_a.wait_for("chat", lambda m: m["id"] == reply["id"])

        # presence: host, alice (two tabs on two processes) and bob are three people
        assert await current_viewers(a.url, session_id) == 3
        assert await current_viewers(b.url, session_id) == 3
        await alice_a.wait_for("viewers", lambda v: v["current"] == 3)  # 3 was never reached before

        # rate limits hold across processes: one person's bucket is shared
        spam = {"X-Forwarded-For": "198.51.100.9"}
        spam_a = await join(a.url, name="刷屏", guest="guest-spam-77", headers=spam)
        spam_b = await join(b.url, name="刷屏", guest="guest-spam-77", headers=spam)
        errors = []
        for i in range(15):
            errors.append((await spam_a.chat(session_id, f"a{i}")).get("error"))
            errors.append((await spam_b.chat(session_id, f"b{i}")).get("error"))
        assert "rate_limited" in errors[:-1]

        # a ban on A disconnects the person on B and refuses them there by id and by address
        ack = await host.call(
            "moderate", {"session": session_id, "action": "ban", "user": guest_key("guest-spam-77", SECRET)}
        )
        assert ack == {"ok": True}
        await asyncio.wait_for(spam_b.disconnected.wait(), 10)
        await asyncio.wait_for(spam_a.disconnected.wait(), 10)
        returning = await open_peer(b.url, name="新号", guest="guest-fresh-88", secret=SECRET, headers=spam)
        peers.append(returning)
        assert (await returning.call("join", {"session": session_id}))["error"] == "banned"

        # kill -9 process B: its only-there viewers (bob) drop out within the TTL; alice stays (tab on A)
        assert await current_viewers(a.url, session_id) == 3
        before_kill = alice_a.mark()  # current was 2 on the way up: only a later event counts
        b.process.send_signal(signal.SIGKILL)
        b.process.wait(10)

        async def bob_gone() -> bool:
            return await current_viewers(a.url, session_id) == 2

        await eventually(bob_gone, TTL_S * 3 + 5, every=0.2, what="bob to drop out")
        await alice_a.wait_for("viewers", lambda v: v["current"] == 2, within=10, after=before_kill)
        async with aiohttp.ClientSession() as http:
            samples = await (await http.get(f"{a.url}/api/sessions/{session_id}/viewers")).json()
        assert samples and all(set(s) >= {"t", "viewers"} for s in samples)
    finally:
        for peer in peers:
            if peer.sio.connected:
                await peer.sio.disconnect()
