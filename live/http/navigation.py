"""Navigation state for pages: computed once per page request for staff, read by templates."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from live.http.auth import ACTOR
from live.keys import SERVICES
from live.services.navigation import NavState

NAV = web.RequestKey("nav", NavState)
_NOT_PAGES = ("/api/", "/static/", "/hls/", "/socket.io/", "/metrics", "/healthz", "/favicon.ico")


@web.middleware
async def navigation_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method == "GET" and not request.path.startswith(_NOT_PAGES):
        actor = request.get(ACTOR)
        if actor is not None and actor.is_staff:
            request[NAV] = await request.app[SERVICES].navigation.for_actor(actor)
    return await handler(request)


def setup_navigation(app: web.Application) -> None:
    app.middlewares.append(navigation_middleware)
