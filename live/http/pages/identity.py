"""Residents' pages (work without JavaScript): register with a mobile number and an SMS code,
reset a password, redeem a household code; and the moderator's page that issues household
codes (QR + 8 characters) and verifies residents on the spot."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from live.errors import DomainError
from live.http.auth import ACTOR, SESSION_COOKIE, client_address, set_cookie
from live.http.pages.login import safe_next
from live.http.templates import render
from live.keys import SERVICES
from live.services.accounts import SESSION_DAYS, SignedIn

routes = web.RouteTableDef()


def _field(form: Any, name: str, limit: int = 256) -> str:
    return str(form.get(name, ""))[:limit]


def _signed_in(request: web.Request, signed_in: SignedIn, target: str) -> web.HTTPSeeOther:
    response = web.HTTPSeeOther(target)
    set_cookie(request, response, SESSION_COOKIE, signed_in.token, max_age=SESSION_DAYS * 86400)
    return response


@routes.get("/register")
async def register_page(request: web.Request) -> web.Response:
    return render(request, "register.html", {"step": "details", "next": safe_next(request.query.get("next"))})


@routes.post("/register")
async def register_form(request: web.Request) -> web.Response:
    form = await request.post()
    values = {
        "name": _field(form, "name", 64),
        "phone": _field(form, "phone", 32),
        "next": safe_next(_field(form, "next")),
    }
    try:
        await request.app[SERVICES].registration.register(
            values["name"], values["phone"], _field(form, "password"), client_address(request)
        )
    except DomainError as err:
        return render(
            request, "register.html", {"step": "details", "error": err.code, **values}, status=err.status
        )
    return render(request, "register.html", {"step": "code", **values}, status=202)


@routes.post("/register/confirm")
async def register_confirm_form(request: web.Request) -> web.Response:
    form = await request.post()
    values = {"phone": _field(form, "phone", 32), "next": safe_next(_field(form, "next"))}
    try:
        signed_in = await request.app[SERVICES].registration.confirm(
            values["phone"], _field(form, "code", 16), client_address(request)
        )
    except DomainError as err:
        return render(
            request, "register.html", {"step": "code", "error": err.code, **values}, status=err.status
        )
    raise _signed_in(request, signed_in, values["next"] if values["next"] != "/" else "/households/join")


@routes.get("/reset")
async def reset_page(request: web.Request) -> web.Response:
    return render(request, "reset.html", {"step": "phone"})


@routes.post("/reset")
async def reset_form(request: web.Request) -> web.Response:
    form = await request.post()
    phone = _field(form, "phone", 32)
    try:
        await request.app[SERVICES].registration.request_reset(phone, client_address(request))
    except DomainError as err:
        return render(
            request, "reset.html", {"step": "phone", "error": err.code, "phone": phone}, status=err.status
        )
    return render(request, "reset.html", {"step": "code", "phone": phone}, status=202)


@routes.post("/reset/confirm")
async def reset_confirm_form(request: web.Request) -> web.Response:
    form = await request.post()
    phone = _field(form, "phone", 32)
    try:
        signed_in = await request.app[SERVICES].registration.confirm_reset(
            phone, _field(form, "code", 16), _field(form, "password"), client_address(request)
        )
    except DomainError as err:
        return render(
            request, "reset.html", {"step": "code", "error": err.code, "phone": phone}, status=err.status
        )
    raise _signed_in(request, signed_in, "/")


@routes.get("/households/join")
async def join_page(request: web.Request) -> web.Response:
    membership = await request.app[SERVICES].households.mine(request[ACTOR])
    code = request.query.get("code", "")[:16]
    return render(request, "household_join.html", {"code": code, "membership": membership})


@routes.post("/households/join")
async def join_form(request: web.Request) -> web.Response:
    form = await request.post()
    code = _field(form, "code", 16)
    households = request.app[SERVICES].households
    try:
        place = await households.join(request[ACTOR], code)
    except DomainError as err:
        membership = await households.mine(request[ACTOR])
        context = {"code": code, "error": err.code, "membership": membership}
        return render(request, "household_join.html", context, status=err.status)
    return render(request, "household_join.html", {"joined": place, "membership": None})


async def _staff_context(request: web.Request) -> dict[str, Any]:
    services = request.app[SERVICES]
    actor = request[ACTOR]
    if not actor.is_user:
        raise web.HTTPSeeOther(f"/login?next={request.path}")
    slug = request.query.get("community") or actor.community_slug
    if not slug:
        communities = await services.places.communities()
        slug = communities[0].slug if communities else ""
    community = await services.places.by_slug(slug)
    units = await services.households.units(actor, community.id)
    members = await services.households.members_in(actor, community.id)
    return {"community": community, "units": units, "members": members[:50]}


@routes.get("/households")
async def households_page(request: web.Request) -> web.Response:
    return render(request, "households.html", await _staff_context(request))


@routes.post("/households")
async def households_form(request: web.Request) -> web.Response:
    """Issue a code (``action=code``) or verify a resident by phone on the spot (``action=verify``)."""
    context = await _staff_context(request)
    form = await request.post()
    households = request.app[SERVICES].households
    room = _field(form, "room", 32)
    context["room"] = room
    try:
        unit = int(_field(form, "unit", 12) or "0")
        context["unit"] = unit
        if _field(form, "action", 16) == "verify":
            context["verified"] = await households.verify_phone(
                request[ACTOR], _field(form, "phone", 32), unit, room
            )
        else:
            context["issued"] = await households.issue_code(request[ACTOR], unit, room)
    except ValueError:
        context["error"] = "unknown_unit"
        return render(request, "households.html", context, status=400)
    except DomainError as err:
        context["error"] = err.code
        return render(request, "households.html", context, status=err.status)
    context["members"] = await households.members_in(request[ACTOR], context["community"].id)
    return render(request, "households.html", context, status=201 if "issued" in context else 200)
