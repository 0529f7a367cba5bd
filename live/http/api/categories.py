"""Opinion categories (anyone reads them; admins add and edit them) and the places to tag with."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from live import schemas
from live.http.auth import ACTOR
from live.http.params import body, query
from live.http.responses import json_response
from live.keys import SERVICES
from live.storage.opinions import Category

routes = web.RouteTableDef()


def category_payload(category: Category) -> dict[str, Any]:
    return {
        "key": category.key,
        "name_zh": category.name_zh,
        "name_en": category.name_en,
        "position": category.position,
        "active": category.active,
        "response_days": category.response_days,
        "resolve_days": category.resolve_days,
    }


@routes.get("/api/categories")
async def list_categories(request: web.Request) -> web.Response:
    everything = query(request, schemas.CategoryList).all == "1" and request[ACTOR].is_admin
    categories = await request.app[SERVICES].categories.all(include_inactive=everything)
    return json_response([category_payload(c) for c in categories])


@routes.post("/api/categories")
async def add_category(request: web.Request) -> web.Response:
    form = await body(request, schemas.AddCategory)
    category = await request.app[SERVICES].categories.add(
        request[ACTOR], form.key, form.name_zh, form.name_en or ""
    )
    return json_response(category_payload(category), status=201)


@routes.patch("/api/categories/{key}")
async def edit_category(request: web.Request) -> web.Response:
    form = await body(request, schemas.EditCategory)
    services = request.app[SERVICES]
    if form.community:  # one community's own limits for this category
        category, custom = await services.accountability.set_limits(
            request[ACTOR],
            request.match_info["key"],
            response_days=form.response_days,
            resolve_days=form.resolve_days,
            community_slug=form.community,
        )
        shown = category_payload(category)
        assert custom is not None
        shown.update(
            community=form.community,
            response_days=custom.response_days or category.response_days,
            resolve_days=custom.resolve_days or category.resolve_days,
        )
        return json_response(shown)
    category = await services.categories.update(
        request[ACTOR],
        request.match_info["key"],
        name_zh=form.name_zh,
        name_en=form.name_en,
        position=form.position,
        active=form.active,
        response_days=form.response_days,
        resolve_days=form.resolve_days,
    )
    return json_response(category_payload(category))


@routes.get("/api/places")
async def community_places(request: web.Request) -> web.Response:
    """The community's places as labels ("compound building unit"), for tagging an opinion."""
    slug = query(request, schemas.PlaceList).community
    return json_response(await request.app[SERVICES].places.labels(slug))
