"""Health and metrics."""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from live.errors import Forbidden
from live.http.auth import client_address, is_loopback
from live.http.responses import json_response
from live.keys import REDIS_HEALTH, SETTINGS

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    """``{ok: true}``; with Redis configured also ``redis`` (answering?) and ``degraded`` (this
    process is serving its own clients alone until Redis is back)."""
    health = request.app.get(REDIS_HEALTH)
    return json_response({"ok": True, **(health.payload() if health is not None else {})})


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    if not request.app[SETTINGS].metrics_public and not is_loopback(client_address(request)):
        raise Forbidden("metrics are served on loopback only")
    response = web.Response(body=generate_latest(REGISTRY))
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    return response
