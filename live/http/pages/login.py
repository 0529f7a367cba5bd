"""Sign-in page (works without JavaScript), sign-out and the language switch."""

from __future__ import annotations

from urllib.parse import urlparse

from aiohttp import web

from live.errors import BadCredentials, TooManyAttempts
from live.http.auth import LANG_COOKIE, SESSION_COOKIE, SESSION_TOKEN, client_address, set_cookie
from live.http.i18n import LANGUAGES
from live.http.templates import render
from live.keys import SERVICES
from live.services.accounts import SESSION_DAYS

routes = web.RouteTableDef()


def safe_next(value: str | None) -> str:
    """Only same-site paths are followed after sign-in."""
    if not value:
        return "/"
    parsed = urlparse(value)
    if parsed.scheme or parsed.netloc or not value.startswith("/") or value.startswith("//"):
        return "/"
    return value


@routes.get("/login")
async def login_page(request: web.Request) -> web.Response:
    return render(request, "login.html", {"next": safe_next(request.query.get("next"))})


@routes.post("/login")
async def login_form(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    username = str(form.get("username", ""))[:64]
    password = str(form.get("password", ""))[:256]
    target = safe_next(str(form.get("next", "/")))
    try:
        signed_in = await request.app[SERVICES].accounts.login(username, password, client_address(request))
    except TooManyAttempts:
        return render(
            request, "login.html", {"error": "throttled", "next": target, "username": username}, status=429
        )
    except BadCredentials:
        return render(
            request, "login.html", {"error": "bad", "next": target, "username": username}, status=401
        )
    response = web.HTTPSeeOther(target)
    set_cookie(request, response, SESSION_COOKIE, signed_in.token, max_age=SESSION_DAYS * 86400)
    raise response


@routes.post("/logout")
async def logout_form(request: web.Request) -> web.StreamResponse:
    token = request.get(SESSION_TOKEN)
    if token:
        await request.app[SERVICES].accounts.logout(token)
    response = web.HTTPSeeOther("/")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


@routes.get("/lang")
async def switch_language(request: web.Request) -> web.StreamResponse:
    lang = request.query.get("to", "zh-CN")
    if lang not in LANGUAGES:
        lang = "zh-CN"
    response = web.HTTPSeeOther(safe_next(request.query.get("next")))
    set_cookie(request, response, LANG_COOKIE, lang)
    raise response
