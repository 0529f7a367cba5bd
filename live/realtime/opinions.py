"""Opinions on the socket: residents raise them, moderators see them arrive, the host shows an
agenda item's outcome on the watch page ("you said, we did")."""

from __future__ import annotations

import logging
from typing import Any

import socketio

from live import schemas
from live.payloads import opinion_payload
from live.realtime.acks import Ack, acked
from live.realtime.context import RealtimeContext
from live.realtime.rooms import connection_of, current_actor

log = logging.getLogger(__name__)


def register(sio: socketio.AsyncServer, ctx: RealtimeContext) -> None:
    async def opinion(sid: str, data: dict[str, Any]) -> Ack:
        actor = connection_of(ctx, sid).actor
        form = schemas.decode_payload(data, schemas.RaiseOpinion)
        made = await ctx.services.opinions.submit(
            actor,
            text=form.text or "",
            session_id=form.session,
            category=form.category,
            location=form.location,
            source="watch_form",
        )
        community = await ctx.services.places.by_id(made.community_id)
        return {"ok": True, "opinion": opinion_payload(made, community.slug)}

    async def showcase(sid: str, data: dict[str, Any]) -> Ack:
        """The host shows an agenda item (its outcome) to everyone watching the session: the
        room hears of it through the ``ItemShowcased`` event (``subscribers.item_showcased``)."""
        actor = await current_actor(ctx, sid)
        form = schemas.decode_payload(data, schemas.Showcase)
        await ctx.services.rooms.showcase(actor, form.session, form.item)
        return {"ok": True}

    sio.on("opinion", acked(opinion))
    sio.on("showcase", acked(showcase))
