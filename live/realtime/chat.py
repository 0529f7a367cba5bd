"""The ``chat`` event: post through the chat service and ack what was committed (the chat
service's ``MessagePosted`` event reaches the room through ``live/realtime/subscribers.py``)."""

from __future__ import annotations

from typing import Any

import socketio

from live import schemas
from live.payloads import message_payload
from live.realtime.acks import Ack, acked
from live.realtime.context import RealtimeContext
from live.realtime.rooms import joined_session


def register(sio: socketio.AsyncServer, ctx: RealtimeContext) -> None:
    async def chat(sid: str, data: dict[str, Any]) -> Ack:
        form = schemas.decode_payload(data, schemas.ChatMessage)
        connection, session_id = joined_session(ctx, sid, data)
        posted = await ctx.services.chat.submit(connection.actor, session_id, form.text, form.nonce)
        return {"ok": True, "message": message_payload(posted.message)}

    sio.on("chat", acked(chat))
