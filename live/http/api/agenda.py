"""Agenda items: create, list, one (with opinions and timeline), change, follow, exports."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from live.errors import Invalid
from live.http.api.opinions import export_scope, shape, slugs
from live.http.auth import ACTOR
from live.http.i18n import request_language
from live.http.notices import render_timeline
from live.http.params import ident, json_body, optional_ident, optional_text, page, path_id, text
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import agenda_payload
from live.services.agenda import ItemView
from live.services.exports import AGENDA_COLUMNS, agenda_rows, to_csv, to_xlsx
from live.storage.agenda import AgendaItem

routes = web.RouteTableDef()


def ids(body: dict[str, Any], key: str) -> list[int]:
    raw = body.get(key)
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise Invalid(f"{key} must be a list of ids")
    return [ident(value, key) for value in raw]


def day(value: Any, name: str = "due_date") -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise Invalid(f"{name} must be a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(value[:10])
    except ValueError as err:
        raise Invalid(f"{name} must be a date (YYYY-MM-DD)") from err


async def full(request: web.Request, view: ItemView) -> dict[str, Any]:
    names = await slugs(request.app[SERVICES])
    opinions = [shape(request[ACTOR], o, names) for o in view.opinions]
    lang = request_language(request)
    return agenda_payload(
        view.item,
        view.community,
        opinions=opinions,
        events=view.events,
        event_note=lambda e: render_timeline(e.kind, e.params, e.note, lang),
    )


@routes.post("/api/agenda")
async def create_item(request: web.Request) -> web.Response:
    body = await json_body(request)
    services = request.app[SERVICES]
    category = optional_text(body, "category", 32)
    if category:
        await services.categories.check(category)
    item = await services.agenda.create(
        request[ACTOR],
        community_slug=text(body, "community", max_len=64),
        title=text(body, "title", max_len=1000),
        summary=text(body, "summary", required=False, max_len=10000),
        opinion_ids=ids(body, "opinions"),
        category=category,
        location=optional_text(body, "location", 1000),
        responsible=optional_text(body, "responsible", 1000),
        due_date=day(body.get("due_date")),
    )
    return json_response(await full(request, await services.agenda.view(item.id)), status=201)


async def _items(request: web.Request, community: str | None = None) -> list[tuple[AgendaItem, str]]:
    limit, after = page(request)
    q = request.query
    return await request.app[SERVICES].agenda.list(
        community_slug=community or q.get("community") or None,
        status=q.get("status") or None,
        category=q.get("category") or None,
        location=q.get("location") or None,
        limit=limit,
        after=after,
    )


@routes.get("/api/agenda")
async def list_items(request: web.Request) -> web.Response:
    return json_response([agenda_payload(item, slug) for item, slug in await _items(request)])


@routes.get("/api/agenda.csv")
async def agenda_csv(request: web.Request) -> web.Response:
    rows = agenda_rows(await _items(request, await export_scope(request)))
    return web.Response(
        body=to_csv(AGENDA_COLUMNS, rows),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="agenda.csv"'},
    )


@routes.get("/api/agenda.xlsx")
async def agenda_xlsx(request: web.Request) -> web.Response:
    rows = agenda_rows(await _items(request, await export_scope(request)))
    return web.Response(
        body=to_xlsx("agenda", AGENDA_COLUMNS, rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="agenda.xlsx"'},
    )


@routes.get("/api/agenda/{id}")
async def get_item(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    view = await services.agenda.view(path_id(request))
    body = await full(request, view)
    body["following"] = await services.inbox.is_following(request[ACTOR], view.item.id)
    return json_response(body)


@routes.patch("/api/agenda/{id}")
async def change_item(request: web.Request) -> web.Response:
    body = await json_body(request)
    services = request.app[SERVICES]
    item = await services.agenda.update(
        request[ACTOR],
        path_id(request),
        status=optional_text(body, "status", 32),
        note=optional_text(body, "note", 10000),
        meeting_id=optional_ident(body.get("meeting"), "meeting"),
        responsible=optional_text(body, "responsible", 1000),
        outcome=optional_text(body, "outcome", 10000),
        due_date=day(body.get("due_date")),
        title=optional_text(body, "title", 1000),
        summary=optional_text(body, "summary", 10000),
        opinion_ids=ids(body, "opinions"),
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
