"""Accountability over HTTP (CONTRACT §7): parties, progress notes with photos, parts done,
extensions, ratings, statistics and their exports, calendar corrections, stored photos."""

from __future__ import annotations

from typing import Any

from aiohttp import BodyPartReader, web

from live import schemas
from live.errors import Invalid
from live.http.auth import ACTOR
from live.http.i18n import request_language
from live.http.params import body, path_id, query
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import agenda_payload, iso, party_payload
from live.services.accountability import AccountView, PartyLoad
from live.services.exports import to_csv, to_xlsx
from live.services.images import MAX_BYTES, TooLarge
from live.services.stats import Figures, ItemFigures, Row

routes = web.RouteTableDef()
MAX_PHOTOS = 3
PHOTO_URL = "/files/photos/"
TABLES = {"communities": "community", "parties": "party", "categories": "category", "months": "month"}
ITEM_COLUMNS = (
    "items_opened", "items_resolved", "response_rate", "resolution_rate", "on_time_rate",
    "satisfaction_rate", "extension_rate", "overdue", "ratings", "extensions", "median_days_to_resolve",
)  # fmt: skip
BROADCAST_COLUMNS = (
    "broadcasts", "viewers_total", "average_viewers", "peak_viewers", "unique_viewers",
    "watch_minutes", "messages", "opinions",
)  # fmt: skip


def account_payload(view: AccountView) -> dict[str, Any]:
    """What the item API adds about who owes what: parties, progress, extensions, ratings."""
    return {
        "supporting": [{"id": str(p.id), "name": p.name} for p in view.supporting],
        "assignments": [
            {
                "party": {"id": str(p.id), "name": p.name},
                "role": a.role,
                "assigned_at": iso(a.assigned_at),
                "ended_at": iso(a.ended_at),
                "done_at": iso(a.done_at),
            }
            for a, p in view.history
        ],
        "progress": [progress_payload(p) for p in view.progress],
        "extension_log": [
            {
                "which": e.which,
                "days": e.days,
                "reason": e.reason,
                "from": iso(e.previous_due_at),
                "to": iso(e.due_at),
                "at": iso(e.at),
                "actor": e.actor,
            }
            for e in view.extensions
        ],
        "ratings": view.ratings,
        "rating_comments": [
            {"rating": r.rating, "comment": r.comment, "at": iso(r.updated_at)} for r in view.comments
        ],
        "rating_until": iso(view.rating_until),
    }


def progress_payload(p: Any) -> dict[str, Any]:
    return {
        "id": str(p.id),
        "note": p.note,
        "at": iso(p.at),
        "actor": p.actor_name,
        "party": str(p.party_id) if p.party_id is not None else None,
        "photos": [
            {"url": PHOTO_URL + ph["name"], "thumb": PHOTO_URL + ph["thumb"]} for ph in p.photos or []
        ],
    }


def figures_payload(figures: ItemFigures | Figures) -> dict[str, Any]:
    if isinstance(figures, Figures):
        return figures.as_dict()
    return {k: getattr(figures, k) for k in ITEM_COLUMNS}


# ---- parties ----------------------------------------------------------------------------------


@routes.post("/api/parties")
async def create_party(request: web.Request) -> web.Response:
    form = await body(request, schemas.CreateParty)
    row = await request.app[SERVICES].accountability.create_party(
        request[ACTOR],
        community_slug=form.community or None,
        name=form.name,
        kind=form.kind,
        contact=form.contact,
    )
    return json_response(party_payload(row.party, row.community), status=201)


@routes.get("/api/parties")
async def list_parties(request: web.Request) -> web.Response:
    community = query(request, schemas.CommunityFilter).community
    rows = await request.app[SERVICES].accountability.parties(community)
    return json_response([party_payload(r.party, r.community) for r in rows])


@routes.get("/api/parties/{id}")
async def one_party(request: web.Request) -> web.Response:
    row = await request.app[SERVICES].accountability.party(path_id(request))
    return json_response(party_payload(row.party, row.community))


@routes.get("/api/party/items")
async def my_items(request: web.Request) -> web.Response:
    """A party account's items (lead or support)."""
    services = request.app[SERVICES]
    party, items = await services.accountability.my_items(request[ACTOR])
    names = {c.id: c.slug for c in await services.places.communities()}
    return json_response(
        {
            "party": party_payload(party, names.get(party.community_id or 0)),
            "items": [
                agenda_payload(i, names.get(i.community_id, ""), party_name=None, overdue=late)
                for i, late in items
            ],
        }
    )


@routes.get("/api/board/parties")
async def party_board(request: web.Request) -> web.Response:
    loads: list[PartyLoad] = await request.app[SERVICES].accountability.board(
        query(request, schemas.CommunityFilter).community
    )
    return json_response(
        [
            {
                "party": {"id": str(x.party.id), "name": x.party.name},
                "open": x.open,
                "due_soon": x.due_soon,
                "overdue": x.overdue,
            }
            for x in loads
        ]
    )


# ---- the work on an item ----------------------------------------------------------------------


