"""Opinion categories (anyone reads them; admins add and edit them) and the places to tag with."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import select

from live.errors import Invalid
from live.http.auth import ACTOR
from live.http.params import json_body, optional_text, text
from live.http.responses import json_response
from live.keys import SERVICES
from live.storage.db import Database
from live.storage.opinions import Category
from live.storage.places import Building, Compound, Unit

routes = web.RouteTableDef()


def category_payload(category: Category) -> dict[str, Any]:
    return {
        "key": category.key,
        "name_zh": category.name_zh,
        "name_en": category.name_en,
        "position": category.position,
        "active": category.active,
    }


@routes.get("/api/categories")
async def list_categories(request: web.Request) -> web.Response:
    everything = request.query.get("all") == "1" and request[ACTOR].is_admin
    categories = await request.app[SERVICES].categories.all(include_inactive=everything)
    return json_response([category_payload(c) for c in categories])


@routes.post("/api/categories")
async def add_category(request: web.Request) -> web.Response:
    body = await json_body(request)
    category = await request.app[SERVICES].categories.add(
        request[ACTOR],
        text(body, "key", max_len=32),
        text(body, "name_zh", max_len=64),
        text(body, "name_en", required=False, max_len=64),
    )
    return json_response(category_payload(category), status=201)


@routes.patch("/api/categories/{key}")
async def edit_category(request: web.Request) -> web.Response:
    body = await json_body(request)
    position, active = body.get("position"), body.get("active")
    if position is not None and (not isinstance(position, int) or isinstance(position, bool)):
        raise Invalid("position must be an integer")
    if active is not None and not isinstance(active, bool):
        raise Invalid("active must be true or false")
    category = await request.app[SERVICES].categories.update(
        request[ACTOR],
        request.match_info["key"],
        name_zh=optional_text(body, "name_zh", 64),
        name_en=optional_text(body, "name_en", 64),
        position=position,
        active=active,
    )
    return json_response(category_payload(category))


@routes.get("/api/places")
async def community_places(request: web.Request) -> web.Response:
    """The community's places as labels ("compound building unit"), for tagging an opinion."""
    services = request.app[SERVICES]
    community = await services.places.by_slug(text(dict(request.query), "community", max_len=64))
    return json_response(await place_labels(services.db, community.id))


async def place_labels(db: Database, community_id: int) -> list[str]:
    query = (
        select(Compound.name, Building.name, Unit.name)
        .select_from(Compound)
        .outerjoin(Building, Building.compound_id == Compound.id)
        .outerjoin(Unit, Unit.building_id == Building.id)
        .where(Compound.community_id == community_id)
        .order_by(Compound.id, Building.id, Unit.id)
        .limit(5000)
    )
    labels: dict[str, None] = {}
    async with db.read() as s:
        for compound, building, unit in await s.execute(query):
            labels[compound] = None
            if building:
                labels[f"{compound} {building}"] = None
                if unit:
                    labels[f"{compound} {building} {unit}"] = None
    return list(labels)
