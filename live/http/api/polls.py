"""Polls during a broadcast: open, vote, close, read (CONTRACT §8)."""

from __future__ import annotations

from aiohttp import web

from live import schemas
from live.http.auth import ACTOR
from live.http.params import body, moment, path_id
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import poll_payload

routes = web.RouteTableDef()


@routes.post("/api/sessions/{id}/polls")
async def open_poll(request: web.Request) -> web.Response:
    form = await body(request, schemas.OpenPoll)
    view = await request.app[SERVICES].polls.open(
        request[ACTOR],
        path_id(request),
        question=form.question,
        options=form.options,
        multiple=bool(form.multiple),
        closes_at=moment(form.closes_at, "closes_at"),
    )
    return json_response(poll_payload(view), status=201)


@routes.get("/api/sessions/{id}/polls")
async def session_polls(request: web.Request) -> web.Response:
    views = await request.app[SERVICES].polls.of_session(request[ACTOR], path_id(request))
    return json_response([poll_payload(v) for v in views])


@routes.post("/api/polls/{id}/vote")
async def vote(request: web.Request) -> web.Response:
    form = await body(request, schemas.Vote)
    view = await request.app[SERVICES].polls.vote(request[ACTOR], path_id(request), form.options)
    return json_response(poll_payload(view))


@routes.post("/api/polls/{id}/close")
async def close_poll(request: web.Request) -> web.Response:
    view = await request.app[SERVICES].polls.close(request[ACTOR], path_id(request))
    return json_response(poll_payload(view))


@routes.get("/api/polls/{id}")
async def get_poll(request: web.Request) -> web.Response:
    view = await request.app[SERVICES].polls.get(request[ACTOR], path_id(request))
    return json_response(poll_payload(view))
