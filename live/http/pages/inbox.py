"""A person's inbox page: what changed on the agenda items they follow."""

from __future__ import annotations

from aiohttp import web

from live.http.auth import ACTOR
from live.http.templates import render
from live.keys import SERVICES

routes = web.RouteTableDef()


@routes.get("/inbox")
async def inbox_page(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    entries = await services.inbox.entries(request[ACTOR], limit=200)
    return render(request, "inbox.html", {"entries": entries})


@routes.post("/inbox/read")
async def mark_read(request: web.Request) -> web.Response:
    await request.app[SERVICES].inbox.mark_read(request[ACTOR])
    raise web.HTTPSeeOther("/inbox")
