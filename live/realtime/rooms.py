"""Joining and leaving a session's room: history, viewer counts and who you are."""

from __future__ import annotations

from typing import Any

import socketio

from live import schemas
from live.errors import Unauthenticated
from live.realtime.acks import Ack, acked
from live.realtime.context import Connection, RealtimeContext, session_room, staff_room
from live.services.chat import ChatRefused, message_payload
from live.services.sanctions import active_ban


def connection_of(ctx: RealtimeContext, sid: str) -> Connection:
    connection = ctx.connections.get(sid)
    if connection is None:
        raise Unauthenticated("connect again")
    return connection


def joined_session(ctx: RealtimeContext, sid: str, data: dict[str, Any]) -> tuple[Connection, int]:
    """The connection and the session id of an event, refusing sessions it has not joined."""
    connection = connection_of(ctx, sid)
    session_id = schemas.decode_payload({"session": data.get("session")}, schemas.LeaveSession).session
    if session_id not in connection.sessions:
        raise ChatRefused("join the session first", code="not_joined")
    return connection, session_id


def register(sio: socketio.AsyncServer, ctx: RealtimeContext) -> None:
    async def join(sid: str, data: dict[str, Any]) -> Ack:
        connection = connection_of(ctx, sid)
        actor = connection.actor
        services = ctx.services
        session = await services.rooms.get(schemas.decode_payload(data, schemas.JoinSession).session)
        async with services.db.read() as s:
            if await active_ban(s, session.community_id, actor):
                raise ChatRefused("you are banned from this community's chat", code="banned")
        if sid not in ctx.connections:
            raise Unauthenticated("disconnected")
        if session.id not in connection.sessions:
            connection.sessions[session.id] = session.community_id
            await sio.enter_room(sid, session_room(session.id))
            if actor.can("moderator", session.community_id):
                await sio.enter_room(sid, staff_room(session.community_id))
            if session.status != "ended":  # replays of a past broadcast don't change its numbers
                await services.presence.join(session.id, actor.key)
        history = await services.chat.history(session.id)
        counts = await services.presence.counts(session.id)
        pinned = await services.moderation.pinned(session)
        return {
            "ok": True,
            "history": [message_payload(m) for m in history],
            "viewers": counts.payload(),
            "you": {"id": actor.public_id, "name": actor.name, "role": actor.role},
            "pinned": message_payload(pinned) if pinned else None,
            "chat_state": {
                "session": str(session.id),
                "open": session.chat_open,
                "slow_mode": session.slow_mode_s,
            },
            "status": session.status,
        }

    async def leave(sid: str, data: dict[str, Any]) -> Ack:
        connection = connection_of(ctx, sid)
        session_id = schemas.decode_payload(data, schemas.LeaveSession).session
        community_id = connection.sessions.pop(session_id, None)
        if community_id is None:
            return {"ok": True}
        await sio.leave_room(sid, session_room(session_id))
        if community_id not in connection.sessions.values():
            await sio.leave_room(sid, staff_room(community_id))
        await ctx.services.presence.leave(session_id, connection.actor.key)
        return {"ok": True}

    sio.on("join", acked(join))
    sio.on("leave", acked(leave))
