"""Accountability pages: the forms of an item's page (assign, progress with photos, done,
extend, rate), a party's desk, the statistics of a community and of the subdistrict with charts,
and the printable monthly report."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from live.errors import Invalid
from live.http import i18n
from live.http.auth import ACTOR
from live.http.params import ident, optional_ident, path_id
from live.http.templates import render
from live.keys import SERVICES
from live.services.stats import ITEM_RATE_KEYS, month_range

routes = web.RouteTableDef()
RATE_KEYS = ITEM_RATE_KEYS


async def _form(request: web.Request) -> Any:
    return await request.post()


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _int(form: Any, name: str) -> int | None:
    value = _field(form, name)
    if not value:
        return None
    if not value.isdigit() or len(value) > 4:
        raise Invalid(f"{name} must be a whole number", code="bad_days")
    return int(value)


def _back(item_id: int, anchor: str = "accountability") -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/agenda/{item_id}#{anchor}")


@routes.post("/agenda/{id}/assign")
async def assign(request: web.Request) -> web.Response:
    form = await _form(request)
    item_id = path_id(request)
    supporting = [ident(v, "supporting") for v in form.getall("supporting", []) if isinstance(v, str) and v]
    await request.app[SERVICES].agenda.update(
        request[ACTOR],
        item_id,
        party_id=optional_ident(_field(form, "party"), "party"),
        supporting=supporting,
        response_days=_int(form, "response_days"),
        resolve_days=_int(form, "resolve_days"),
    )
    raise _back(item_id)


@routes.post("/agenda/{id}/progress")
async def progress(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    form = await _form(request)
    item_id = path_id(request)
    photos = []
    for field in form.getall("photo", [])[:3]:
        data = field.file.read() if hasattr(field, "file") else b""
        if data:
            stored = await services.photos.store(data)
            photos.append(
                {"name": stored.name, "thumb": stored.thumb, "width": stored.width, "height": stored.height}
            )
    await services.accountability.progress(request[ACTOR], item_id, _field(form, "note"), photos)
    raise _back(item_id)


@routes.post("/agenda/{id}/done")
async def done(request: web.Request) -> web.Response:
    form = await _form(request)
    item_id = path_id(request)
    await request.app[SERVICES].accountability.done(request[ACTOR], item_id, _field(form, "outcome") or None)
    raise _back(item_id)


@routes.post("/agenda/{id}/extend")
async def extend(request: web.Request) -> web.Response:
    form = await _form(request)
    item_id = path_id(request)
    await request.app[SERVICES].accountability.extend(
        request[ACTOR],
        item_id,
        _int(form, "days") or 0,
        _field(form, "reason"),
        _field(form, "which") or "resolve",
    )
    raise _back(item_id)


@routes.post("/agenda/{id}/rate")
async def rate(request: web.Request) -> web.Response:
    form = await _form(request)
    item_id = path_id(request)
    await request.app[SERVICES].accountability.rate(
        request[ACTOR], item_id, _field(form, "rating"), _field(form, "comment")
    )
    raise _back(item_id, "ratings")


@routes.get("/party")
async def party_desk(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    party, items = await services.accountability.my_items(request[ACTOR])
    return render(request, "party_desk.html", {"party": party, "items": items})


def bars(rows: list[Any], key: str) -> list[dict[str, Any]]:
    """Bars of one rate for a server-rendered SVG chart (widths in percent of the track)."""
    out = []
    for n, row in enumerate(rows):
        value = getattr(row.figures, key)
        out.append(
            {
                "label": row.label,
                "value": value,
                "width": round(value * 100, 1) if value is not None else 0,
                "y": n * 44,
                "text": f"{value * 100:.0f}%" if value is not None else "—",
            }
        )
    return out


def _month_arg(request: web.Request) -> str | None:
    month = request.query.get("month") or None
    if month:
        month_range(month)  # 400 for a bad month
    return month


@routes.get("/stats")
async def subdistrict_stats(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    month = _month_arg(request)
    lang = i18n.request_language(request)
    figures = await services.stats.figures(None, month)
    rows = await services.stats.table("community", None, month, lang)
    charts = {key: bars(rows, key) for key in RATE_KEYS}
    return render(
        request,
        "stats.html",
        {
            "community": None,
            "month": month,
            "figures": figures,
            "rows": rows,
            "charts": charts,
            "this_month": services.accountability.this_month(),
            "tables": {"categories": await services.stats.table("category", None, month, lang)},
        },
    )


@routes.get("/stats/{slug}")
async def community_stats(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    slug = request.match_info["slug"]
    community = await services.places.by_slug(slug)
    month = _month_arg(request)
    lang = i18n.request_language(request)
    figures = await services.stats.figures(slug, month)
    months = await services.stats.table("month", slug, None, lang)
    charts = {key: bars(months[-12:], key) for key in RATE_KEYS}
    return render(
        request,
        "stats.html",
        {
            "community": community,
            "month": month,
            "figures": figures,
            "rows": months,
            "charts": charts,
            "this_month": services.accountability.this_month(),
            "tables": {
                "parties": await services.stats.table("party", slug, month, lang),
                "categories": await services.stats.table("category", slug, month, lang),
            },
            "loads": await services.accountability.board(slug),
        },
    )


@routes.get("/reports/{slug}/{month}")
async def monthly_report(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    month = request.match_info["month"]
    month_range(month)
    report = await services.stats.report(request.match_info["slug"], month, i18n.request_language(request))
    return render(request, "report.html", {"report": report, "figures": report.figures})
