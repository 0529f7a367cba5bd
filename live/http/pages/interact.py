"""The presenter view of a session (the question being answered, very large) and the door's
check-in page of a meeting (scan a QR code with the phone camera, type a code, or pick a name),
and the grid worker's desk: entries on behalf of residents without phones (网格员代录)."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from live.errors import Forbidden
from live.http.auth import ACTOR
from live.http.pages.staff import staff_community
from live.http.params import path_id
from live.http.templates import render
from live.keys import SERVICES
from live.services.actors import Actor

routes = web.RouteTableDef()


def _signed_in(request: web.Request) -> Actor:
    actor: Actor = request[ACTOR]
    if not actor.is_user:
        raise web.HTTPSeeOther(f"/login?next={quote(request.path_qs, safe='')}")
    return actor


@routes.get("/host/{id}/presenter")
async def presenter(request: web.Request) -> web.Response:
    actor = _signed_in(request)
    services = request.app[SERVICES]
    session = await services.rooms.get(path_id(request))
    if not actor.can("moderator", session.community_id):
        raise Forbidden("needs moderator or host of this community")
    answering = await services.questions.answering(session.id)
    config = {"session": str(session.id), "answering": str(answering.id) if answering else None}
    return render(request, "presenter.html", {"session": session, "answering": answering, "config": config})


@routes.get("/meetings/{id}/checkin")
async def checkin_page(request: web.Request) -> web.Response:
    actor = _signed_in(request)
    services = request.app[SERVICES]
    view = await services.meetings.view(path_id(request))
    if not actor.can("moderator", view.meeting.community_id):
        raise Forbidden("needs moderator of this community")
    config = {"meeting": str(view.meeting.id)}
    return render(request, "checkin.html", {"meeting": view.meeting, "config": config})


@routes.get("/on-behalf")
async def on_behalf_page(request: web.Request) -> web.Response:
    """A moderator enters an opinion, a support, a rating or a household vote for a named
    resident of a household picked by building, unit and room, with their consent."""
    community, choices = await staff_community(request)
    desk = await request.app[SERVICES].onbehalf.desk(request[ACTOR], community)
    return render(
        request,
        "on_behalf.html",
        {
            "desk": desk,
            "community": community,
            "choices": choices,
            "config": {"community": community.slug, "me": request[ACTOR].name},
        },
    )
