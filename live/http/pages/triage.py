"""The community-wide triage page: opinions from door visits, meetings and the web, and staff entry."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from live.errors import Forbidden
from live.http.auth import ACTOR
from live.http.templates import render
from live.keys import SERVICES

routes = web.RouteTableDef()


@routes.get("/triage")
async def triage_page(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    actor = request[ACTOR]
    if not actor.is_user:
        raise web.HTTPSeeOther(f"/login?next={quote(request.path_qs, safe='')}")
    if not actor.is_staff:
        raise Forbidden("needs a moderator")
    communities = await services.places.communities()
    wanted = request.query.get("community") or actor.community_slug
    community = next((c for c in communities if c.slug == wanted), None)
    if community is None and actor.is_admin and communities:
        community = communities[0]
    if community is None or not actor.can("moderator", community.id):
        raise Forbidden("needs moderator of this community")
    choices = communities if actor.is_admin else [community]
    return render(
        request,
        "triage.html",
        {
            "community": community,
            "choices": choices,
            "triage_community": community.slug,
            "triage_session": None,
        },
    )
