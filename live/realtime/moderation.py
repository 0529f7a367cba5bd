"""The ``moderate`` event: staff act on messages, people and the room; results are broadcast."""

from __future__ import annotations

import logging
from typing import Any

import socketio

from live import schemas
from live.errors import Invalid
from live.payloads import opinion_payload
from live.realtime.acks import Ack, acked
from live.realtime.context import RealtimeContext, session_room
from live.realtime.rooms import connection_of
from live.services.actors import Actor
from live.services.chat import message_payload
from live.services.moderation import Outcome, Request
from live.services.sanctions import address_applies

log = logging.getLogger(__name__)
KICK = "kick"


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


async def broadcast_outcome(ctx: RealtimeContext, out: Outcome) -> None:
    """Tell every viewer what a committed moderation action changed."""
    fanout, session = ctx.fanout, out.session
    for message in out.shown:
        await fanout.broadcast(session_room(message.session_id), "chat", message_payload(message))
    for message in out.hidden:
        await fanout.broadcast(
            session_room(message.session_id),
            "hide",
            {"session": str(message.session_id), "message": str(message.id)},
        )
    if out.pin_changed:
        payload = message_payload(out.pinned) if out.pinned else None
        await fanout.broadcast(
            session_room(session.id), "pin", {"session": str(session.id), "message": payload}
        )
    if out.chat_state_changed:
        await fanout.broadcast(
            session_room(session.id),
            "chat_state",
            {"session": str(session.id), "open": session.chat_open, "slow_mode": session.slow_mode_s},
        )
    if out.banned:
        await ctx.services.signals.publish(
            KICK, {"community": session.community_id, "person": out.banned, "address": out.banned_address}
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
    async def kick(payload: dict[str, Any]) -> None:
        """Disconnect this process's sockets of a banned person (or from their address)."""
        person, address = payload.get("person"), payload.get("address")
        for sid, connection in list(ctx.connections.items()):
            actor = connection.actor
            by_address = bool(address) and address_applies(actor) and actor.address == address
            if actor.key == person or by_address:
                await sio.disconnect(sid)

    ctx.services_ready.append(lambda services: services.signals.on(KICK, kick))

    async def moderate(sid: str, data: dict[str, Any]) -> Ack:
        actor = connection_of(ctx, sid).actor
        session_id = schemas.decode_payload({"session": data.get("session")}, schemas.JoinSession).session
        if data.get("action") == "to_opinion":
            return await to_opinion(ctx, actor, session_id, data)
        out = await ctx.services.moderation.act(actor, session_id, parse_request(data))
        await broadcast_outcome(ctx, out)
        return {"ok": True}

    sio.on("moderate", acked(moderate))
