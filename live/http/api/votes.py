"""Household votes (表决) on agenda items: open, cast, staff-entered ballots, close, audit."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from live.errors import Invalid
from live.http.auth import ACTOR
from live.http.params import ident, json_body, moment, path_id, text
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import iso, vote_payload

routes = web.RouteTableDef()


def option_texts(body: dict[str, Any]) -> list[str]:
    raw = body.get("options")
    if not isinstance(raw, list) or not all(isinstance(o, str) for o in raw) or len(raw) > 8:
        raise Invalid("options: a list of 2 to 8 texts", code="bad_options")
    return [str(o)[:1000] for o in raw]


def flag(body: dict[str, Any], key: str) -> bool:
    value = body.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise Invalid(f"{key} must be true or false")
    return value


def id_list(body: dict[str, Any], key: str) -> list[int]:
    raw = body.get(key)
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > 200:
        raise Invalid(f"{key} must be a list of ids")
    return [ident(v, key) for v in raw]


@routes.post("/api/agenda/{id}/votes")
async def open_vote(request: web.Request) -> web.Response:
    body = await json_body(request)
    view = await request.app[SERVICES].votes.open(
        request[ACTOR],
        path_id(request),
        question=text(body, "question", max_len=1000),
        options=option_texts(body),
        secret=flag(body, "secret"),
        compounds=id_list(body, "compounds"),
        buildings=id_list(body, "buildings"),
        closes_at=moment(body.get("closes_at"), "closes_at"),
    )
    return json_response(vote_payload(view), status=201)


@routes.get("/api/agenda/{id}/votes")
async def item_votes(request: web.Request) -> web.Response:
    views = await request.app[SERVICES].votes.of_item(request[ACTOR], path_id(request))
    return json_response([vote_payload(v) for v in views])


@routes.get("/api/votes/{id}")
async def get_vote(request: web.Request) -> web.Response:
    view = await request.app[SERVICES].votes.get(request[ACTOR], path_id(request))
    return json_response(vote_payload(view))


@routes.post("/api/votes/{id}/ballot")
async def cast(request: web.Request) -> web.Response:
    body = await json_body(request)
    view = await request.app[SERVICES].votes.cast(
        request[ACTOR], path_id(request), ident(body.get("option"), "option")
    )
    return json_response(vote_payload(view))


@routes.post("/api/votes/{id}/entries")
async def enter(request: web.Request) -> web.Response:
    """Staff: a paper ballot, or a ballot on behalf of a named resident with their consent."""
    body = await json_body(request)
    view = await request.app[SERVICES].votes.enter(
        request[ACTOR],
        path_id(request),
        household_id=ident(body.get("household"), "household"),
        option_id=ident(body.get("option"), "option"),
        channel=text(body, "channel", max_len=16),
        voter_name=text(body, "voter_name", max_len=200),
        consent=flag(body, "consent"),
    )
    return json_response(vote_payload(view), status=201)


@routes.post("/api/votes/{id}/close")
async def close_vote(request: web.Request) -> web.Response:
    view = await request.app[SERVICES].votes.close(request[ACTOR], path_id(request))
    return json_response(vote_payload(view))


@routes.get("/api/votes/{id}/audit")
async def audit(request: web.Request) -> web.Response:
    vote, rows = await request.app[SERVICES].votes.audit(request[ACTOR], path_id(request))
    return json_response(
        {
            "vote": str(vote.id),
            "secret": vote.secret,
            "entries": [
                {
                    "household": str(r.household_id),
                    "at": iso(r.at),
                    "channel": r.channel,
                    "voter_name": r.voter_name,
                    "entered_by": r.entered_by,
                    "consent": r.consent,
                    **({} if vote.secret else {"option": str(r.option_id) if r.option_id else None}),
                }
                for r in rows
            ],
        }
    )
