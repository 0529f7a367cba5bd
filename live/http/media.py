"""WebRTC (WHIP/WHEP) and HLS: attaches the media hub and its routes."""

from __future__ import annotations

from aiohttp import web


def setup_media(app: web.Application) -> None:
    """Attach the media hub (one cleanup context) and the WHIP, WHEP and /hls/ routes."""
