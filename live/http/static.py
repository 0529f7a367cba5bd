"""Static files (CSS, JS, images, vendored libraries) under web/static/.

Pages link them as ``/static/<path>?v=<content hash>`` (``live.http.templates.static_url``): a
request carrying the file's current hash is cacheable for a year (``immutable``); without it (or
with an old hash) it must be revalidated. Files are answered from memory, so the compression
middleware can gzip the text ones."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from aiohttp import web

from live.http.templates import STATIC, static_fingerprint

routes = web.RouteTableDef()
LONG = "public, max-age=31536000, immutable"
SHORT = "no-cache"
TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
_cache: dict[str, tuple[float, bytes]] = {}


def _read(path: Path) -> bytes:
    key = str(path)
    mtime = path.stat().st_mtime
    cached = _cache.get(key)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    data = path.read_bytes()
    _cache[key] = (mtime, data)
    return data


@routes.get("/static/{path:.+}")
async def static_file(request: web.Request) -> web.Response:
    relative = request.match_info["path"]
    root = STATIC.resolve()
    path = (root / relative).resolve()
    if root not in path.parents or not path.is_file() or path.name.startswith("."):
        raise web.HTTPNotFound()
    fingerprint = static_fingerprint(relative)
    etag = f'"{fingerprint}"' if fingerprint else None
    headers = {"Cache-Control": LONG if fingerprint and request.query.get("v") == fingerprint else SHORT}
    if etag:
        headers["ETag"] = etag
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers=headers)
    kind = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return web.Response(body=_read(path), content_type=kind, headers=headers)
