"""Opinions: submit, list, support, similar, triage (accept, reject, merge, bulk), exports."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from live.errors import Invalid
from live.http.auth import ACTOR
from live.http.params import ident, json_body, optional_ident, optional_text, page, path_id, text
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import opinion_payload
from live.services.actors import Actor, require_admin, require_staff
from live.services.container import Services
from live.services.exports import OPINION_COLUMNS, opinion_rows, to_csv, to_xlsx
from live.storage.opinions import Opinion

routes = web.RouteTableDef()


async def slugs(services: Services) -> dict[int, str]:
    return {c.id: c.slug for c in await services.places.communities()}


def shape(actor: Actor, opinion: Opinion, names: dict[int, str]) -> dict[str, Any]:
    return opinion_payload(
        opinion, names.get(opinion.community_id, ""), staff=actor.can("moderator", opinion.community_id)
    )


async def one(request: web.Request, opinion: Opinion) -> web.Response:
    return json_response(shape(request[ACTOR], opinion, await slugs(request.app[SERVICES])))


@routes.post("/api/opinions")
async def submit(request: web.Request) -> web.Response:
    body = await json_body(request)
    services = request.app[SERVICES]
    session_id = optional_ident(body.get("session"), "session")
    opinion = await services.opinions.submit(
        request[ACTOR],
        community_slug=optional_text(body, "community", 64),
        text=text(body, "text", max_len=10000),
        category=optional_text(body, "category", 32),
        location=optional_text(body, "location", 1000),
        session_id=session_id,
        source=optional_text(body, "source", 16) or ("watch_form" if session_id else "web"),
        contact=optional_text(body, "contact", 1000),
    )
    response = await one(request, opinion)
    response.set_status(201)
    return response


async def _list(request: web.Request, community: str | None = None) -> list[Opinion]:
    limit, after = page(request)
    q = request.query
    return await request.app[SERVICES].opinions.list(
        request[ACTOR],
        community_slug=community or q.get("community") or None,
        status=q.get("status") or None,
        category=q.get("category") or None,
        session_id=optional_ident(q.get("session"), "session"),
        location=q.get("location") or None,
        limit=limit,
        after=after,
    )


@routes.get("/api/opinions")
async def list_opinions(request: web.Request) -> web.Response:
    names = await slugs(request.app[SERVICES])
    return json_response([shape(request[ACTOR], o, names) for o in await _list(request)])


async def export_scope(request: web.Request) -> str | None:
    """The community an export covers (the moderator's own by default); admins may export all."""
    services, actor = request.app[SERVICES], request[ACTOR]
    community = request.query.get("community") or actor.community_slug
    if community:
        require_staff(actor, "moderator", (await services.places.by_slug(community)).id)
    else:
        require_admin(actor)
    return community


async def _export_rows(request: web.Request) -> list[list[Any]]:
    community = await export_scope(request)
    opinions = await _list(request, community)
    return opinion_rows(opinions, await slugs(request.app[SERVICES]))


@routes.get("/api/opinions.csv")
async def opinions_csv(request: web.Request) -> web.Response:
    body = to_csv(OPINION_COLUMNS, await _export_rows(request))
    return web.Response(
        body=body,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="opinions.csv"'},
    )


@routes.get("/api/opinions.xlsx")
async def opinions_xlsx(request: web.Request) -> web.Response:
    body = to_xlsx("opinions", OPINION_COLUMNS, await _export_rows(request))
    return web.Response(
        body=body,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="opinions.xlsx"'},
    )


@routes.post("/api/opinions/bulk")
async def bulk(request: web.Request) -> web.Response:
    body = await json_body(request)
    raw_ids = body.get("ids")
    if not isinstance(raw_ids, list):
        raise Invalid("ids must be a list", code="missing_field")
    changed = await request.app[SERVICES].opinions.bulk(
        request[ACTOR],
        [ident(i, "ids") for i in raw_ids],
        text(body, "action", max_len=16),
        reason=optional_text(body, "reason", 32),
        note=text(body, "note", required=False, max_len=1000),
        into=optional_ident(body.get("into"), "into"),
    )
    names = await slugs(request.app[SERVICES])
    return json_response([shape(request[ACTOR], o, names) for o in changed])


@routes.get("/api/opinions/{id}")
async def get_opinion(request: web.Request) -> web.Response:
    return await one(request, await request.app[SERVICES].opinions.get(request[ACTOR], path_id(request)))


@routes.post("/api/opinions/{id}/support")
async def support(request: web.Request) -> web.Response:
    opinion = await request.app[SERVICES].opinions.support(request[ACTOR], path_id(request))
    return json_response({"supporters": opinion.supporters, "opinion": str(opinion.id)})


@routes.get("/api/opinions/{id}/similar")
async def similar(request: web.Request) -> web.Response:
    services, actor = request.app[SERVICES], request[ACTOR]
    found = await services.opinions.similar(actor, path_id(request))
    names = await slugs(services)
    return json_response([{"opinion": shape(actor, s.opinion, names), "score": s.score} for s in found])


@routes.post("/api/opinions/{id}/merge")
async def merge(request: web.Request) -> web.Response:
    body = await json_body(request)
    into = body.get("into")
    if into is None:
        raise Invalid("into is required", code="missing_field")
    survivor = await request.app[SERVICES].opinions.merge(
        request[ACTOR], path_id(request), ident(into, "into")
    )
    return await one(request, survivor)


@routes.post("/api/opinions/{id}/reject")
async def reject(request: web.Request) -> web.Response:
    body = await json_body(request)
    opinion = await request.app[SERVICES].opinions.reject(
        request[ACTOR],
        path_id(request),
        text(body, "reason", max_len=32),
        text(body, "note", required=False, max_len=1000),
    )
    return await one(request, opinion)


@routes.post("/api/opinions/{id}/accept")
async def accept(request: web.Request) -> web.Response:
    opinion = await request.app[SERVICES].opinions.accept(request[ACTOR], path_id(request))
    return await one(request, opinion)
