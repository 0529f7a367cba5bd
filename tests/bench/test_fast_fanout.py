"""The fast delivery path (live/realtime/manager.py) with real python-socketio clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import socketio
from aiohttp import web

from live.realtime.fanout import Fanout
from live.realtime.manager import FastManager, websocket_frame
from tests.waiting import eventually

ROOM = "session:1"


class Listener:
    """A real client that logs every event in arrival order, list payloads flattened."""

    def __init__(self, transports: list[str]) -> None:
        self.sio = socketio.AsyncClient(reconnection=False)
        self.transports = transports
        self.log: list[tuple[str, Any]] = []
        self.list_payloads = 0
        self.changed = asyncio.Event()

        async def catch_all(event: str, data: Any = None) -> None:
            if isinstance(data, list):
                self.list_payloads += 1
                self.log.extend((event, item) for item in data)
            else:
                self.log.append((event, data))
            self.changed.set()

        self.sio.on("*", catch_all)

    async def wait_until(self, done: Callable[[], bool], within: float = 20) -> None:
        async def loop() -> None:
            while not done():
                self.changed.clear()
                await self.changed.wait()

        try:
            await asyncio.wait_for(loop(), within)
        except TimeoutError:
            raise AssertionError(f"not reached within {within} s; last events: {self.log[-3:]}") from None


@pytest.fixture
async def fast_server(aiohttp_server: Any) -> AsyncIterator[tuple[str, socketio.AsyncServer, FastManager]]:
    manager = FastManager()
    sio = socketio.AsyncServer(async_mode="aiohttp", client_manager=manager)
    app = web.Application()
    sio.attach(app)

    @sio.event
    async def join(sid: str, data: Any) -> dict[str, Any]:
        await sio.enter_room(sid, ROOM)
        return {"ok": True}

    server = await aiohttp_server(app)
    yield str(server.make_url("")).rstrip("/"), sio, manager
    # a bare server: nothing else stops engine.io's service task (Roundtable's app does)
    await server.close()
    async with asyncio.timeout(10):
        await sio.shutdown()


async def connect_all(url: str, count: int, transports: list[str]) -> list[Listener]:
    listeners = [Listener(transports) for _ in range(count)]
    await asyncio.gather(*(c.sio.connect(url, transports=c.transports, wait_timeout=10) for c in listeners))
    acks = await asyncio.gather(*(c.sio.call("join", {"session": "1"}, timeout=10) for c in listeners))
    assert all(a == {"ok": True} for a in acks)
    return listeners


async def test_every_client_gets_every_message_once_in_order_across_events(
    fast_server: tuple[str, socketio.AsyncServer, FastManager],
) -> None:
    url, sio, manager = fast_server
    fanout = Fanout(sio)
    ws_clients = await connect_all(url, 50, ["websocket"])
    polling = await connect_all(url, 2, ["polling"])
    everyone = ws_clients + polling
    try:
        expected: list[tuple[str, Any]] = []
        for burst in range(10):
            # 30 chats emitted back to back coalesce into list frames; a hide after them must not
            # overtake them, and a message with Chinese text round-trips exactly.
            for i in range(30):
                n = burst * 30 + i
                message = {"id": str(n), "session": "1", "text": f"第{n}条 <b>消息</b> ☕", "nonce": None}
                await fanout.broadcast(ROOM, "chat", message)
                expected.append(("chat", message))
            hide = {"session": "1", "message": str(burst * 30)}
            await fanout.broadcast(ROOM, "hide", hide)
            expected.append(("hide", hide))
            await asyncio.sleep(0.002 * (burst % 3))  # uneven gaps between bursts (the stimulus)
        # nothing extra may follow: a last event after everything, once it is in, closes the log
        end = {"session": "1", "end": True}
        await fanout.broadcast(ROOM, "end", end)
        expected.append(("end", end))
        for client in everyone:
            await client.wait_until(lambda c=client: ("end", end) in c.log)  # type: ignore[misc]
        for client in everyone:
            assert client.log == expected
        assert any(c.list_payloads for c in ws_clients), "back-to-back chats were never coalesced"
        assert manager.stats.fast_writes > 0
        assert manager.stats.slow_sends > 0  # the polling clients took the queue path
    finally:
        await asyncio.gather(*(c.sio.disconnect() for c in everyone))


async def test_skip_sid_and_single_recipient_emits_keep_order(
    fast_server: tuple[str, socketio.AsyncServer, FastManager],
) -> None:
    url, sio, _ = fast_server
    fanout = Fanout(sio)
    clients = await connect_all(url, 5, ["websocket"])
    try:
        skipped = clients[0]
        skipped_sid = skipped.sio.get_sid("/")
        await fanout.broadcast(ROOM, "chat", {"id": "1"})
        await fanout.broadcast(ROOM, "chat", {"id": "2"}, skip_sid=skipped_sid)
        await sio.emit("held", {"id": "3"}, to=skipped_sid)
        await fanout.broadcast(ROOM, "chat", {"id": "4"})
        await fanout.broadcast(ROOM, "end", {})  # everything before it has arrived once it has
        for client in clients:
            await client.wait_until(lambda c=client: ("end", {}) in c.log)  # type: ignore[misc]
        end = ("end", {})
        assert skipped.log == [("chat", {"id": "1"}), ("held", {"id": "3"}), ("chat", {"id": "4"}), end]
        for client in clients[1:]:
            assert client.log == [("chat", {"id": "1"}), ("chat", {"id": "2"}), ("chat", {"id": "4"}), end]
    finally:
        await asyncio.gather(*(c.sio.disconnect() for c in clients))


async def test_emits_with_a_callback_or_binary_data_still_work(
    fast_server: tuple[str, socketio.AsyncServer, FastManager],
) -> None:
    url, sio, _ = fast_server
    clients = await connect_all(url, 3, ["websocket"])
    try:
        await sio.emit("chat", {"id": "1"}, room=ROOM)
        await sio.emit("blob", b"\x00\x01", room=ROOM)
        for client in clients:
            await client.wait_until(lambda c=client: len(c.log) >= 2)  # type: ignore[misc]
            assert client.log == [("chat", {"id": "1"}), ("blob", b"\x00\x01")]
    finally:
        await asyncio.gather(*(c.sio.disconnect() for c in clients))


async def test_disconnected_clients_are_skipped_and_the_rest_still_receive(
    fast_server: tuple[str, socketio.AsyncServer, FastManager],
) -> None:
    url, sio, _ = fast_server
    clients = await connect_all(url, 6, ["websocket"])
    gone, staying = clients[:3], clients[3:]
    await asyncio.gather(*(c.sio.disconnect() for c in gone))
    try:
        await Fanout(sio).broadcast(ROOM, "chat", {"id": "after"})
        for client in staying:
            await client.wait_until(lambda c=client: len(c.log) >= 1)  # type: ignore[misc]
            assert client.log == [("chat", {"id": "after"})]
        assert all(c.log == [] for c in gone)
    finally:
        await asyncio.gather(*(c.sio.disconnect() for c in staying))


def test_websocket_frame_lengths() -> None:
    assert websocket_frame("4x") == b"\x81\x024x"
    medium = websocket_frame("a" * 300)
    assert medium[:4] == b"\x81\x7e\x01\x2c" and len(medium) == 304
    large = websocket_frame("b" * 70000)
    assert large[:2] == b"\x81\x7f" and int.from_bytes(large[2:10], "big") == 70000


async def test_clients_that_upgrade_from_polling_get_everything_in_order(
    fast_server: tuple[str, socketio.AsyncServer, FastManager],
) -> None:
    """Browsers start on long-polling and upgrade; messages around the upgrade stay in order."""
    url, sio, manager = fast_server
    fanout = Fanout(sio)
    sent: list[tuple[str, Any]] = []
    sending = True

    async def keep_sending() -> None:
        n = 0
        while sending:
            message = {"id": str(n)}
            await fanout.broadcast(ROOM, "chat", message)
            sent.append(("chat", message))
            n += 1
            await asyncio.sleep(0.003)  # a steady stream (the stimulus)

    clients = [Listener(["polling", "websocket"]) for _ in range(8)]
    task = asyncio.create_task(keep_sending())  # already sending while the clients join and upgrade
    try:
        await asyncio.gather(*(c.sio.connect(url, transports=c.transports, wait_timeout=10) for c in clients))
        await asyncio.gather(*(c.sio.call("join", {"session": "1"}, timeout=10) for c in clients))
        await eventually(
            lambda: all(c.sio.transport() == "websocket" for c in clients), 20, what="every upgrade"
        )
        upgraded_at = len(sent)  # keep sending until every client has had messages since then
        for client in clients:
            await client.wait_until(
                lambda c=client: any(int(data["id"]) > upgraded_at + 5 for _, data in c.log)  # type: ignore[misc]
            )
        sending = False
        await task
        for client in clients:
            await client.wait_until(lambda c=client: len(c.log) >= 1 and c.log[-1] == sent[-1])  # type: ignore[misc]
            ids = [int(data["id"]) for _, data in client.log]
            # From the first message after joining to the last: each once, in order, no gap.
            assert ids == list(range(ids[0], len(sent))), ids[:20]
        assert manager.stats.fast_writes > 0
    finally:
        sending = False
        await asyncio.gather(*(c.sio.disconnect() for c in clients))


async def test_a_message_emitted_right_before_a_disconnect_still_arrives(
    fast_server: tuple[str, socketio.AsyncServer, FastManager],
) -> None:
    url, sio, _ = fast_server
    [client] = await connect_all(url, 1, ["websocket"])
    gone = asyncio.Event()
    client.sio.on("disconnect", lambda *_: gone.set())
    await Fanout(sio).broadcast(ROOM, "hide", {"session": "1", "message": "7"})
    await sio.emit("banned", {"reason": "spam"}, to=client.sio.get_sid("/"))
    await sio.disconnect(client.sio.get_sid("/"))
    await asyncio.wait_for(gone.wait(), 10)
    assert client.log == [("hide", {"session": "1", "message": "7"}), ("banned", {"reason": "spam"})]
