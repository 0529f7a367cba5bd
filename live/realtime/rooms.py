"""Joining and leaving a session's room: history, viewer counts and who you are."""

from __future__ import annotations

from typing import Any

import socketio

from live import schemas
from live.errors import Invalid, Unauthenticated
from live.payloads import message_payload
from live.realtime.acks import Ack, acked
from live.realtime.context import (
    Connection,
    RealtimeContext,
    item_room,
    meeting_room,
    session_room,
    staff_room,
)
from live.services.actors import Actor
from live.services.chat import ChatRefused
from live.storage.rooms import LiveSession


def connection_of(ctx: RealtimeContext, sid: str) -> Connection:
    connection = ctx.connections.get(sid)
    if connection is None or connection.revoked:
        raise Unauthenticated("connect again")
    return connection


async def current_actor(ctx: RealtimeContext, sid: str) -> Actor:
    """The connection's actor for an action that needs an account's powers (moderation, the
    host's showcase): a signed-in socket's session is looked up again, so that a sign-out,
    disabling or role change takes effect even before its signal reaches this process."""
    connection = connection_of(ctx, sid)
    actor = connection.actor
    if not actor.is_user or connection.token is None:
        return actor
    resolved = await ctx.services.accounts.resolve(connection.token, actor.address)
    if resolved is None or resolved[0] != actor:
        connection.revoked = True
        await ctx.sio.emit("reload", {}, to=sid)
        await ctx.sio.disconnect(sid)
        raise Unauthenticated("your sign-in ended; sign in again")
    return actor


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

        async def enter(session: LiveSession) -> bool:
            if sid not in ctx.connections:
                raise Unauthenticated("disconnected")
            if session.id in connection.sessions:
                return False
            connection.sessions[session.id] = session.community_id
            await sio.enter_room(sid, session_room(session.id))
            if actor.can("moderator", session.community_id):
                await sio.enter_room(sid, staff_room(session.community_id))
            return True

        session_id = schemas.decode_payload(data, schemas.JoinSession).session
        welcome = await ctx.services.chat.join(actor, session_id, enter)
        session = welcome.session
        return {
            "ok": True,
            "history": [message_payload(m) for m in welcome.history],
            "viewers": welcome.counts.payload(),
            "you": {"id": actor.public_id, "name": actor.name, "role": actor.role},
            "pinned": message_payload(welcome.pinned) if welcome.pinned else None,
            "chat_state": {
                "session": str(session.id),
                "open": session.chat_open,
                "slow_mode": session.slow_mode_s,
            },
            "status": session.status,
            "muted": welcome.muted.extra() if welcome.muted else None,
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

    async def watch(sid: str, data: dict[str, Any]) -> Ack:
        """A page follows one agenda item (``vote`` events) or one meeting (``meeting`` events);
        their payloads are public, so anyone may."""
        connection_of(ctx, sid)
        wanted = schemas.decode_payload(data, schemas.Watch)
        if wanted.item is not None:
            view = await ctx.services.agenda.view(wanted.item)
            await sio.enter_room(sid, item_room(view.item.id))
        elif wanted.meeting is not None:
            meeting = await ctx.services.meetings.view(wanted.meeting)
            await sio.enter_room(sid, meeting_room(meeting.meeting.id))
        else:
            raise Invalid("item or meeting is required", code="missing_field")
        return {"ok": True}

    sio.on("join", acked(join))
    sio.on("leave", acked(leave))
    sio.on("watch", acked(watch))
