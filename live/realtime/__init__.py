"""Socket.IO transport: handlers parse, authorise and call services; every event is acked."""

from __future__ import annotations

from aiohttp import web


def setup_realtime(app: web.Application) -> None:
    """Attach the Socket.IO server at /socket.io/ (built in live/realtime/server.py)."""
