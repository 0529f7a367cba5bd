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
from live.services.rooms import sessions_counts
from live.storage.rooms import LiveSession

routes = web.RouteTableDef()


async def full_session(services: Services, session: LiveSession, *, with_key: bool = False) -> dict[str, Any]:
    return (await full_sessions(services, [session], with_key=with_key))[0]


async def full_sessions(
    services: Services, sessions: list[LiveSession], *, with_key: bool = False
) -> list[dict[str, Any]]:
    """Sessions with their stats; the same few queries for one session or a whole page."""
    slugs = {c.id: c.slug for c in await services.places.communities()}
    counts = await sessions_counts(services.db, [s.id for s in sessions])
    out = []
    for session in sessions:
        current = await services.presence.current(session.id)
        stats = {
            "current_viewers": current,
            "peak_viewers": max(session.peak_viewers, current),
            "unique_viewers": session.unique_viewers,
            **counts[session.id],
        }
        recording = None
        if session.recording_duration_s is not None:
            recording = {
                "hls": f"/hls/{session.id}/index.m3u8",
                "duration_s": session.recording_duration_s,
            }
        out.append(
            session_payload(
                session, slugs[session.community_id], with_key=with_key, stats=stats, recording=recording
            )
        )
    return out


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
    return json_response(await full_sessions(services, sessions))


@routes.get("/api/sessions/{id}")
async def get_session(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    session = await services.rooms.get(path_id(request))
    actor = request[ACTOR]
    with_key = actor.can("host", session.community_id)
    return json_response(await full_session(services, session, with_key=with_key))
