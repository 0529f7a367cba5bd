"""Compressed answers (gzip) for text: HTML, CSS, JavaScript, JSON, SVG, calendars, playlists.

Already-compressed media (video segments, photos, voice) and streamed files are sent as they
are. Phones on a weak network load the watch page in about a third of the bytes."""

from __future__ import annotations

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler
from aiohttp.web import ContentCoding

COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "image/svg+xml",
        "text/calendar",
        "text/plain",
        "application/vnd.apple.mpegurl",
    }
)
MIN_BYTES = 1024


@web.middleware
async def compression_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    if (
        type(response) is web.Response
        and response.content_type in COMPRESSIBLE
        and response.body is not None
        and len(response.body) >= MIN_BYTES  # type: ignore[arg-type]
        and "gzip" in request.headers.get(hdrs.ACCEPT_ENCODING, "").lower()
        and hdrs.CONTENT_ENCODING not in response.headers
        and not request.path.startswith("/socket.io/")
    ):
        response.enable_compression(ContentCoding.gzip)
        response.headers.add(hdrs.VARY, "Accept-Encoding")
    return response


def setup_compression(app: web.Application) -> None:
    app.middlewares.append(compression_middleware)
