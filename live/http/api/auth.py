"""Signing in and out; who am I."""

from __future__ import annotations

from aiohttp import web

from live import schemas
from live.http.auth import ACTOR, CSRF, GUEST_TOKEN, SESSION_COOKIE, SESSION_TOKEN, client_address, set_cookie
from live.http.params import body
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import user_payload
from live.services.accounts import SESSION_DAYS, SignedIn

routes = web.RouteTableDef()


@routes.post("/api/auth/login")
async def login(request: web.Request) -> web.Response:
    form = await body(request, schemas.Login)
    signed_in = await request.app[SERVICES].accounts.login(
        form.username, form.password, client_address(request)
    )
    response = json_response({"user": user_payload(signed_in.actor), "csrf": signed_in.csrf})
    set_cookie(request, response, SESSION_COOKIE, signed_in.token, max_age=SESSION_DAYS * 86400)
    return response


@routes.post("/api/auth/logout")
async def logout(request: web.Request) -> web.Response:
    token = request.get(SESSION_TOKEN)
    if token:
        await request.app[SERVICES].accounts.logout(token)
    response = web.Response(status=204)
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


@routes.get("/api/me")
async def me(request: web.Request) -> web.Response:
    actor = request[ACTOR]
    guest = None if actor.is_user else request.get(GUEST_TOKEN)
    return json_response({"user": user_payload(actor), "csrf": request[CSRF], "guest": guest})


def _signed_in(request: web.Request, signed_in: SignedIn, status: int) -> web.Response:
    response = json_response({"user": user_payload(signed_in.actor), "csrf": signed_in.csrf}, status=status)
    set_cookie(request, response, SESSION_COOKIE, signed_in.token, max_age=SESSION_DAYS * 86400)
    return response


@routes.post("/api/auth/register")
async def register(request: web.Request) -> web.Response:
    form = await body(request, schemas.Register)
    await request.app[SERVICES].registration.register(
        form.name, form.phone, form.password, client_address(request)
    )
    return json_response({"ok": True}, status=202)


@routes.post("/api/auth/register/confirm")
async def register_confirm(request: web.Request) -> web.Response:
    form = await body(request, schemas.PhoneCode)
    signed_in = await request.app[SERVICES].registration.confirm(
        form.phone, form.code, client_address(request)
    )
    return _signed_in(request, signed_in, 201)


@routes.post("/api/auth/reset")
async def reset(request: web.Request) -> web.Response:
    form = await body(request, schemas.ResetRequest)
    await request.app[SERVICES].registration.request_reset(form.phone, client_address(request))
    return json_response({"ok": True}, status=202)


@routes.post("/api/auth/reset/confirm")
async def reset_confirm(request: web.Request) -> web.Response:
    form = await body(request, schemas.ResetConfirm)
    signed_in = await request.app[SERVICES].registration.confirm_reset(
        form.phone, form.code, form.password, client_address(request)
    )
    return _signed_in(request, signed_in, 200)
