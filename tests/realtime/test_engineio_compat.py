"""The python-engineio / python-socketio internals the fast fan-out relies on still exist."""

from __future__ import annotations

import socketio

from live.realtime import engineio_compat as compat
from live.realtime.manager import FastManager, FastWebSocket


def test_every_internal_the_fast_fanout_relies_on_is_there() -> None:
    compat.check()  # raises CompatError naming what an upgrade removed


def test_the_fast_manager_installs_its_websocket_class() -> None:
    sio = socketio.AsyncServer(async_mode="aiohttp", client_manager=FastManager())
    assert sio.eio._async["websocket"] is FastWebSocket
    assert issubclass(FastWebSocket, compat.WebSocketBase)
    assert compat.eio_sockets(sio) == {}
    assert compat.json_dumps(sio)({"a": 1}) == '{"a": 1}'
