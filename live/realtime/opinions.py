"""Opinions on the socket: residents raise them, moderators see them arrive, the host shows an
agenda item's outcome on the watch page ("you said, we did")."""

from __future__ import annotations

import logging
from typing import Any

import socketio

from live import schemas
from live.errors import NotFound
from live.payloads import agenda_payload, opinion_payload
from live.realtime.acks import Ack, acked
from live.realtime.context import RealtimeContext, session_room
from live.realtime.rooms import connection_of, current_actor
from live.services.actors import require_staff

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
        """The host shows an agenda item (its outcome) to everyone watching the session."""
        # TODO(arch): still emits by itself; Rooms.showcase + ItemShowcased carry neither the
        # announced moment nor the party and ratings yet.
        actor = await current_actor(ctx, sid)
        services = ctx.services
        form = schemas.decode_payload(data, schemas.Showcase)
        session = await services.rooms.get(form.session)
        require_staff(actor, "host", session.community_id)
        view = await services.agenda.view(form.item)
        if view.item.community_id != session.community_id:
            raise NotFound("no such agenda item in this community")
        if session.status == "live":
            await services.moments.announce(actor, session, view.item.id)
        account = await services.accountability.view(view.item.id)
        party = account.party.name if account.party else None
        payload = {
            "session": str(session.id),
            "item": {
                **agenda_payload(view.item, view.community, party_name=party),
                "opinions": len(view.opinions),
                "ratings": account.ratings,
            },
        }
        await ctx.fanout.broadcast(session_room(session.id), "showcase", payload)
        return {"ok": True}

    sio.on("opinion", acked(opinion))
    sio.on("showcase", acked(showcase))
