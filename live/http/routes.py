"""Every HTTP route module, registered in one place."""

from __future__ import annotations

from aiohttp import web

from live.http import health
from live.http.api import auth, communities, sessions
from live.http.pages import home, live, login
from live.http.templates import STATIC

ROUTE_MODULES = [health, auth, communities, sessions, home, live, login]


def setup_routes(app: web.Application) -> None:
    for module in ROUTE_MODULES:
        app.add_routes(module.routes)
    app.router.add_static("/static/", STATIC, name="static", append_version=False)
