"""The one place that builds the Socket.IO server, and its background tasks.

With ``REDIS_URL`` python-socketio's Redis manager carries room broadcasts between processes, on
a channel named after ``settings.redis_prefix``. ``client_manager`` lets a faster manager be
passed in later without touching the handlers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import socketio
from aiohttp import web

from live.keys import EVENTS, REDIS, SERVICES, SETTINGS
from live.realtime.context import RealtimeContext
from live.realtime.manager import fast_manager, stop_client_manager
from live.realtime.subscribers import Subscribers
from live.settings import Settings

log = logging.getLogger(__name__)
VIEWERS_EVERY_S = 1.0
CLOSE_POLLS_EVERY_S = 1.0
#: How long each step of the realtime shutdown may take before it is given up (and logged).
SHUTDOWN_S = 5.0


def origin_checker(settings: Settings) -> Callable[[str | None, dict[str, Any]], bool]:
    """Same-origin always; other origins only when listed in LIVE_ALLOWED_ORIGINS."""
    allowed = {o.rstrip("/") for o in settings.allowed_origins}

    def check(origin: str | None, environ: dict[str, Any]) -> bool:
        if not origin:
            return True  # not a browser: scripts, apps
        origin = origin.rstrip("/")
        if "*" in allowed or origin in allowed:
            return True
        host = environ.get("HTTP_HOST", "")
        schemes = {environ.get("wsgi.url_scheme", "http")}
        if settings.trust_proxy and environ.get("HTTP_X_FORWARDED_PROTO"):
            schemes.add(environ["HTTP_X_FORWARDED_PROTO"])
        return any(origin == f"{scheme}://{host}" for scheme in schemes)

    return check


def client_manager_for(settings: Settings) -> Any:
    """``LIVE_FANOUT``: ``fast`` (Roundtable's encode-once manager, live/realtime/manager.py) or
    ``stock`` (python-socketio's own), both over Redis pub/sub when ``REDIS_URL`` is set."""
    channel = f"{settings.redis_prefix}:socketio"
    if settings.fanout == "fast":
        return fast_manager(settings.redis_url, channel=channel)
    if settings.fanout == "stock":
        if settings.redis_url:
            return socketio.AsyncRedisManager(settings.redis_url, channel=channel)
        return socketio.AsyncManager()
    raise ValueError(f"LIVE_FANOUT must be fast or stock, not {settings.fanout!r}")


def make_server(settings: Settings, client_manager: Any = None) -> socketio.AsyncServer:
    if client_manager is None:
        client_manager = client_manager_for(settings)
    return socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=client_manager,
        cors_allowed_origins=origin_checker(settings),
        transports=["websocket", "polling"],
        ping_interval=20,
        ping_timeout=20,
        max_http_buffer_size=64 * 1024,
        # One connection's events are handled in the order they arrive (a sender's chat messages
        # are committed and broadcast in the order sent); different connections still run concurrently.
        async_handlers=False,
    )


async def _every(seconds: float, job: Callable[[], Awaitable[None]], name: str) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("background job %s failed", name)


def realtime_ctx(ctx: RealtimeContext) -> Callable[[web.Application], AsyncIterator[None]]:
    """Start-up and shutdown of the room's background tasks (viewers, heartbeats, samples,
    signals, closing due polls) and of the subscribers."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        services = app[SERVICES]
        presence = services.presence
        for callback in ctx.services_ready:
            callback(services)
        events = app[EVENTS]
        subscribers = Subscribers(ctx, services, redis=app[REDIS], prefix=app[SETTINGS].redis_prefix)
        unsubscribe = subscribers.install(events)

        ready = asyncio.Event()
        tasks = [
            asyncio.create_task(_every(VIEWERS_EVERY_S, services.rooms.announce_viewers, "viewers")),
            asyncio.create_task(_every(max(0.5, presence.ttl_s / 3), presence.heartbeat, "heartbeat")),
            asyncio.create_task(_every(max(0.5, presence.sample_s), _ignore(presence.sample), "samples")),
            asyncio.create_task(services.signals.listen(ready)),
            # polls whose end time has passed close (and tell their room)
            asyncio.create_task(_every(CLOSE_POLLS_EVERY_S, _ignore(services.polls.close_due), "polls")),
        ]
        if services.signals.redis is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    await ready.wait()
        yield
        await events.idle()
        unsubscribe()
        await subscribers.close()
        for task in tasks:
            task.cancel()
        # bounded: a job that swallows its cancellation must not hold the shutdown forever
        _done, stuck = await asyncio.wait(tasks, timeout=SHUTDOWN_S)
        if stuck:
            log.warning(
                "%d background jobs did not stop within %s s of being cancelled", len(stuck), SHUTDOWN_S
            )
        await _hang_up_all(ctx)
        with contextlib.suppress(Exception):
            async with asyncio.timeout(SHUTDOWN_S):
                await presence.close()
        # engine.io's ping service task (started at the first connection) runs until this: left
        # running it kept the whole application alive, and in the tests one such task per test
        # woke on the shared event loop for the rest of the run. Bounded like every step here:
        # on the deadline the task is cancelled with the shutdown that awaits it.
        try:
            async with asyncio.timeout(SHUTDOWN_S):
                await ctx.sio.shutdown()
        except TimeoutError:
            log.warning("engine.io's service task did not stop within %s s; cancelled", SHUTDOWN_S)
        await stop_client_manager(ctx.sio.manager)

    return context


async def _hang_up_all(ctx: RealtimeContext) -> None:
    """Disconnect this process's sockets (one that fails is skipped), for at most SHUTDOWN_S."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(SHUTDOWN_S):
            for sid in list(ctx.connections):
                with contextlib.suppress(Exception):
                    await ctx.sio.disconnect(sid)


def on_shutdown(ctx: RealtimeContext) -> Callable[[web.Application], Awaitable[None]]:
    """Close this process's sockets first, so that the server does not wait for them to end."""

    async def close_sockets(_app: web.Application) -> None:
        environs = list(ctx.sio.environ.values())
        await _hang_up_all(ctx)
        # A websocket handler only ends when its peer closes or pings time out: close the transports.
        for environ in environs:
            transport = getattr(environ.get("aiohttp.request"), "transport", None)
            if transport is not None:
                transport.close()

    return close_sockets


def _ignore(job: Callable[[], Awaitable[Any]]) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await job()

    return run
