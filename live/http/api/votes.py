"""Household votes (表决) on agenda items: open, cast, staff-entered ballots, close, audit."""

from __future__ import annotations

from aiohttp import web

from live import schemas
from live.http.auth import ACTOR
from live.http.params import body, moment, path_id
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import vote_audit_payload, vote_payload

routes = web.RouteTableDef()


@routes.post("/api/agenda/{id}/votes")
async def open_vote(request: web.Request) -> web.Response:
    form = await body(request, schemas.OpenVote)
    view = await request.app[SERVICES].votes.open(
        request[ACTOR],
        path_id(request),
        question=form.question,
        options=form.options,
        secret=bool(form.secret),
        compounds=form.compounds or [],
        buildings=form.buildings or [],
        closes_at=moment(form.closes_at, "closes_at"),
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
    form = await body(request, schemas.CastBallot)
    view = await request.app[SERVICES].votes.cast(request[ACTOR], path_id(request), form.option)
    return json_response(vote_payload(view))


@routes.post("/api/votes/{id}/entries")
async def enter(request: web.Request) -> web.Response:
    """Staff: a paper ballot, or a ballot on behalf of a named resident with their consent."""
    form = await body(request, schemas.EnterBallot)
    view = await request.app[SERVICES].votes.enter(
        request[ACTOR],
        path_id(request),
        household_id=form.household,
        option_id=form.option,
        channel=form.channel,
        voter_name=form.voter_name,
        consent=bool(form.consent),
    )
    return json_response(vote_payload(view), status=201)


@routes.post("/api/votes/{id}/close")
async def close_vote(request: web.Request) -> web.Response:
    view = await request.app[SERVICES].votes.close(request[ACTOR], path_id(request))
    return json_response(vote_payload(view))


@routes.get("/api/votes/{id}/audit")
async def audit(request: web.Request) -> web.Response:
    vote, rows = await request.app[SERVICES].votes.audit(request[ACTOR], path_id(request))
    return json_response(vote_audit_payload(vote, rows))
