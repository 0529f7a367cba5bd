"""A session's chat messages and viewer samples over HTTP."""

from __future__ import annotations

from aiohttp import web

from live import schemas
from live.http.auth import ACTOR
from live.http.params import path_id, query
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import iso, message_payload

routes = web.RouteTableDef()


@routes.get("/api/sessions/{id}/messages")
async def list_messages(request: web.Request) -> web.Response:
    """Messages in order; moderators of the community also see held and hidden ones."""
    services = request.app[SERVICES]
    session = await services.rooms.get(path_id(request))
    q = query(request, schemas.MessageList)
    moderator = request[ACTOR].can("moderator", session.community_id)
    messages = await services.chat.list(
        session.id, moderator=moderator, after=q.after, limit=q.limit, from_ms=q.from_ms, to_ms=q.to_ms
    )
    return json_response([message_payload(m) for m in messages])


@routes.get("/api/sessions/{id}/viewers")
async def list_viewers(request: web.Request) -> web.Response:
    """Viewer samples ``[{t, viewers}]`` over the session (at least one per 10 s while live)."""
    services = request.app[SERVICES]
    session = await services.rooms.get(path_id(request))
    q = query(request, schemas.PageOnly)
    samples = await services.presence.samples(session.id, limit=q.limit, after=q.after)
    return json_response([{"id": str(x.id), "t": iso(x.at), "viewers": x.viewers} for x in samples])
