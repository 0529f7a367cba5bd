"""Security headers on every response.

HTML pages get a strict Content-Security-Policy whose ``connect-src`` is this origin only:
``'self'`` and the WebSocket addresses of the host the page was served from (``ws://host`` and
``wss://host``; a Host header that is not a plain host[:port] gets ``'self'`` alone). With
``LIVE_HSTS=<seconds>`` responses over HTTPS carry ``Strict-Transport-Security``."""

from __future__ import annotations

import re

from aiohttp import web
from aiohttp.typedefs import Handler

from live.http.auth import is_secure
from live.keys import SETTINGS

HOST = re.compile(
    r"^(?:(?:[A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$"
)


def csp(host: str | None) -> str:
    connect = "connect-src 'self'"
    if host and HOST.match(host):
        connect += f" ws://{host} wss://{host}"
    return "; ".join(
        [
            "default-src 'self'",
            "img-src 'self' data: blob:",
            "media-src 'self' blob:",
            connect,
            "style-src 'self'",
            "script-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


CSP = csp(None)


@web.middleware
async def security_headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(self), microphone=(self), display-capture=(self)")
    if response.content_type == "text/html":
        headers.setdefault("Content-Security-Policy", csp(request.host))
    hsts = request.app[SETTINGS].hsts_s
    if hsts > 0 and is_secure(request):
        headers.setdefault("Strict-Transport-Security", f"max-age={hsts}; includeSubDomains")
    return response


def setup_security_headers(app: web.Application) -> None:
    app.middlewares.append(security_headers_middleware)
