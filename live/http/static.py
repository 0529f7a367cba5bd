"""Static files (CSS, JS, images, vendored libraries) under web/static/.

Pages link them as ``/static/<path>?v=<content hash>`` (``live.http.templates.static_url``): a
request carrying the file's current hash is cacheable for a year (``immutable``); without it (or
with an old hash) it must be revalidated. A module's imports are served with their own hashes
(``./x.js?v=…``), and its hash covers theirs, so a page's whole module graph comes from the
cache until one of its files changes. Files are answered from memory, so the compression
middleware can gzip the text ones."""

from __future__ import annotations

import mimetypes

from aiohttp import web

from live.http.templates import STATIC, static_body, static_fingerprint

routes = web.RouteTableDef()
LONG = "public, max-age=31536000, immutable"
SHORT = "no-cache"
TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


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
    body = static_body(path.relative_to(root).as_posix())
    return web.Response(body=body, content_type=kind, headers=headers)
