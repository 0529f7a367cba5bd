"""Agenda items: create, list, one (with opinions and timeline), change, follow, exports."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import date
from typing import Any

from aiohttp import web

from live import schemas
from live.http.api.accountability import account_payload
from live.http.api.opinions import export_scope, shape, slugs
from live.http.auth import ACTOR
from live.http.exports import CSV, XLSX, primed, stream_download
from live.http.i18n import request_language
from live.http.notices import render_timeline
from live.http.params import body, path_id, query
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import agenda_payload
from live.services.agenda import ItemView
from live.services.exports import AGENDA_COLUMNS, agenda_rows, stream_csv, stream_xlsx
from live.storage.agenda import AgendaItem

routes = web.RouteTableDef()


def day(value: Any, name: str = "due_date") -> date | None:
    """A date within 1970..2100 (``live.schemas.day``)."""
    return schemas.day(value, name)


async def full(request: web.Request, view: ItemView) -> dict[str, Any]:
    services = request.app[SERVICES]
    names = await slugs(services)
    opinions = [shape(request[ACTOR], o, names) for o in view.opinions]
    lang = request_language(request)
    account = await services.accountability.view(view.item.id, request[ACTOR], item=view.item)
    body = agenda_payload(
        view.item,
        view.community,
        opinions=opinions,
        events=view.events,
        event_note=lambda e: render_timeline(e.kind, e.params, e.note, lang),
        party_name=account.party.name if account.party else None,
        overdue=account.overdue,
    )
    body.update(account_payload(account))
    return body


@routes.post("/api/agenda")
async def create_item(request: web.Request) -> web.Response:
    form = await body(request, schemas.CreateAgendaItem)
    services = request.app[SERVICES]
    category = form.category
    if category:
        await services.categories.check(category)
    item = await services.agenda.create(
        request[ACTOR],
        community_slug=form.community,
        title=form.title,
        summary=form.summary or "",
        opinion_ids=form.opinions,
        category=category,
        location=form.location,
        responsible=form.responsible,
        due_date=day(form.due_date),
    )
    return json_response(await full(request, await services.agenda.view(item.id)), status=201)


async def _items(
    request: web.Request, community: str | None = None
) -> list[tuple[AgendaItem, str, str | None]]:
    q = query(request, schemas.AgendaList)
    return await request.app[SERVICES].agenda.list(
        community_slug=community or q.community or None,
        status=q.status,
        category=q.category,
        location=q.location,
        limit=q.limit,
        after=q.after,
    )


@routes.get("/api/agenda")
async def list_items(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    items = await _items(request)
    late = services.accountability.overdue(item for item, _, _ in items)
    return json_response(
        [agenda_payload(item, slug, party_name=party, overdue=item.id in late) for item, slug, party in items]
    )


async def _export_rows(request: web.Request) -> AsyncGenerator[list[list[Any]], None]:
    """Every item matching the query's filters (``limit``/``after`` don't apply), as rows."""
    community = await export_scope(request)
    q = query(request, schemas.AgendaList)
    batches = request.app[SERVICES].agenda.export(
        community_slug=community, status=q.status, category=q.category, location=q.location
    )
    return await primed(agenda_rows(batch) async for batch in batches)


@routes.get("/api/agenda.csv")
async def agenda_csv(request: web.Request) -> web.StreamResponse:
    rows = await _export_rows(request)
    return await stream_download(request, "agenda.csv", CSV, stream_csv(AGENDA_COLUMNS, rows))


@routes.get("/api/agenda.xlsx")
async def agenda_xlsx(request: web.Request) -> web.StreamResponse:
    rows = await _export_rows(request)
    return await stream_download(request, "agenda.xlsx", XLSX, stream_xlsx("agenda", AGENDA_COLUMNS, rows))


@routes.get("/api/agenda/{id}")
async def get_item(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    view = await services.agenda.view(path_id(request))
    body = await full(request, view)
    body["following"] = await services.inbox.is_following(request[ACTOR], view.item.id)
    return json_response(body)


@routes.patch("/api/agenda/{id}")
async def change_item(request: web.Request) -> web.Response:
    form = await body(request, schemas.ChangeAgendaItem)
    services = request.app[SERVICES]
    item = await services.agenda.update(
        request[ACTOR],
        path_id(request),
        status=form.status,
        note=form.note,
        meeting_id=form.meeting,
        responsible=form.responsible,
        outcome=form.outcome,
        due_date=day(form.due_date),
        title=form.title,
        summary=form.summary,
        opinion_ids=form.opinions,
        party_id=form.party,
        supporting=form.supporting,
        response_days=form.response_days,
        resolve_days=form.resolve_days,
    )
    return json_response(await full(request, await services.agenda.view(item.id)))


@routes.post("/api/agenda/{id}/follow")
async def follow(request: web.Request) -> web.Response:
    await request.app[SERVICES].inbox.follow(request[ACTOR], path_id(request))
    return json_response({"following": True})


@routes.delete("/api/agenda/{id}/follow")
async def unfollow(request: web.Request) -> web.Response:
    await request.app[SERVICES].inbox.unfollow(request[ACTOR], path_id(request))
    return json_response({"following": False})
