"""Households: codes issued by moderators, redeemed by residents; staff verify, revoke, move."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from live import schemas
from live.http.auth import ACTOR
from live.http.params import body, path_id, query
from live.http.qr import qr_code
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import iso
from live.services.households import clean_code
from live.storage.households import HouseholdPlace, Membership

routes = web.RouteTableDef()


def household_payload(place: HouseholdPlace) -> dict[str, Any]:
    return {
        "id": str(place.id),
        "label": place.label,
        "community": place.community.slug,
        "unit": str(place.unit.id),
        "room": place.household.room,
    }


def membership_payload(membership: Membership) -> dict[str, Any]:
    return {
        "household": household_payload(membership.place),
        "user": str(membership.member.user_id),
        "method": membership.member.method,
        "verified_at": iso(membership.member.verified_at),
    }


def join_url(request: web.Request, code: str) -> str:
    """The page that redeems ``code``, at the site's public address."""
    from live.http.templates import base_url

    return f"{base_url(request)}/households/join?code={code}"


@routes.post("/api/households/codes")
async def issue_code(request: web.Request) -> web.Response:
    form = await body(request, schemas.HouseholdCode)
    issued = await request.app[SERVICES].households.issue_code(request[ACTOR], form.unit, form.room)
    return json_response(
        {
            "code": issued.code,
            "household": household_payload(issued.place),
            "expires_at": iso(issued.expires_at),
            "qr": f"/households/qr/{issued.code}.svg",
            "url": join_url(request, issued.code),
        },
        status=201,
    )


@routes.get("/households/qr/{code}.svg")
async def code_qr(request: web.Request) -> web.Response:
    """The QR code of the page that redeems ``code`` (no lookup: it tells nothing about codes)."""
    try:
        code = clean_code(request.match_info["code"])
    except Exception as err:
        raise web.HTTPNotFound() from err
    qr = qr_code(join_url(request, code))
    svg = qr.svg_inline(scale=6, border=2, dark="#000", light="#fff")
    return web.Response(
        text=svg,
        content_type="image/svg+xml",
        headers={"Cache-Control": "private, max-age=86400"},
    )


@routes.post("/api/households/join")
async def join(request: web.Request) -> web.Response:
    form = await body(request, schemas.JoinHousehold)
    place = await request.app[SERVICES].households.join(request[ACTOR], form.code)
    return json_response({"household": household_payload(place)})


@routes.get("/api/households/mine")
async def mine(request: web.Request) -> web.Response:
    membership = await request.app[SERVICES].households.mine(request[ACTOR])
    return json_response({"household": household_payload(membership.place) if membership else None})


@routes.post("/api/households/verify")
async def verify(request: web.Request) -> web.Response:
    """Staff verify (or move) a resident on the spot: ``{user, unit, room}``."""
    form = await body(request, schemas.HouseholdMember)
    place = await request.app[SERVICES].households.verify(request[ACTOR], form.user, form.unit, form.room)
    return json_response({"household": household_payload(place), "user": str(form.user)})


@routes.post("/api/households/move")
async def move(request: web.Request) -> web.Response:
    """Staff move a verified resident to another household: ``{user, unit, room}``."""
    form = await body(request, schemas.HouseholdMember)
    place = await request.app[SERVICES].households.move(request[ACTOR], form.user, form.unit, form.room)
    return json_response({"household": household_payload(place), "user": str(form.user)})


@routes.post("/api/households/revoke")
async def revoke(request: web.Request) -> web.Response:
    form = await body(request, schemas.RevokeHousehold)
    place = await request.app[SERVICES].households.revoke(request[ACTOR], form.user)
    return json_response({"household": household_payload(place), "user": str(form.user)})


@routes.get("/api/households/members")
async def members(request: web.Request) -> web.Response:
    """A community's verified memberships (moderators of it): ``?community=slug``."""
    services = request.app[SERVICES]
    community = await services.places.by_slug(query(request, schemas.CommunityQuery).community)
    rows = await services.households.members_in(request[ACTOR], community.id)
    return json_response([membership_payload(m) for m in rows])


@routes.get("/api/units/{id}/households")
async def unit_households(request: web.Request) -> web.Response:
    """A unit's known households (moderators of its community), for the household picker."""
    unit, rooms = await request.app[SERVICES].households.rooms(request[ACTOR], path_id(request))
    return json_response(
        [
            {"id": str(h.id), "room": h.room, "label": f"{unit.label} {h.room}", "verified_members": n}
            for h, n in rooms
        ]
    )
