"""Real Socket.IO clients against the test server, and a live session to chat in."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
import pytest
import socketio
from aiohttp.test_utils import TestClient

from live.settings import FANOUTS, Settings
from tests.conftest import PASSWORD, SECRET, World, guest_token, login

# An ack costs the server 20-30 ms of CPU (a moderator's join, measured at load 10): 10 s
# without one means something blocked, and the failure then says what (``server_tasks``).
ACK_S = 10


def server_tasks() -> str:
    """Where each task of the loop (the test server's and the test's share it) is waiting, for
    the frames in Roundtable's own code: a lock, a query, a queue."""
    lines = []
    for task in asyncio.all_tasks():
        frames = [
            f"{frame.f_code.co_filename.rsplit('/', 2)[-1]}:{frame.f_lineno} {frame.f_code.co_name}"
            for frame in task.get_stack(limit=40)
            if "/live/" in frame.f_code.co_filename or "/media/" in frame.f_code.co_filename
        ]
        if frames:
            lines.append(f"  {task.get_name()}: " + " -> ".join(frames))
    return "\n".join(lines) or "  (no task in live/ or media/)"


class Peer:
    """A connected socket.io client that records every event it receives, in arrival order.

    ``mark()`` notes the position now; ``wait_for(..., after=mark)`` then only accepts an event
    received after it, so an event from before the action under test can never satisfy the wait.
    Waits that match on state rather than on a fresh id (a viewer count, a chat state) must pass
    ``after``."""

    def __init__(self, sio: socketio.AsyncClient) -> None:
        self.sio = sio
        self.events: dict[str, list[Any]] = defaultdict(list)
        self.log: list[tuple[str, Any]] = []
        self.changed = asyncio.Event()
        self.disconnected = asyncio.Event()

        async def catch_all(event: str, data: Any = None) -> None:
            self.events[event].append(data)
            self.log.append((event, data))
            self.changed.set()

        async def on_disconnect(*_: Any) -> None:
            self.disconnected.set()

        sio.on("*", catch_all)
        sio.on("disconnect", on_disconnect)

    async def call(self, event: str, data: Any) -> Any:
        try:
            return await self.sio.call(event, data, timeout=ACK_S)
        except socketio.exceptions.TimeoutError:
            if self.disconnected.is_set() or not self.sio.connected:
                raise  # the server hung up instead of answering: a test may expect just that
            raise AssertionError(
                f"no ack to {event!r} within {ACK_S} s; what the server's tasks were doing:\n"
                + server_tasks()
            ) from None

    async def chat(self, session: str, text: str, nonce: str | None = None) -> Any:
        return await self.call("chat", {"session": session, "text": text, "nonce": nonce})

    def mark(self) -> int:
        """The position in this peer's event log now (see ``wait_for``'s ``after``)."""
        return len(self.log)

    async def wait_for(
        self,
        event: str,
        match: Callable[[Any], bool] = lambda _: True,
        within: float = 10,
        *,
        after: int = 0,
    ) -> Any:
        """The first ``event`` payload received after position ``after`` that matches (a list
        payload is searched item by item)."""

        async def look() -> Any:
            seen = after
            while True:
                for name, data in self.log[seen:]:
                    seen += 1
                    if name != event:
                        continue
                    for item in data if isinstance(data, list) else [data]:
                        if match(item):
                            return item
                self.changed.clear()
                if len(self.log) == seen:
                    await self.changed.wait()

        try:
            return await asyncio.wait_for(look(), within)
        except TimeoutError:
            recent = [data for name, data in self.log[after:] if name == event][-5:]
            raise AssertionError(f"no matching {event!r} within {within} s; last ones: {recent}") from None

    def received(self, event: str) -> list[Any]:
        out: list[Any] = []
        for data in self.events[event]:
            out.extend(data if isinstance(data, list) else [data])
        return out


Connect = Callable[..., Awaitable[Peer]]


@pytest.fixture(params=FANOUTS)
def fanout(request: pytest.FixtureRequest) -> str:
    """Every realtime test runs with both room fan-outs (LIVE_FANOUT=fast and stock)."""
    return str(request.param)


@pytest.fixture
def settings(settings: Settings, fanout: str) -> Settings:
    return replace(settings, fanout=fanout)


async def open_peer(
    url: str,
    *,
    name: str | None = "居民甲",
    guest: str | None = None,
    token: str | None = None,
    secret: str = SECRET,
    **kw: Any,
) -> Peer:
    """A socket client. ``guest``: connect as the holder of that guest id (with the token the
    server signed for it); ``token``: send ``auth.guest`` exactly as given (e.g. a forged one)."""
    sio = socketio.AsyncClient(reconnection=False)
    peer = Peer(sio)
    auth: dict[str, Any] = {}
    if name is not None:
        auth["name"] = name
    if guest is not None:
        auth["guest"] = guest_token(guest, secret)
    if token is not None:
        auth["guest"] = token
    await sio.connect(url, auth=auth, transports=kw.pop("transports", ["websocket"]), wait_timeout=10, **kw)
    return peer


@pytest.fixture
async def connect(client: TestClient[Any, Any]) -> AsyncIterator[Connect]:
    """Open real socket.io connections to the test server; all closed at the end."""
    url = str(client.make_url("")).rstrip("/")
    peers: list[Peer] = []

    async def make(**kw: Any) -> Peer:
        peer = await open_peer(url, **kw)
        peers.append(peer)
        return peer

    yield make
    for peer in peers:
        if peer.sio.connected:
            await peer.sio.disconnect()


async def session_cookie(client: TestClient[Any, Any], username: str) -> str:
    """Sign ``username`` in from a fresh cookie jar; the ``Cookie`` header a socket sends."""
    async with aiohttp.ClientSession(
        base_url=str(client.make_url("/")), cookie_jar=aiohttp.CookieJar(unsafe=True)
    ) as browser:
        csrf = (await (await browser.get("/api/me")).json())["csrf"]
        response = await browser.post(
            "/api/auth/login",
            json={"username": username, "password": PASSWORD},
            headers={"X-CSRF-Token": csrf},
        )
        assert response.status == 200
        token = response.cookies["rt_session"].value
    return f"rt_session={token}"


@dataclass
class Room:
    id: str
    host_csrf: str


@pytest.fixture
async def room(client: TestClient[Any, Any], world: World) -> Room:
    """A live session of community hexie (the ``client`` is signed in as its host)."""
    csrf = await login(client, "host-a")
    created = await client.post(
        "/api/sessions", json={"community": "hexie", "title": "小区停车议事"}, headers={"X-CSRF-Token": csrf}
    )
    assert created.status == 201, await created.text()
    session_id = (await created.json())["id"]
    started = await client.post(f"/api/sessions/{session_id}/start", headers={"X-CSRF-Token": csrf})
    assert started.status == 200
    return Room(session_id, csrf)


@pytest.fixture
async def staff(client: TestClient[Any, Any], connect: Connect, room: Room) -> Peer:
    """The moderator of hexie, connected with their session cookie and joined to the room."""
    peer = await connect(name=None, headers={"Cookie": await session_cookie(client, "mod-a")})
    ack = await peer.call("join", {"session": room.id})
    assert ack["ok"], ack
    return peer
