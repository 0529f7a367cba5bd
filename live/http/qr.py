"""QR codes as SVG responses (segno)."""

from __future__ import annotations

import segno
from aiohttp import web


def qr_code(data: str) -> segno.QRCode:
    """A full QR code (never a Micro QR: segno picks one for short data such as a registration
    code, and phone cameras, WeChat, BarcodeDetector and jsQR cannot read Micro QR)."""
    return segno.make(data, error="m", micro=False)


def qr_svg(data: str, *, cache: str = "private, max-age=86400") -> web.Response:
    svg = qr_code(data).svg_inline(scale=8, border=4, dark="#000", light="#fff")
    return web.Response(text=svg, content_type="image/svg+xml", headers={"Cache-Control": cache})
