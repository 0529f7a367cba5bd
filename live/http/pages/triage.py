"""The community-wide triage page: opinions from door visits, meetings and the web, and staff entry."""

from __future__ import annotations

from aiohttp import web

from live.http.pages.staff import staff_community
from live.http.templates import render

routes = web.RouteTableDef()


@routes.get("/triage")
async def triage_page(request: web.Request) -> web.Response:
    community, choices = await staff_community(request)
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
