"""Entries on behalf of residents without phones (网格员代录), their audit, and statistics by channel."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from live import schemas
from live.http.auth import ACTOR
from live.http.params import body, query
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import iso, opinion_payload, vote_payload

routes = web.RouteTableDef()


def who(form: schemas.OnBehalf) -> dict[str, Any]:
    return {
        "household_id": form.household,
        "resident_name": form.resident,
        "consent": bool(form.consent),
        "channel": form.channel or "on_behalf",
        "unit_id": form.unit,
        "room": form.room,
    }


@routes.post("/api/on-behalf/opinions")
async def opinion(request: web.Request) -> web.Response:
    form = await body(request, schemas.OnBehalfOpinion)
    services = request.app[SERVICES]
    made = await services.onbehalf.opinion(
        request[ACTOR], **who(form), text=form.text, category=form.category, location=form.location
    )
    community = await services.places.by_id(made.community_id)
    return json_response(opinion_payload(made, community.slug, staff=True), status=201)


@routes.post("/api/on-behalf/supports")
async def support(request: web.Request) -> web.Response:
    form = await body(request, schemas.OnBehalfSupport)
    made = await request.app[SERVICES].onbehalf.support(request[ACTOR], **who(form), opinion_id=form.opinion)
    return json_response({"opinion": str(made.id), "supporters": made.supporters})


@routes.post("/api/on-behalf/ratings")
async def rating(request: web.Request) -> web.Response:
    form = await body(request, schemas.OnBehalfRating)
    counts = await request.app[SERVICES].onbehalf.rating(
        request[ACTOR], **who(form), item_id=form.item, rating=form.rating, comment=form.comment or ""
    )
    return json_response({"ratings": counts})


@routes.post("/api/on-behalf/votes")
async def vote(request: web.Request) -> web.Response:
    form = await body(request, schemas.OnBehalfVote)
    view = await request.app[SERVICES].onbehalf.vote(
        request[ACTOR], **who(form), vote_id=form.vote, option_id=form.option
    )
    return json_response(vote_payload(view), status=201)


@routes.get("/api/on-behalf")
async def entries(request: web.Request) -> web.Response:
    q = query(request, schemas.OnBehalfList)
    found = await request.app[SERVICES].onbehalf.entries(
        request[ACTOR], q.community or "", limit=q.limit, after=q.after
    )
    return json_response(
        [
            {
                "id": str(e.id),
                "kind": e.kind,
                "target": str(e.target_id),
                "household": str(e.household_id),
                "resident": e.resident_name,
                "channel": e.channel,
                "consent": e.consent,
                "entered_by": {"id": e.entered_by, "name": e.entered_by_name},
                "created_at": iso(e.created_at),
            }
            for e in found
        ]
    )


@routes.get("/api/stats/channels")
async def channels(request: web.Request) -> web.Response:
    community = query(request, schemas.CommunityFilter).community
    stats = await request.app[SERVICES].onbehalf.channel_stats(community or "")
    return json_response(stats)
