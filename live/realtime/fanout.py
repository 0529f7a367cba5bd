"""Room broadcasts: every server-to-room emit goes through ``Fanout.broadcast``.

One place to make delivery fast (encode once, write without a task per recipient, coalesce)
without touching the handlers."""

from __future__ import annotations

from typing import Any

import socketio


class Fanout:
    def __init__(self, sio: socketio.AsyncServer) -> None:
        self.sio = sio

    async def broadcast(self, room: str, event: str, payload: Any, *, skip_sid: str | None = None) -> None:
        """Send ``event`` to everyone in ``room`` (on every process when Redis is configured)."""
        await self.sio.emit(event, payload, room=room, skip_sid=skip_sid)
