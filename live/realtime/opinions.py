"""Opinions on the socket: residents raise them, moderators see them arrive, the host shows an
agenda item's outcome on the watch page ("you said, we did")."""

from __future__ import annotations

import logging
from typing import Any

import socketio

from live import schemas
from live.errors import NotFound
from live.events import Event, OpinionChanged, OpinionCreated
from live.payloads import agenda_payload, opinion_payload
from live.realtime.acks import Ack, acked
from live.realtime.context import RealtimeContext, session_room, staff_room
from live.realtime.rooms import connection_of
from live.services.actors import require_staff
from live.services.container import Services
from live.storage.opinions import Opinion

log = logging.getLogger(__name__)


async def _load(services: Services, opinion_id: int) -> tuple[Opinion, str] | None:
    async with services.db.read() as s:
        opinion = await s.get(Opinion, opinion_id)
    if opinion is None:
        return None
    community = await services.places.by_id(opinion.community_id)
    return opinion, community.slug


def register(sio: socketio.AsyncServer, ctx: RealtimeContext) -> None:
    async def on_event(event: Event) -> None:
        """Committed opinions reach the session's moderators (full) and viewers (public)."""
        if isinstance(event, OpinionCreated):
            loaded = await _load(ctx.services, event.opinion_id)
            if loaded is None:
                return
            opinion, slug = loaded
            staff = opinion_payload(opinion, slug, staff=True)
            await ctx.fanout.broadcast(staff_room(opinion.community_id), "opinion", staff)
            if opinion.session_id is not None and opinion.public:
                public = opinion_payload(opinion, slug)
                await ctx.fanout.broadcast(session_room(opinion.session_id), "session_opinion", public)
        elif isinstance(event, OpinionChanged) and event.session_id is not None:
            loaded = await _load(ctx.services, event.opinion_id)
            if loaded is None:
                return
            opinion, slug = loaded
            update = {
                "session": str(event.session_id),
                "id": str(opinion.id),
                "status": opinion.status,
                "supporters": opinion.supporters,
                "merged_into": str(opinion.merged_into_id) if opinion.merged_into_id else None,
            }
            await ctx.fanout.broadcast(session_room(event.session_id), "opinion_update", update)

    def subscribe(services: Services) -> None:
        services.events.subscribe(on_event)

    ctx.services_ready.append(subscribe)

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
        actor = connection_of(ctx, sid).actor
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
                "supporters": sum(o.supporters for o in view.opinions),
                "opinions": len(view.opinions),
                "ratings": account.ratings,
            },
        }
        await ctx.fanout.broadcast(session_room(session.id), "showcase", payload)
        return {"ok": True}

    sio.on("opinion", acked(opinion))
    sio.on("showcase", acked(showcase))
