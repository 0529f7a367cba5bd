"""The ``chat`` event: post through the chat service, then broadcast what was committed."""

from __future__ import annotations

from typing import Any

import socketio

from live import schemas
from live.realtime.acks import Ack, acked
from live.realtime.context import RealtimeContext, session_room, staff_room
from live.realtime.rooms import joined_session
from live.services.chat import VISIBLE, message_payload


def register(sio: socketio.AsyncServer, ctx: RealtimeContext) -> None:
    async def chat(sid: str, data: dict[str, Any]) -> Ack:
        form = schemas.decode_payload(data, schemas.ChatMessage)
        connection, session_id = joined_session(ctx, sid, data)
        posted = await ctx.services.chat.submit(connection.actor, session_id, form.text, form.nonce)
        message = posted.message
        payload = message_payload(message)
        if posted.replayed:
            pass  # a resent nonce: the first copy was broadcast already
        elif message.status == VISIBLE:
            await ctx.fanout.broadcast(session_room(session_id), "chat", payload)
        else:
            await ctx.fanout.broadcast(staff_room(message.community_id), "held", payload)
        return {"ok": True, "message": payload}

    sio.on("chat", acked(chat))
