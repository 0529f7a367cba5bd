"""CSRF: a write that a cookie authenticates must carry the requester's token.

The token goes in the ``X-CSRF-Token`` header (scripts, fetch) or a ``csrf`` form field (plain
HTML forms). WHIP and WHEP are authorised by a Bearer stream key or open to anyone: exempt."""

from __future__ import annotations

import hmac

from aiohttp import web
from aiohttp.typedefs import Handler

from live.http.auth import COOKIE_AUTH, CSRF
from live.http.errors import error_response

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def exempt(request: web.Request) -> bool:
    path = request.path
    if path.startswith("/socket.io/"):
        return True  # Engine.IO polling: bound to a secret sid; Origin is checked by the socket server
    return path.startswith("/api/sessions/") and ("/whip" in path or "/whep" in path)


async def presented_token(request: web.Request) -> str:
    header = request.headers.get("X-CSRF-Token")
    if header:
        return header
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        value = form.get("csrf")
        return value if isinstance(value, str) else ""
    return ""


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method not in SAFE_METHODS and request[COOKIE_AUTH] and not exempt(request):
        token = await presented_token(request)
        if not token or not token.isascii() or not hmac.compare_digest(token, request[CSRF]):
            return error_response(403, "csrf", "missing or wrong X-CSRF-Token")
    return await handler(request)


def setup_csrf(app: web.Application) -> None:
    app.middlewares.append(csrf_middleware)
