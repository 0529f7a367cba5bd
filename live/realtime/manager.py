"""A python-socketio client manager whose room emits are cheap per recipient.

Stock ``AsyncManager.emit`` makes one asyncio task per recipient, which puts the packet on the
socket's queue, which a writer task per socket then sends: about 80 µs of CPU per delivery.
``FastManager`` instead buffers emits for a few milliseconds, encodes each distinct frame sequence
once (consecutive ``chat`` messages merge into one list payload, which CONTRACT.md allows) and writes
the finished WebSocket frames straight onto each connection's transport: no task, queue hop or await
per recipient. Polling clients (and emits with callbacks or binary data) take the stock path.
``FastRedisManager`` keeps python-socketio's Redis pub/sub between processes; every process delivers
to its own sockets through the same fast path.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import socketio
from aiohttp import web
from socketio import packet as sio_packet

from live.realtime import engineio_compat as compat

log = logging.getLogger(__name__)

#: Events whose consecutive payloads may reach a client as one list (CONTRACT.md section 4).
COALESCED_EVENTS = frozenset({"chat"})
#: Queued bytes above which a connection counts as too slow to keep up and is dropped.
MAX_WRITE_BUFFER = 8 * 1024 * 1024


@dataclass
class _Emit:
    """One buffered room emit, already JSON-encoded."""

    namespace: str
    room: Any
    event: str
    data_json: str
    mergeable: bool
    skip: frozenset[str]


@dataclass
class FanoutStats:
    """Counters a benchmark or a metrics page can read."""

    flushes: int = 0
    emits: int = 0
    frames: int = 0
    fast_writes: int = 0
    slow_sends: int = 0
    dropped_slow_consumers: int = 0
    flush_seconds: float = 0.0
    extra: dict[str, int] = field(default_factory=dict)


def websocket_frame(text: str) -> bytes:
    """One unmasked, uncompressed server-to-client WebSocket text frame (RFC 6455 section 5.2)."""
    body = text.encode("utf-8")
    size = len(body)
    if size < 126:
        header = bytes((0x81, size))
    elif size < 65536:
        header = bytes((0x81, 126)) + size.to_bytes(2, "big")
    else:
        header = bytes((0x81, 127)) + size.to_bytes(8, "big")
    return header + body


class FastWebSocket(compat.WebSocketBase):  # type: ignore[misc]
    """Engine.IO's aiohttp WebSocket wrapper, uncompressed, that lets the manager reach the transport.

    Compression is off as in Node's engine.io (``perMessageDeflate: false``): per-connection deflate
    state would make every recipient's frame different, and chat messages are small."""

    async def __call__(self, environ: dict[str, Any]) -> web.WebSocketResponse:
        request: web.Request = environ["aiohttp.request"]
        self._sock = web.WebSocketResponse(max_msg_size=self.server.max_http_buffer_size, compress=False)
        await self._sock.prepare(request)
        self.environ = environ
        socket = compat.socket_of_handler(self.handler)
        if socket is not None:
            socket.fast_ws = self._sock
            socket.fast_transport = request.transport
        await self.handler(self)
        return self._sock


def install_fast_websocket(sio: socketio.AsyncServer) -> None:
    """Make ``sio`` (async_mode aiohttp) accept WebSockets through ``FastWebSocket``."""
    compat.install_websocket_class(sio, FastWebSocket)


