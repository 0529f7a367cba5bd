"""Polls during a broadcast: open, vote, close, read (CONTRACT §8)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from live.errors import Invalid
from live.http.auth import ACTOR
from live.http.params import ident, json_body, moment, path_id, text
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import poll_payload

routes = web.RouteTableDef()


def option_texts(body: dict[str, Any]) -> list[str]:
    raw = body.get("options")
    if not isinstance(raw, list) or not all(isinstance(o, str) for o in raw):
        raise Invalid("options must be a list of texts", code="bad_options")
    if len(raw) > 8:
        raise Invalid("a poll has 2 to 8 options", code="bad_options")
    return [str(o)[:1000] for o in raw]


def option_ids(body: dict[str, Any]) -> list[int]:
    raw = body.get("options")
    if not isinstance(raw, list) or len(raw) > 8:
        raise Invalid("options must be a list of option ids", code="bad_options")
    return [ident(o, "options") for o in raw]


def flag(body: dict[str, Any], key: str) -> bool:
    value = body.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise Invalid(f"{key} must be true or false")
    return value


@routes.post("/api/sessions/{id}/polls")
async def open_poll(request: web.Request) -> web.Response:
    body = await json_body(request)
    view = await request.app[SERVICES].polls.open(
        request[ACTOR],
        path_id(request),
        question=text(body, "question", max_len=1000),
        options=option_texts(body),
        multiple=flag(body, "multiple"),
        closes_at=moment(body.get("closes_at"), "closes_at"),
    )
    return json_response(poll_payload(view), status=201)


@routes.get("/api/sessions/{id}/polls")
async def session_polls(request: web.Request) -> web.Response:
    views = await request.app[SERVICES].polls.of_session(request[ACTOR], path_id(request))
    return json_response([poll_payload(v) for v in views])


@routes.post("/api/polls/{id}/vote")
async def vote(request: web.Request) -> web.Response:
    body = await json_body(request)
    view = await request.app[SERVICES].polls.vote(request[ACTOR], path_id(request), option_ids(body))
    return json_response(poll_payload(view))


@routes.post("/api/polls/{id}/close")
async def close_poll(request: web.Request) -> web.Response:
    view = await request.app[SERVICES].polls.close(request[ACTOR], path_id(request))
    return json_response(poll_payload(view))


@routes.get("/api/polls/{id}")
async def get_poll(request: web.Request) -> web.Response:
    view = await request.app[SERVICES].polls.get(request[ACTOR], path_id(request))
    return json_response(poll_payload(view))
