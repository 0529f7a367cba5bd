"""The archive: past sessions, and one session's replay with chat, opinions and viewer chart."""

from __future__ import annotations

import math

from aiohttp import web

from live.http.params import optional_ident, path_id
from live.http.templates import render
from live.keys import SERVICES
from live.services.archive import clock_label

routes = web.RouteTableDef()
PAGE_SIZE = 20


def seek_seconds(raw: str | None, duration: float | None) -> float | None:
    """``?t=<seconds>``: where the replay starts; None when absent or not a number."""
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return min(value, duration) if duration else value


@routes.get("/archive")
async def archive_page(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    community = request.query.get("community") or None
    after = optional_ident(request.query.get("after"), "after")
    page = await services.archive.past(community, PAGE_SIZE, after)
    return render(
        request,
        "archive.html",
        {"page": page, "selected": community, "after": after, "clock_label": clock_label},
    )


@routes.get("/archive/{id}")
async def replay_page(request: web.Request) -> web.StreamResponse:
    services = request.app[SERVICES]
    session_id = path_id(request)
    session = await services.rooms.get(session_id)
    if session.status != "ended":
        raise web.HTTPSeeOther(f"/live/{session.id}")
    asked = seek_seconds(request.query.get("t"), None)
    replay = await services.archive.replay(session_id, asked)
    start = seek_seconds(request.query.get("t"), replay.duration_s)
    return render(
        request,
        "archive_session.html",
        {
            "replay": replay,
            "start": start,
            "clock_label": clock_label,
            "polls": await services.polls.of_session(None, session_id),
            "answered": await services.questions.answered(session_id),
        },
    )
