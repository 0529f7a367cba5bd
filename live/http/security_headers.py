"""Security headers on every response."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self' ws: wss:",
        "style-src 'self'",
        "script-src 'self'",
        "worker-src 'self' blob:",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)


@web.middleware
async def security_headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(self), microphone=(self), display-capture=(self)")
    if response.content_type == "text/html":
        headers.setdefault("Content-Security-Policy", CSP)
    return response


def setup_security_headers(app: web.Application) -> None:
    app.middlewares.append(security_headers_middleware)
