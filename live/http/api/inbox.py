"""A person's in-app inbox (signed-in users and guests alike)."""

from __future__ import annotations

from aiohttp import web

from live import schemas
from live.http.auth import ACTOR
from live.http.i18n import request_language
from live.http.notices import render_inbox
from live.http.params import query
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import inbox_payload

routes = web.RouteTableDef()


@routes.get("/api/inbox")
async def inbox(request: web.Request) -> web.Response:
    q = query(request, schemas.PageOnly)
    entries = await request.app[SERVICES].inbox.entries(request[ACTOR], q.limit, q.after)
    lang = request_language(request)
    return json_response([inbox_payload(e, render_inbox(e.kind, e.params, lang)) for e in entries])


@routes.post("/api/inbox/read")
async def mark_read(request: web.Request) -> web.Response:
    await request.app[SERVICES].inbox.mark_read(request[ACTOR])
    return json_response({"unread": 0})
