"""Opinions: submit, list, support, similar, triage (accept, reject, merge, bulk), exports."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from live import schemas
from live.http.auth import ACTOR
from live.http.params import body, path_id, query
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
    form = await body(request, schemas.SubmitOpinion)
    services = request.app[SERVICES]
    opinion = await services.opinions.submit(
        request[ACTOR],
        community_slug=form.community,
        text=form.text,
        category=form.category,
        location=form.location,
        session_id=form.session,
        source=form.source or ("watch_form" if form.session else "web"),
        contact=form.contact,
    )
    response = await one(request, opinion)
    response.set_status(201)
    return response


async def _list(request: web.Request, community: str | None = None) -> list[Opinion]:
    q = query(request, schemas.OpinionList)
    return await request.app[SERVICES].opinions.list(
        request[ACTOR],
        community_slug=community or q.community or None,
        status=q.status or None,
        category=q.category or None,
        session_id=q.session,
        location=q.location or None,
        limit=q.limit,
        after=q.after,
    )


@routes.get("/api/opinions")
async def list_opinions(request: web.Request) -> web.Response:
    names = await slugs(request.app[SERVICES])
    return json_response([shape(request[ACTOR], o, names) for o in await _list(request)])


async def export_scope(request: web.Request) -> str | None:
    """The community an export covers (the moderator's own by default); admins may export all."""
    services, actor = request.app[SERVICES], request[ACTOR]
    community = query(request, schemas.OpinionList).community or actor.community_slug
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
    form = await body(request, schemas.BulkOpinions)
    changed = await request.app[SERVICES].opinions.bulk(
        request[ACTOR], form.ids, form.action, reason=form.reason, note=form.note or "", into=form.into
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
    form = await body(request, schemas.MergeOpinion)
    survivor = await request.app[SERVICES].opinions.merge(request[ACTOR], path_id(request), form.into)
    return await one(request, survivor)


@routes.post("/api/opinions/{id}/reject")
async def reject(request: web.Request) -> web.Response:
    form = await body(request, schemas.RejectOpinion)
    opinion = await request.app[SERVICES].opinions.reject(
        request[ACTOR], path_id(request), form.reason, form.note or ""
    )
    return await one(request, opinion)


@routes.post("/api/opinions/{id}/accept")
async def accept(request: web.Request) -> web.Response:
    opinion = await request.app[SERVICES].opinions.accept(request[ACTOR], path_id(request))
    return await one(request, opinion)
