"""Socket.IO transport: handlers parse, authorise and call services; every event is acked."""

from __future__ import annotations

from aiohttp import web

from live.keys import SETTINGS


def setup_realtime(app: web.Application) -> None:
    """Attach the Socket.IO server at /socket.io/ (built in live/realtime/server.py)."""
    from live.realtime import chat, connection, moderation, opinions, rooms
    from live.realtime.context import REALTIME, RealtimeContext
    from live.realtime.fanout import Fanout
    from live.realtime.server import make_server, on_shutdown, realtime_ctx

    sio = make_server(app[SETTINGS])
    sio.attach(app, socketio_path="socket.io")
    ctx = RealtimeContext(app=app, sio=sio, fanout=Fanout(sio))
    app[REALTIME] = ctx
    for module in (connection, rooms, chat, moderation, opinions):
        module.register(sio, ctx)
    app.cleanup_ctx.append(realtime_ctx(ctx))
    app.on_shutdown.append(on_shutdown(ctx))