class FastManager(socketio.AsyncManager):  # type: ignore[misc]
    """In-memory client manager with buffered, encode-once, task-free room delivery."""

    #: Shortest pause between two flushes (the coalescing window), in seconds.
    min_interval: float = 0.005
    #: After a flush that took d seconds, the next one waits at least ``busy_factor * d``: under load
    #: frames grow instead of their number, so fan-out never takes more than 1/(1+factor) of the CPU.
    busy_factor: float = 1.5

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pending: list[_Emit] = []
        self._flush_handle: asyncio.Handle | None = None
        self._next_flush_at = 0.0
        self._slow_tasks: set[asyncio.Future[None]] = set()
        #: Sockets with slow-path sends not yet queued: later frames must not overtake them.
        self._slow_pending: dict[str, int] = {}
        self.stats = FanoutStats()

    async def close(self) -> None:
        """Stop what this manager runs in the background (an application's cleanup)."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        for task in list(self._slow_tasks):
            task.cancel()

    def set_server(self, server: socketio.AsyncServer) -> None:
        """Attach to ``server``; on aiohttp, its WebSockets become reachable by ``_send``."""
        super().set_server(server)
        if getattr(server.eio, "async_mode", None) == "aiohttp":
            install_fast_websocket(server)

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str,
        room: Any = None,
        skip_sid: Any = None,
        callback: Callable[..., Any] | None = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        """Buffer a room emit for the next flush; callbacks and binary data take the stock path."""
        room = to or room
        if namespace not in self.rooms:
            return
        args = list(data) if isinstance(data, tuple) else ([] if data is None else [data])
        if callback is not None or sio_packet.Packet.data_is_binary(args):
            self.flush()
            await super().emit(
                event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs
            )
            return
        skips = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        dumps = compat.json_dumps(self.server)
        mergeable = event in COALESCED_EVENTS and len(args) == 1 and isinstance(args[0], dict)
        data_json = dumps(args[0] if mergeable else args, separators=(",", ":"))
        self._pending.append(
            _Emit(namespace, room, event, data_json, mergeable, frozenset(s for s in skips if s is not None))
        )
        self.stats.emits += 1
        self._schedule()

    async def can_disconnect(self, sid: str, namespace: str) -> Any:
        """Deliver what is buffered first: a last message before a disconnect still arrives."""
        self.flush()
        return await super().can_disconnect(sid, namespace)

    def _schedule(self) -> None:
        if self._flush_handle is not None:
            return
        loop = asyncio.get_running_loop()
        delay = self._next_flush_at - loop.time()
        if delay > 0:
            self._flush_handle = loop.call_later(delay, self.flush)
        else:
            self._flush_handle = loop.call_soon(self.flush)

    def flush(self) -> None:
        """Write every buffered emit now, in order."""
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        pending, self._pending = self._pending, []
        if not pending:
            return
        started = time.perf_counter()
        try:
            self._deliver(pending)
        except Exception:  # a bug here must not take the event loop's callback down silently
            log.exception("room delivery failed")
        took = time.perf_counter() - started
        self.stats.flushes += 1
        self.stats.flush_seconds += took
        self._next_flush_at = asyncio.get_running_loop().time() + max(
            self.min_interval, self.busy_factor * took
        )

    def _deliver(self, pending: list[_Emit]) -> None:
        first = pending[0]
        if all(p.namespace == first.namespace and p.room == first.room and not p.skip for p in pending):
            # The common case: one room, no exclusions: everyone gets the same bytes.
            recipients = [eio_sid for _, eio_sid in self.get_participants(first.namespace, first.room)]
            self._send(recipients, self._encode(pending))
            return
        # General case: group recipients by the exact sequence of emits each one should receive.
        per_recipient: dict[str, list[int]] = {}
        for index, item in enumerate(pending):
            for sid, eio_sid in self.get_participants(item.namespace, item.room):
                if sid not in item.skip:
                    per_recipient.setdefault(eio_sid, []).append(index)
        groups: dict[tuple[int, ...], list[str]] = {}
        for eio_sid, indexes in per_recipient.items():
            groups.setdefault(tuple(indexes), []).append(eio_sid)
        for key, recipients in groups.items():
            self._send(recipients, self._encode([pending[i] for i in key]))

    def _encode(self, items: list[_Emit]) -> list[str]:
        """Socket.IO packets (as Engine.IO message text) for ``items``; consecutive chats merge."""
        packets: list[str] = []
        run: list[_Emit] = []

        def close_run() -> None:
            if not run:
                return
            head = run[0]
            payload = head.data_json if len(run) == 1 else "[" + ",".join(r.data_json for r in run) + "]"
            packets.append(_event_text(head.namespace, head.event, "[" + payload + "]"))
            run.clear()

        for item in items:
            if run and not (
                item.mergeable and item.event == run[0].event and item.namespace == run[0].namespace
            ):
                close_run()
            if item.mergeable:
                run.append(item)
            else:
                packets.append(_event_text(item.namespace, item.event, item.data_json))
        close_run()
        self.stats.frames += len(packets)
        return packets

    def _send(self, recipients: Iterable[str], packets: list[str]) -> None:
        if not packets:
            return
        frames = b"".join(websocket_frame("4" + p) for p in packets)
        sockets = compat.eio_sockets(self.server)
        slow: list[str] = []
        writes = 0
        for eio_sid in recipients:
            socket = sockets.get(eio_sid)
            if socket is None:
                continue
            transport = getattr(socket, "fast_transport", None)
            if (
                transport is None
                # Packets still queued (an ack, a ping, older slow sends) go first: stay behind them.
                or not compat.writable_directly(socket)
                or socket.fast_ws.closed
                or transport.is_closing()
                or eio_sid in self._slow_pending
            ):
                slow.append(eio_sid)
                continue
            if transport.get_write_buffer_size() > MAX_WRITE_BUFFER:
                self.stats.dropped_slow_consumers += 1
                log.warning("dropping %s: over %d bytes unsent", eio_sid, MAX_WRITE_BUFFER)
                transport.abort()
                continue
            transport.write(frames)
            writes += 1
        self.stats.fast_writes += writes
        if slow:
            self.stats.slow_sends += len(slow)
            for eio_sid in slow:
                self._slow_pending[eio_sid] = self._slow_pending.get(eio_sid, 0) + 1
            task = asyncio.ensure_future(self._send_slowly(slow, packets))
            self._slow_tasks.add(task)
            task.add_done_callback(self._slow_tasks.discard)

    async def _send_slowly(self, recipients: list[str], packets: list[str]) -> None:
        """The stock queue path, for polling clients and sockets mid-upgrade."""
        for eio_sid in recipients:
            try:
                for text in packets:
                    await compat.send_message(self.server, eio_sid, text)
            except Exception:  # one bad socket must not stop the others
                log.debug("send to %s failed", eio_sid, exc_info=True)
            finally:
                left = self._slow_pending.pop(eio_sid, 1) - 1
                if left > 0:
                    self._slow_pending[eio_sid] = left


def _event_text(namespace: str, event: str, args_json: str) -> str:
    """A Socket.IO EVENT packet ``2[/ns,]["event",...args]`` whose args are already a JSON array."""
    prefix = "2" if namespace == "/" else f"2{namespace},"
    inner = args_json[1:-1]
    return f"{prefix}[{json.dumps(event)}{',' if inner else ''}{inner}]"


class FastRedisManager(socketio.AsyncRedisManager, FastManager):  # type: ignore[misc]
    """Redis pub/sub between processes; local delivery through ``FastManager.emit``.

    Emits reach this process's clients first and are then published, so while Redis is away
    each process keeps serving its own rooms (publishing fails and is logged). The listener
    subscribes again within ``MAX_RETRY_S`` of Redis coming back (the stock backoff grows to
    60 s, leaving processes deaf to each other for up to a minute)."""

    MAX_RETRY_S = 2.0

    #: while Redis stays away, how often the outage is logged again (each retry is DEBUG)
    OUTAGE_LOG_EVERY_S = 60.0

    async def _redis_listen_with_retries(self) -> AsyncIterator[Any]:
        retry_s = 0.25
        subscribed = False
        down_since: float | None = None  # loop time the outage began (None: Redis is there)
        logged_at = 0.0
        loop = asyncio.get_running_loop()
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    await self.pubsub.subscribe(self.channel)
                    subscribed = True
                    retry_s = 0.25
                    if down_since is not None:
                        log.warning("receiving from Redis again after %.0f s", loop.time() - down_since)
                        down_since = None
                async for message in self.pubsub.listen():
                    yield message
            except Exception as exc:
                now = loop.time()
                if down_since is None:  # an outage begins: say so once, loudly
                    down_since = logged_at = now
                    log.error(
                        "cannot receive from Redis (%s); subscribing again every %.2g s",
                        exc,
                        self.MAX_RETRY_S,
                    )
                elif now - logged_at >= self.OUTAGE_LOG_EVERY_S:
                    logged_at = now
                    log.error("still cannot receive from Redis after %.0f s (%s)", now - down_since, exc)
                else:
                    log.debug("cannot receive from Redis (%s); subscribing again in %.2g s", exc, retry_s)
                subscribed = False
                await asyncio.sleep(retry_s)
                retry_s = min(self.MAX_RETRY_S, retry_s * 2)


def fast_manager(redis_url: str | None, *, channel: str) -> FastManager:
    """The manager Roundtable runs with: Redis pub/sub between processes when ``redis_url`` is set."""
    if redis_url:
        manager: FastManager = FastRedisManager(redis_url, channel=channel)
        return manager
    return FastManager()


STOP_LISTENER_S = 5.0


async def stop_client_manager(manager: Any) -> None:
    """Stop what a client manager (ours or python-socketio's) runs in the background, at an
    application's cleanup. python-socketio starts a pub/sub manager's listener and never stops
    it (``sio.shutdown()`` stops only engine.io's task): left running, a finished application's
    listener went on subscribing to its Redis for the rest of the process, logging the outage
    every minute and holding the application alive."""
    if isinstance(manager, FastManager):
        await manager.close()
    listener = getattr(manager, "thread", None)
    if isinstance(listener, asyncio.Task):
        listener.cancel()
        await asyncio.wait([listener], timeout=STOP_LISTENER_S)  # bounded, as every shutdown step
        if not listener.done():
            log.warning("the Redis listener still runs %s s after being cancelled", STOP_LISTENER_S)
        manager.thread = None
    for connection in (getattr(manager, "pubsub", None), getattr(manager, "redis", None)):
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.aclose()
