"""Deliberation meetings: schedule (moving proposed items to scheduled), list, one, record."""

from __future__ import annotations

from aiohttp import web

from live import schemas
from live.errors import Invalid
from live.http.auth import ACTOR
from live.http.params import body, moment, path_id, query
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import meeting_payload

routes = web.RouteTableDef()


@routes.post("/api/meetings")
async def create_meeting(request: web.Request) -> web.Response:
    form = await body(request, schemas.CreateMeeting)
    services = request.app[SERVICES]
    starts_at = moment(form.starts_at, "starts_at")
    if starts_at is None:
        raise Invalid("starts_at is required", code="missing_field", field="starts_at")
    meeting = await services.meetings.create(
        request[ACTOR],
        community_slug=form.community,
        format=form.format,
        title=form.title,
        starts_at=starts_at,
        place=form.place,
        item_ids=form.agenda,
    )
    view = await services.meetings.view(meeting.id)
    return json_response(meeting_payload(view.meeting, view.community, view.items), status=201)


@routes.get("/api/meetings")
async def list_meetings(request: web.Request) -> web.Response:
    q = query(request, schemas.MeetingList)
    views = await request.app[SERVICES].meetings.list(
        community_slug=q.community, limit=q.limit, after=q.after
    )
    return json_response([meeting_payload(v.meeting, v.community, v.items) for v in views])


@routes.get("/api/meetings/{id}")
async def get_meeting(request: web.Request) -> web.Response:
    view = await request.app[SERVICES].meetings.view(path_id(request))
    return json_response(meeting_payload(view.meeting, view.community, view.items))


@routes.patch("/api/meetings/{id}")
async def record_meeting(request: web.Request) -> web.Response:
    form = await body(request, schemas.RecordMeeting)
    services = request.app[SERVICES]
    meeting = await services.meetings.update(
        request[ACTOR],
        path_id(request),
        attendance=form.attendance,
        minutes=form.minutes,
        decisions=form.decisions,
        title=form.title,
        place=form.place,
        starts_at=moment(form.starts_at, "starts_at"),
    )
    view = await services.meetings.view(meeting.id)
    return json_response(meeting_payload(view.meeting, view.community, view.items))