async def _progress_input(request: web.Request) -> tuple[str, list[bytes]]:
    """``{note}`` as JSON, or multipart with ``note`` and up to three ``photo`` files."""
    if not request.content_type.startswith("multipart/"):
        return (await body(request, schemas.ProgressNote)).note, []
    reader = await request.multipart()
    note, photos = "", []
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "note":
            note = (await part.read(decode=True)).decode("utf-8", "replace")
        elif part.name == "photo":
            data = bytearray()
            while chunk := await part.read_chunk(64 * 1024):
                data += chunk
                if len(data) > MAX_BYTES:
                    raise TooLarge("a photo is at most 10 MB")
            if data:
                photos.append(bytes(data))
            if len(photos) > MAX_PHOTOS:
                raise Invalid(f"at most {MAX_PHOTOS} photos", code="too_many_photos")
    if not note.strip():
        raise Invalid("note is required", code="missing_field")
    return note, photos


@routes.post("/api/agenda/{id}/progress")
async def post_progress(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    note, raw = await _progress_input(request)
    stored = [await services.photos.store(data) for data in raw]
    photos = [{"name": p.name, "thumb": p.thumb, "width": p.width, "height": p.height} for p in stored]
    row = await services.accountability.progress(request[ACTOR], path_id(request), note, photos)
    return json_response(progress_payload(row), status=201)


@routes.post("/api/agenda/{id}/done")
async def mark_done(request: web.Request) -> web.Response:
    form = await body(request, schemas.MarkDone)
    item = await request.app[SERVICES].accountability.done(request[ACTOR], path_id(request), form.outcome)
    return json_response({"id": str(item.id), "status": item.status})


@routes.post("/api/agenda/{id}/extend")
async def extend(request: web.Request) -> web.Response:
    form = await body(request, schemas.ExtendItem)
    row = await request.app[SERVICES].accountability.extend(
        request[ACTOR], path_id(request), form.days, form.reason, form.which or "resolve"
    )
    return json_response(
        {
            "which": row.which,
            "days": row.days,
            "reason": row.reason,
            "from": iso(row.previous_due_at),
            "to": iso(row.due_at),
            "at": iso(row.at),
        },
        status=201,
    )


@routes.post("/api/agenda/{id}/rating")
async def rate(request: web.Request) -> web.Response:
    form = await body(request, schemas.RateItem)
    counts = await request.app[SERVICES].accountability.rate(
        request[ACTOR], path_id(request), form.rating, form.comment or ""
    )
    return json_response({"ratings": counts})


@routes.get("/files/photos/{name}")
async def photo(request: web.Request) -> web.StreamResponse:
    path = request.app[SERVICES].photos.path(request.match_info["name"])
    if path is None:
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Cache-Control": "public, max-age=31536000, immutable"})


# ---- statistics -------------------------------------------------------------------------------


@routes.get("/api/stats")
async def stats(request: web.Request) -> web.Response:
    q = query(request, schemas.StatsQuery)
    figures = await request.app[SERVICES].stats.figures(q.community, q.month)
    return json_response(figures.as_dict())


async def _table(request: web.Request, name: str) -> list[Row]:
    by = TABLES.get(name)
    if by is None:
        raise web.HTTPNotFound()
    q = query(request, schemas.StatsQuery)
    return await request.app[SERVICES].stats.table(by, q.community, q.month, request_language(request))


def _columns(rows: list[Row]) -> tuple[str, ...]:
    broadcast = any(isinstance(r.figures, Figures) for r in rows)
    return ("key", "name", *ITEM_COLUMNS, *(BROADCAST_COLUMNS if broadcast else ()))


def _cells(rows: list[Row]) -> list[list[Any]]:
    columns = _columns(rows)[2:]
    return [[r.key, r.label, *(figures_payload(r.figures).get(c) for c in columns)] for r in rows]


@routes.get("/api/stats/{table}")
async def stats_table(request: web.Request) -> web.Response:
    name = request.match_info["table"]
    for suffix in (".csv", ".xlsx"):
        if name.endswith(suffix):
            rows = await _table(request, name.removesuffix(suffix))
            filename = f"stats-{name.removesuffix(suffix)}{suffix}"
            headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
            if suffix == ".csv":
                return web.Response(
                    body=to_csv(_columns(rows), _cells(rows)),
                    content_type="text/csv",
                    charset="utf-8",
                    headers=headers,
                )
            return web.Response(
                body=to_xlsx(name.removesuffix(suffix), _columns(rows), _cells(rows)),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                headers=headers,
            )
    rows = await _table(request, name)
    return json_response([{"key": r.key, "name": r.label, **figures_payload(r.figures)} for r in rows])


# ---- the calendar -----------------------------------------------------------------------------


@routes.get("/api/admin/calendar")
async def calendar_corrections(request: web.Request) -> web.Response:
    rows = await request.app[SERVICES].accountability.corrections(request[ACTOR])
    return json_response([{"day": r.day.isoformat(), "workday": r.workday, "note": r.note} for r in rows])


@routes.put("/api/admin/calendar/{day}")
async def correct_day(request: web.Request) -> web.Response:
    form = await body(request, schemas.CorrectDay)
    day = await request.app[SERVICES].accountability.correct_day(
        request[ACTOR], request.match_info["day"], form.workday, form.note or ""
    )
    return json_response({"day": day.isoformat(), "workday": form.workday})
