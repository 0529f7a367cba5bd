"""The home page: live now, upcoming and recent sessions per community, and totals."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from live.http.community_choice import chosen_community, remember_community
from live.http.templates import STATIC, render
from live.keys import SERVICES

routes = web.RouteTableDef()


@routes.get("/")
async def home(request: web.Request) -> web.Response:
    """Live now, then the person's own community in full (chosen once and remembered), and the
    other communities as a short list to choose from."""
    services = request.app[SERVICES]
    communities = await services.places.communities()
    known = {c.slug for c in communities}
    mine = chosen_community(request, known)
    live = await services.rooms.list("live", limit=50)
    upcoming = await services.rooms.list("scheduled", limit=200)
    recent = await services.rooms.list("ended", limit=200)
    next_of: dict[int, Any] = {}
    for s in sorted(upcoming, key=lambda s: (s.scheduled_at is None, s.scheduled_at)):
        next_of.setdefault(s.community_id, s)
    group: dict[str, Any] | None = None
    for community in communities:
        if community.slug == mine:
            group = {
                "community": community,
                "live": [s for s in live if s.community_id == community.id],
                "upcoming": sorted(
                    (s for s in upcoming if s.community_id == community.id),
                    key=lambda s: (s.scheduled_at is None, s.scheduled_at),
                )[:3],
                "recent": sorted(
                    (s for s in recent if s.community_id == community.id),
                    key=lambda s: s.ended_at or s.created_at,
                    reverse=True,
                )[:3],
            }
    others = [
        {"community": c, "next": next_of.get(c.id), "live": any(s.community_id == c.id for s in live)}
        for c in communities
        if c.slug != mine
    ]
    totals = {"communities": len(communities), "sessions": len(recent) + len(live), "live": len(live)}
    response = render(
        request, "home.html", {"group": group, "others": others, "live": live, "totals": totals}
    )
    remember_community(request, response, known)
    return response


@routes.get("/favicon.ico")
async def favicon(request: web.Request) -> web.FileResponse:
    """The site icon browsers ask for on every page."""
    response = web.FileResponse(STATIC / "favicon.ico", headers={"Cache-Control": "public, max-age=86400"})
    response.content_type = "image/x-icon"
    return response
