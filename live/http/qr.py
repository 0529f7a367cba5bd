"""QR codes as SVG responses (segno)."""

from __future__ import annotations

import segno
from aiohttp import web


def qr_svg(data: str, *, cache: str = "private, max-age=86400") -> web.Response:
    svg = segno.make(data, error="m").svg_inline(scale=8, border=2, dark="#000", light="#fff")
    return web.Response(text=svg, content_type="image/svg+xml", headers={"Cache-Control": cache})
