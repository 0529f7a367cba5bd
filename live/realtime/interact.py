"""Polls and the question queue on the socket: the one place that turns their events into emits.

- ``poll`` (the poll object with its counts) to the session's room: at once when a poll opens or
  closes, at most once a second (across processes, through Redis) while votes come in.
- ``question`` to the session's moderators for every change; to the whole room only while the
  question is public (approved, answering, answered); when it leaves the public queue (rejected,
  merged) the room gets ``{id, session, status}`` without its text.

Also the background job closing polls whose end time has passed (meeting reminders are part of
the scheduled jobs, live/services/jobs.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import socketio
from aiohttp import web

from live.errors import NotFound
from live.events import Event, PollChanged, QuestionChanged
from live.keys import REDIS
from live.payloads import poll_payload, question_payload
from live.realtime.context import RealtimeContext, session_room, staff_room
from live.realtime.emit_throttle import EmitThrottle
from live.services.container import Services
from live.services.questions import PUBLIC

log = logging.getLogger(__name__)
POLL_EMIT_EVERY_S = 1.0
CLOSE_DUE_EVERY_S = 1.0


def register(_sio: socketio.AsyncServer, ctx: RealtimeContext) -> None:
    state: dict[str, EmitThrottle] = {}

    async def emit_poll(poll_id: int) -> None:
        try:
            view = await ctx.services.polls.get(None, poll_id)
        except NotFound:
            return
        await ctx.fanout.broadcast(session_room(view.poll.session_id), "poll", poll_payload(view))

    async def emit_question(question_id: int) -> None:
        question = await ctx.services.questions.current(question_id)
        if question is None:
            return
        payload = question_payload(question)
        await ctx.fanout.broadcast(staff_room(question.community_id), "question", payload)
        if question.status in PUBLIC:
            public = payload
        elif question.status in ("rejected", "merged"):
            public = {"id": payload["id"], "session": payload["session"], "status": question.status}
        else:
            return
        # staff are in the room too: they get the staff copy above and skip nothing (same content)
        await ctx.fanout.broadcast(session_room(question.session_id), "question", public)

    async def on_event(event: Event) -> None:
        if isinstance(event, PollChanged):
            throttle = state.get("polls")
            if throttle is None:
                return
            if event.change == "voted":
                await throttle.poke(event.poll_id)
            else:
                await throttle.now(event.poll_id)
        elif isinstance(event, QuestionChanged):
            await emit_question(event.question_id)

    def subscribe(services: Services) -> None:
        services.events.subscribe(on_event)

    ctx.services_ready.append(subscribe)

    async def jobs(app: web.Application) -> AsyncIterator[None]:
        settings = ctx.services.settings
        state["polls"] = EmitThrottle(
            emit_poll, interval_s=POLL_EMIT_EVERY_S, redis=app[REDIS], prefix=settings.redis_prefix
        )

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
        await state.pop("polls").close()

    ctx.app.cleanup_ctx.append(jobs)
