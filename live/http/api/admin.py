"""Admin JSON endpoints: communities and places, users and roles, recordings and disk use."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from live import schemas
from live.http.auth import ACTOR
from live.http.params import body, path_id, query
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import community_payload, iso, user_row_payload
from live.services.actors import require_admin
from live.services.admin import CommunityPlaces, Recording, UserRow

routes = web.RouteTableDef()


def places_payload(tree: CommunityPlaces) -> dict[str, Any]:
    return {
        **community_payload(tree.community),
        "grids": [{"id": str(g.id), "name": g.name} for g in tree.grids],
        "compounds": [
            {
                "id": str(c.compound.id),
                "name": c.compound.name,
                "grid": str(c.compound.grid_id) if c.compound.grid_id else None,
                "buildings": [
                    {
                        "id": str(b.building.id),
                        "name": b.building.name,
                        "units": [{"id": str(u.id), "name": u.name} for u in b.units],
                    }
                    for b in c.buildings
                ],
            }
            for c in tree.compounds
        ],
    }


def admin_user_payload(row: UserRow) -> dict[str, Any]:
    return {
        **user_row_payload(row.user, row.community),
        "disabled": row.user.disabled,
        "created_at": iso(row.user.created_at),
    }


def recording_payload(row: Recording) -> dict[str, Any]:
    return {
        "session": str(row.session.id),
        "title": row.session.title,
        "community": row.community.slug,
        "status": row.session.status,
        "ended_at": iso(row.session.ended_at),
        "duration_s": row.duration_s,
        "recording_bytes": row.recorded_bytes,
        "disk_bytes": row.disk_bytes,
    }


@routes.get("/api/admin/communities")
async def list_places(request: web.Request) -> web.Response:
    trees = await request.app[SERVICES].admin.places(request[ACTOR])
    return json_response([places_payload(tree) for tree in trees])


@routes.post("/api/admin/communities")
async def add_community(request: web.Request) -> web.Response:
    require_admin(request[ACTOR])
    form = await body(request, schemas.AddCommunity)
    community = await request.app[SERVICES].places.add_community(form.slug, form.name)
    return json_response(community_payload(community), status=201)


@routes.post("/api/admin/places")
async def add_place(request: web.Request) -> web.Response:
    form = await body(request, schemas.AddPlace)
    added = await request.app[SERVICES].admin.add_place(
        request[ACTOR], form.kind, form.community, form.name, form.parent
    )
    parent = str(added.parent) if added.parent is not None else None
    return json_response(
        {"id": str(added.id), "kind": added.kind, "name": added.name, "parent": parent}, status=201
    )


@routes.get("/api/admin/users")
async def list_users(request: web.Request) -> web.Response:
    q = query(request, schemas.PageOnly)
    rows = await request.app[SERVICES].admin.users(request[ACTOR], q.limit, q.after)
    return json_response([admin_user_payload(row) for row in rows])


@routes.post("/api/admin/users")
async def create_user(request: web.Request) -> web.Response:
    require_admin(request[ACTOR])
    form = await body(request, schemas.CreateUser)
    services = request.app[SERVICES]
    user = await services.accounts.create_user(
        form.username, form.password, form.role, form.community or None, form.name or None
    )
    community = await services.places.by_id(user.community_id) if user.community_id else None
    return json_response(admin_user_payload(UserRow(user, community)), status=201)


@routes.patch("/api/admin/users/{id}")
async def update_user(request: web.Request) -> web.Response:
    form = await body(request, schemas.UpdateUser)
    community = form.community
    row = await request.app[SERVICES].admin.update_user(
        request[ACTOR],
        path_id(request),
        role=form.role or None,
        community_slug=community if isinstance(community, str) and community else None,
        clear_community=community is None or community == "",
        disabled=form.disabled,
    )
    return json_response(admin_user_payload(row))


@routes.get("/api/admin/recordings")
async def list_recordings(request: web.Request) -> web.Response:
    admin = request.app[SERVICES].admin
    rows = await admin.recordings(request[ACTOR])
    hls_bytes, disk_total, disk_free = admin.disk_usage()
    return json_response(
        {
            "recordings": [recording_payload(row) for row in rows],
            "hls_bytes": hls_bytes,
            "disk_total_bytes": disk_total,
            "disk_free_bytes": disk_free,
        }
    )


@routes.delete("/api/admin/recordings/{id}")
async def delete_recording(request: web.Request) -> web.Response:
    await request.app[SERVICES].admin.delete_recording(request[ACTOR], path_id(request))
    return web.Response(status=204)
