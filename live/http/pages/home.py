"""The home page: live now, upcoming and recent sessions per community, and totals."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from live.http.templates import STATIC, render
from live.keys import SERVICES

routes = web.RouteTableDef()


@routes.get("/")
async def home(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    communities = await services.places.communities()
    live = await services.rooms.list("live", limit=50)
    upcoming = await services.rooms.list("scheduled", limit=200)
    recent = await services.rooms.list("ended", limit=200)
    by_community: list[dict[str, Any]] = []
    for community in communities:
        mine = [s for s in upcoming if s.community_id == community.id]
        by_community.append(
            {
                "community": community,
                "live": [s for s in live if s.community_id == community.id],
                "upcoming": sorted(mine, key=lambda s: (s.scheduled_at is None, s.scheduled_at))[:3],
                "recent": sorted(
                    (s for s in recent if s.community_id == community.id),
                    key=lambda s: s.ended_at or s.created_at,
                    reverse=True,
                )[:3],
            }
        )
    by_community.sort(key=lambda c: (not c["live"], not c["upcoming"], c["community"].id))
    totals = {
        "communities": len(communities),
        "sessions": len(recent) + len(live),
        "live": len(live),
        **(await services.places.counts()),
    }
    return render(request, "home.html", {"groups": by_community, "live": live, "totals": totals})


@routes.get("/favicon.ico")
async def favicon(request: web.Request) -> web.FileResponse:
    """The site icon browsers ask for on every page."""
    response = web.FileResponse(STATIC / "favicon.ico", headers={"Cache-Control": "public, max-age=86400"})
    response.content_type = "image/x-icon"
    return response
