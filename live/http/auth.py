"""Who is asking: the session cookie, else a signed guest cookie, else an anonymous guest.

Sets ``request[ACTOR]``, ``request[CSRF]`` (the token this requester must send with writes) and
``request[COOKIE_AUTH]`` (whether a cookie identified them, which is when CSRF applies)."""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Mapping

from aiohttp import web
from aiohttp.typedefs import Handler

from live.keys import SERVICES, SETTINGS
from live.services.actors import Actor
from live.services.guests import guest_actor, guest_csrf, new_guest_id, sign_guest, verify_guest

SESSION_COOKIE = "rt_session"
GUEST_COOKIE = "rt_guest"
LANG_COOKIE = "lang"

ACTOR = web.RequestKey("actor", Actor)
CSRF = web.RequestKey("csrf", str)
COOKIE_AUTH = web.RequestKey("cookie_auth", bool)
SESSION_TOKEN = web.RequestKey("session_token", str)
NEW_GUEST = web.RequestKey("new_guest", str)
ADDRESS = web.RequestKey("address", str)
#: The signed guest token of a guest requester (``GET /api/me`` hands it to socket clients).
GUEST_TOKEN = web.RequestKey("guest_token", str)


def forwarded_address(forwarded: str, hops: int, peer: str | None) -> str | None:
    """The client address behind ``hops`` trusted proxies: the ``hops``-th entry of
    X-Forwarded-For counted from the right (each proxy appends who connected to it, so entries
    further left were written by the client and prove nothing). Anything else: the peer."""
    if hops <= 0:
        return peer
    entries = [e.strip() for e in forwarded.split(",")]
    if not forwarded.strip() or len(entries) < hops:
        return peer
    candidate = entries[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return peer


def ascii_cookie(cookies: Mapping[str, str], name: str) -> str | None:
    """A cookie's value, or None when absent or not plain ASCII (a damaged cookie is no cookie)."""
    value = cookies.get(name)
    if not value or not value.isascii() or len(value) > 4096:
        return None
    return value


def client_address(request: web.Request) -> str:
    """The address used for throttling, bans, /metrics and "is loopback"."""
    if ADDRESS in request:
        return request[ADDRESS]
    hops = request.app[SETTINGS].trust_proxy
    address = forwarded_address(request.headers.get("X-Forwarded-For", ""), hops, request.remote)
    request[ADDRESS] = address or "unknown"
    return request[ADDRESS]


def is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def is_secure(request: web.Request) -> bool:
    if request.app[SETTINGS].trust_proxy and request.headers.get("X-Forwarded-Proto") == "https":
        return True
    return request.secure


def set_cookie(
    request: web.Request,
    response: web.StreamResponse,
    name: str,
    value: str,
    max_age: int = 60 * 60 * 24 * 365,
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=is_secure(request),
        path="/",
    )


async def _identify(request: web.Request) -> None:
    services = request.app[SERVICES]
    secret = request.app[SETTINGS].secret
    address = client_address(request)
    token = ascii_cookie(request.cookies, SESSION_COOKIE)
    if token:
        resolved = await services.accounts.resolve(token, address)
        if resolved:
            request[ACTOR], request[CSRF] = resolved
            request[COOKIE_AUTH] = True
            request[SESSION_TOKEN] = token
            return
    signed = ascii_cookie(request.cookies, GUEST_COOKIE)
    guest_id = verify_guest(secret, signed) if signed else None
    if guest_id and signed:
        request[ACTOR] = guest_actor(secret, guest_id, None, address)
        request[CSRF] = guest_csrf(secret, guest_id)
        request[COOKIE_AUTH] = True
        request[GUEST_TOKEN] = signed
        return
    if request.method == "GET" and not request.path.startswith(("/static/", "/hls/", "/vendor/")):
        # A browser's first visit: give it a guest id to keep.
        guest_id = new_guest_id()
        request[NEW_GUEST] = guest_id
        request[GUEST_TOKEN] = sign_guest(secret, guest_id)
    else:
        # A cookie-less client (a script): one anonymous person per address.
        guest_id = "ip-" + hashlib.sha256(f"{secret}:{address}".encode()).hexdigest()[:16]
    request[ACTOR] = guest_actor(secret, guest_id, None, address)
    request[CSRF] = guest_csrf(secret, guest_id)
    request[COOKIE_AUTH] = False


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    await _identify(request)
    response = await handler(request)
    new_guest = request.get(NEW_GUEST)
    if new_guest and not response.prepared:
        set_cookie(request, response, GUEST_COOKIE, request[GUEST_TOKEN])
    return response


def setup_auth(app: web.Application) -> None:
    app.middlewares.append(auth_middleware)
