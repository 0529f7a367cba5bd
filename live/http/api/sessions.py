"""Live sessions: schedule, start, end, list, one."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from live import schemas
from live.http.auth import ACTOR
from live.http.params import body, moment, path_id, query
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import session_payload
from live.services.container import Services
from live.services.rooms import SessionView
from live.storage.rooms import LiveSession

routes = web.RouteTableDef()


def view_payload(view: SessionView, *, with_key: bool = False) -> dict[str, Any]:
    return session_payload(
        view.session, view.community_slug, with_key=with_key, stats=view.stats, recording=view.recording
    )


async def full_session(services: Services, session: LiveSession, *, with_key: bool = False) -> dict[str, Any]:
    return view_payload(await services.rooms.view(session), with_key=with_key)


@routes.post("/api/sessions")
async def create_session(request: web.Request) -> web.Response:
    form = await body(request, schemas.CreateSession)
    services = request.app[SERVICES]
    session = await services.rooms.create(
        request[ACTOR],
        form.community,
        form.title,
        form.description or "",
        moment(form.scheduled_at, "scheduled_at"),
    )
    return json_response(await full_session(services, session, with_key=True), status=201)


@routes.post("/api/sessions/{id}/start")
async def start_session(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    session = await services.rooms.start(request[ACTOR], path_id(request))
    return json_response(await full_session(services, session, with_key=True))


@routes.post("/api/sessions/{id}/end")
async def end_session(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    session = await services.rooms.end(request[ACTOR], path_id(request))
    return json_response(await full_session(services, session, with_key=True))


@routes.get("/api/sessions")
async def list_sessions(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    q = query(request, schemas.SessionList)
    sessions = await services.rooms.list(q.status, q.community, q.limit, q.after)
    return json_response([view_payload(view) for view in await services.rooms.views(sessions)])


@routes.get("/api/sessions/{id}")
async def get_session(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    session = await services.rooms.get(path_id(request))
    actor = request[ACTOR]
    with_key = actor.can("host", session.community_id)
    return json_response(await full_session(services, session, with_key=with_key))
