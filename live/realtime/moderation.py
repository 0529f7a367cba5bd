"""The ``moderate`` event: staff act on messages, people and the room (the moderation service's
events reach the rooms through ``live/realtime/subscribers.py``)."""

from __future__ import annotations

import logging
from typing import Any

import socketio

from live import schemas
from live.errors import Invalid
from live.payloads import opinion_payload
from live.realtime.acks import Ack, acked
from live.realtime.context import RealtimeContext
from live.realtime.rooms import current_actor
from live.services.actors import Actor
from live.services.moderation import Request

log = logging.getLogger(__name__)


def parse_request(data: dict[str, Any]) -> Request:
    if not isinstance(data.get("action"), str):
        raise Invalid("action is required", code="bad_action", field="action")
    seconds = data.get("seconds")
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int | float)):
        raise Invalid("seconds must be a number", code="bad_seconds", field="seconds")
    if isinstance(seconds, float) and seconds.is_integer():
        data = {**data, "seconds": int(seconds)}
    try:
        form = schemas.decode_payload(data, schemas.Moderate)
    except Invalid as err:
        if err.field == "seconds":
            raise Invalid(err.detail, code="bad_seconds", field="seconds") from err
        raise
    return Request(
        action=form.action or "",
        message_id=form.message,
        person=form.user,
        seconds=form.seconds,
        reason=form.reason or "",
    )


async def to_opinion(ctx: RealtimeContext, actor: Actor, session_id: int, data: dict[str, Any]) -> Ack:
    message_id = schemas.decode_payload(data, schemas.Moderate).message
    if message_id is None:
        raise Invalid("message is required", code="missing_field", field="message")
    opinion, slug = await ctx.services.opinions.to_opinion(
        actor, session_id, message_id, str(data.get("reason") or "")
    )
    return {"ok": True, "opinion": opinion_payload(opinion, slug, staff=True)}


def register(sio: socketio.AsyncServer, ctx: RealtimeContext) -> None:
    async def moderate(sid: str, data: dict[str, Any]) -> Ack:
        actor = await current_actor(ctx, sid)
        session_id = schemas.decode_payload({"session": data.get("session")}, schemas.JoinSession).session
        if data.get("action") == "to_opinion":
            return await to_opinion(ctx, actor, session_id, data)
        await ctx.services.moderation.act(actor, session_id, parse_request(data))
        return {"ok": True}

    sio.on("moderate", acked(moderate))
