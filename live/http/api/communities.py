"""Communities."""

from __future__ import annotations

from aiohttp import web

from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import community_payload

routes = web.RouteTableDef()


@routes.get("/api/communities")
async def list_communities(request: web.Request) -> web.Response:
    communities = await request.app[SERVICES].places.communities()
    return json_response([community_payload(c) for c in communities])
