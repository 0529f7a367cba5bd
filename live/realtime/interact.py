"""Polls on the realtime side: the background job closing polls whose end time has passed.

Their emits (``poll``, throttled across processes, and ``question``) are made from their events
by ``live/realtime/subscribers.py`` like every other emit; meeting reminders are part of the
scheduled jobs (live/services/jobs.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import socketio
from aiohttp import web

from live.realtime.context import RealtimeContext

log = logging.getLogger(__name__)
CLOSE_DUE_EVERY_S = 1.0


def register(_sio: socketio.AsyncServer, ctx: RealtimeContext) -> None:
    async def jobs(_app: web.Application) -> AsyncIterator[None]:
        async def close_due() -> None:
            while True:
                await asyncio.sleep(CLOSE_DUE_EVERY_S)
                try:
                    await ctx.services.polls.close_due()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("closing due polls failed")

        tasks = [asyncio.create_task(close_due())]
        yield
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    ctx.app.cleanup_ctx.append(jobs)
