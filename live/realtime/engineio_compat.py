"""Every reliance of the fast fan-out (``live/realtime/manager.py``) on python-engineio and
python-socketio internals, in one place.

The fast manager writes finished WebSocket frames straight onto a connection's transport. For
that it needs to: swap engine.io's aiohttp WebSocket wrapper for its own (to reach the
transport), find a connection's engine.io socket and read its state (upgraded, closing, queue),
and, for sockets it cannot write to directly, queue an engine.io packet the way the server does.
None of that is public API. ``check()`` verifies each piece against the installed versions;
``tests/realtime/test_engineio_compat.py`` runs it, so an upgrade that removes one fails there
(and ``LIVE_FANOUT=stock`` runs without any of this). The versions are bounded in
``pyproject.toml`` and pinned in ``constraints.txt``."""

from __future__ import annotations

import inspect
from typing import Any

import engineio
import socketio
from engineio import packet as eio_packet
from engineio.async_drivers import aiohttp as eio_aiohttp
from engineio.async_socket import AsyncSocket

#: engine.io's aiohttp WebSocket wrapper (``engineio.async_drivers.aiohttp.WebSocket``): the fast
#: manager subclasses it; it sets ``_sock``, ``environ`` and calls ``handler`` like the original.
WebSocketBase: type[Any] = eio_aiohttp.WebSocket

#: Attributes of an engine.io ``AsyncSocket`` the fast path reads before writing to a transport.
SOCKET_STATE = ("upgraded", "upgrading", "closing", "closed", "queue")


class CompatError(RuntimeError):
    """An internal the fast fan-out relies on is missing from the installed engine.io."""


def socket_of_handler(handler: Any) -> Any:
    """The engine.io socket whose WebSocket ``handler`` (a bound ``_websocket_handler``) this is."""
    return getattr(handler, "__self__", None)


def install_websocket_class(sio: socketio.AsyncServer, websocket_class: type[Any]) -> None:
    """Make ``sio`` (async_mode aiohttp) accept WebSockets through ``websocket_class``."""
    eio = sio.eio
    eio._async = {**eio._async, "websocket": websocket_class}


def eio_sockets(sio: socketio.AsyncServer) -> dict[str, Any]:
    """engine.io sid → its ``AsyncSocket``."""
    sockets: dict[str, Any] = sio.eio.sockets
    return sockets


def writable_directly(socket: Any) -> bool:
    """True when frames may be written on ``socket``'s transport now: upgraded to a
    WebSocket, not closing, and with nothing queued (acks, pings) that must go first."""
    return bool(
        socket.upgraded
        and not socket.upgrading
        and not socket.closing
        and not socket.closed
        and socket.queue.empty()
    )


def json_dumps(sio: socketio.AsyncServer) -> Any:
    """The JSON encoder the server's packets use."""
    return sio.packet_class.json.dumps


async def send_message(sio: socketio.AsyncServer, eio_sid: str, text: str) -> None:
    """Queue an engine.io MESSAGE packet carrying a Socket.IO packet's ``text`` (the stock path)."""
    await sio._send_eio_packet(eio_sid, eio_packet.Packet(eio_packet.MESSAGE, text))


def check() -> None:
    """Raise ``CompatError`` naming whatever internal the installed versions no longer have."""
    missing: list[str] = []
    for name in ("_sock", "environ", "handler", "server"):
        if name not in inspect.getsource(eio_aiohttp.WebSocket):
            missing.append(f"engineio.async_drivers.aiohttp.WebSocket.{name}")
    if not inspect.iscoroutinefunction(eio_aiohttp.WebSocket.__call__):
        missing.append("engineio.async_drivers.aiohttp.WebSocket.__call__ (async)")
    server = engineio.AsyncServer(async_mode="aiohttp")
    if not isinstance(getattr(server, "_async", None), dict) or "websocket" not in server._async:
        missing.append("engineio.AsyncServer._async['websocket']")
    if not isinstance(getattr(server, "sockets", None), dict):
        missing.append("engineio.AsyncServer.sockets")
    socket = AsyncSocket(server, "compat-check")
    missing += [f"engineio.AsyncSocket.{a}" for a in SOCKET_STATE if not hasattr(socket, a)]
    if not inspect.iscoroutinefunction(getattr(AsyncSocket, "_websocket_handler", None)):
        missing.append("engineio.AsyncSocket._websocket_handler (the handler whose __self__ is the socket)")
    sio = socketio.AsyncServer(async_mode="aiohttp")
    if not inspect.iscoroutinefunction(getattr(sio, "_send_eio_packet", None)):
        missing.append("socketio.AsyncServer._send_eio_packet")
    if not callable(getattr(getattr(sio.packet_class, "json", None), "dumps", None)):
        missing.append("socketio.AsyncServer.packet_class.json.dumps")
    if not hasattr(eio_packet, "MESSAGE"):
        missing.append("engineio.packet.MESSAGE")
    if missing:
        raise CompatError("python-engineio/python-socketio internals missing: " + ", ".join(missing))
