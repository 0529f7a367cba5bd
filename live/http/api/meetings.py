"""Deliberation meetings: schedule (moving proposed items to scheduled), list, one, record."""

from __future__ import annotations

from aiohttp import web

from live.errors import Invalid
from live.http.api.agenda import ids
from live.http.auth import ACTOR
from live.http.params import ident, json_body, moment, optional_text, page, path_id, text
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import meeting_payload

routes = web.RouteTableDef()


@routes.post("/api/meetings")
async def create_meeting(request: web.Request) -> web.Response:
    body = await json_body(request)
    services = request.app[SERVICES]
    starts_at = moment(body.get("starts_at"), "starts_at")
    if starts_at is None:
        raise Invalid("starts_at is required", code="missing_field")
    meeting = await services.meetings.create(
        request[ACTOR],
        community_slug=text(body, "community", max_len=64),
        format=text(body, "format", max_len=32),
        title=text(body, "title", max_len=1000),
        starts_at=starts_at,
        place=text(body, "place", max_len=1000),
        item_ids=ids(body, "agenda"),
    )
    view = await services.meetings.view(meeting.id)
    return json_response(meeting_payload(view.meeting, view.community, view.items), status=201)


@routes.get("/api/meetings")
async def list_meetings(request: web.Request) -> web.Response:
    limit, after = page(request)
    views = await request.app[SERVICES].meetings.list(
        community_slug=request.query.get("community") or None, limit=limit, after=after
    )
    return json_response([meeting_payload(v.meeting, v.community, v.items) for v in views])


@routes.get("/api/meetings/{id}")
async def get_meeting(request: web.Request) -> web.Response:
    view = await request.app[SERVICES].meetings.view(path_id(request))
    return json_response(meeting_payload(view.meeting, view.community, view.items))


@routes.patch("/api/meetings/{id}")
async def record_meeting(request: web.Request) -> web.Response:
    body = await json_body(request)
    services = request.app[SERVICES]
    attendance = body.get("attendance")
    if attendance is not None and (not isinstance(attendance, int) or isinstance(attendance, bool)):
        raise Invalid("attendance must be a whole number")
    raw = body.get("decisions")
    decisions: dict[int, str] = {}
    if raw is not None:
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            raise Invalid("decisions must map agenda item ids to text")
        decisions = {ident(k, "decisions"): v for k, v in raw.items()}
    meeting = await services.meetings.update(
        request[ACTOR],
        path_id(request),
        attendance=attendance,
        minutes=optional_text(body, "minutes", 20000),
        decisions=decisions,
        title=optional_text(body, "title", 1000),
        place=optional_text(body, "place", 1000),
        starts_at=moment(body.get("starts_at"), "starts_at"),
    )
    view = await services.meetings.view(meeting.id)
    return json_response(meeting_payload(view.meeting, view.community, view.items))
