"""The moderation console of a session: held messages first, one-click actions, the audit log."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from live.errors import Forbidden
from live.http.auth import ACTOR
from live.http.params import path_id
from live.http.templates import render
from live.keys import SERVICES

routes = web.RouteTableDef()


@routes.get("/moderate/{id}")
async def moderate_page(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    session = await services.rooms.get(path_id(request))
    actor = request[ACTOR]
    if not actor.is_user:
        raise web.HTTPSeeOther(f"/login?next={quote(request.path_qs, safe='')}")
    if not actor.can("moderator", session.community_id):
        raise Forbidden("needs moderator of this community")
    community = await services.places.by_id(session.community_id)
    config = {
        "session": str(session.id),
        "community": community.slug,
        "status": session.status,
        "chat_open": session.chat_open,
        "slow_mode": session.slow_mode_s,
    }
    context = {"session": session, "community": community, "config": config, "interact_staff": True}
    return render(request, "moderate.html", context)
