"""Deliberation meetings: schedule (moving proposed items to scheduled), list, one, record."""

from __future__ import annotations

import msgspec
from aiohttp import web

from live import schemas
from live.errors import Invalid
from live.http.auth import ACTOR
from live.http.params import body, moment, path_id, query
from live.http.qr import qr_svg
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import iso, meeting_payload, registration_payload

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
    counts = await services.registrations.counts(meeting.id)
    return json_response(meeting_payload(view.meeting, view.community, view.items, counts), status=201)


@routes.get("/api/meetings")
async def list_meetings(request: web.Request) -> web.Response:
    q = query(request, schemas.MeetingList)
    views = await request.app[SERVICES].meetings.list(
        community_slug=q.community, limit=q.limit, after=q.after
    )
    counts = await request.app[SERVICES].registrations.counts_of([v.meeting.id for v in views])
    return json_response(
        [meeting_payload(v.meeting, v.community, v.items, counts[v.meeting.id]) for v in views]
    )


@routes.get("/api/meetings/{id}")
async def get_meeting(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    view = await services.meetings.view(path_id(request))
    counts = await services.registrations.counts(view.meeting.id)
    return json_response(meeting_payload(view.meeting, view.community, view.items, counts))


@routes.patch("/api/meetings/{id}")
async def record_meeting(request: web.Request) -> web.Response:
    form = await body(request, schemas.RecordMeeting)
    services = request.app[SERVICES]
    if form.capacity is not msgspec.UNSET:
        await services.registrations.set_capacity(request[ACTOR], path_id(request), form.capacity)
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
    counts = await services.registrations.counts(meeting.id)
    return json_response(meeting_payload(view.meeting, view.community, view.items, counts))


@routes.post("/api/meetings/{id}/registrations")
async def register(request: web.Request) -> web.Response:
    form = await body(request, schemas.RegisterForMeeting)
    registration, _created = await request.app[SERVICES].registrations.register(
        request[ACTOR], path_id(request), form.name
    )
    # 201 also when the same person registers the same name again: they get the registration they have
    return json_response(registration_payload(registration), status=201)


@routes.get("/api/meetings/{id}/registrations")
async def registrations(request: web.Request) -> web.Response:
    found = await request.app[SERVICES].registrations.of_meeting(request[ACTOR], path_id(request))
    return json_response([registration_payload(r) for r in found])


@routes.delete("/api/meetings/{id}/registrations/{rid}")
async def cancel(request: web.Request) -> web.Response:
    await request.app[SERVICES].registrations.cancel(
        request[ACTOR], path_id(request), path_id(request, "rid")
    )
    return web.Response(status=204)


@routes.get("/api/meetings/{id}/registrations/{rid}/qr.svg")
async def registration_qr(request: web.Request) -> web.Response:
    """The registration's code as a QR image, for the registrant to show at the door."""
    registration = await request.app[SERVICES].registrations.one(
        request[ACTOR], path_id(request), path_id(request, "rid")
    )
    return qr_svg(registration.code)


@routes.post("/api/meetings/{id}/checkin")
async def check_in(request: web.Request) -> web.Response:
    """Staff at the door: ``{code}`` (scanned or typed) or ``{registration}`` (found by name)."""
    form = await body(request, schemas.CheckIn)
    if not form.code and form.registration is None:
        raise Invalid("code is required", code="missing_field", field="code")
    done = await request.app[SERVICES].registrations.check_in(
        request[ACTOR], path_id(request), code=form.code or None, registration_id=form.registration
    )
    return json_response(
        {"registration": registration_payload(done.registration), "checked_in_at": iso(done.checked_in_at)}
    )
