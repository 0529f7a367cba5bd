"""Reaching people outside the site: QR codes, printable posters and calendar files of
broadcasts, agenda items and meetings; the care-mode (长辈版) switch."""

from __future__ import annotations

from aiohttp import web

from live.http.auth import ACTOR, set_cookie
from live.http.pages.login import safe_next
from live.http.params import path_id
from live.http.templates import CARE_COOKIE, base_url, render
from live.keys import SERVICES

routes = web.RouteTableDef()

KINDS = ("live", "agenda", "meetings")
ICS = "text/calendar"
QR_CACHE = "public, max-age=86400"


def _ics(body: bytes, filename: str) -> web.Response:
    return web.Response(
        body=body,
        content_type=ICS,
        charset="utf-8",
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-cache"},
    )


@routes.get(r"/live/{id:\d+}.ics")
async def session_ics(request: web.Request) -> web.Response:
    session_id = path_id(request)
    body = await request.app[SERVICES].outreach.session_calendar(session_id, base_url(request))
    return _ics(body, f"live-{session_id}.ics")


@routes.get(r"/meetings/{id:\d+}.ics")
async def meeting_ics(request: web.Request) -> web.Response:
    meeting_id = path_id(request)
    body = await request.app[SERVICES].outreach.meeting_calendar(meeting_id, base_url(request))
    return _ics(body, f"meeting-{meeting_id}.ics")


@routes.get("/communities/{slug}/calendar.ics")
async def community_ics(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    body = await request.app[SERVICES].outreach.community_calendar(slug, base_url(request))
    return _ics(body, f"{slug}.ics")


def _kind(request: web.Request) -> str:
    kind = request.match_info["kind"]
    if kind not in KINDS:
        raise web.HTTPNotFound()
    return kind


@routes.get(r"/{kind:live|agenda|meetings}/{id:\d+}/qr.svg")
async def qr(request: web.Request) -> web.Response:
    """A QR code of the page's absolute URL (for posters, WeChat groups, printed notices)."""
    svg = await request.app[SERVICES].outreach.qr(_kind(request), path_id(request), base_url(request))
    return web.Response(body=svg, content_type="image/svg+xml", headers={"Cache-Control": QR_CACHE})


@routes.get(r"/{kind:live|agenda|meetings}/{id:\d+}/poster")
async def poster(request: web.Request) -> web.Response:
    """A printable A4 notice (公告栏): title, time, place and the QR code."""
    kind = _kind(request)
    found = await request.app[SERVICES].outreach.poster(kind, path_id(request))
    return render(request, "poster.html", {"poster": found, "url": base_url(request) + found.path})


@routes.get("/care")
async def care_mode(request: web.Request) -> web.StreamResponse:
    """Switch 长辈版 (care mode: large type, large targets, simpler pages) on or off; remembered."""
    on = request.query.get("on", "1") == "1"
    response = web.HTTPSeeOther(safe_next(request.query.get("next")))
    set_cookie(request, response, CARE_COOKIE, "1" if on else "0")
    raise response


@routes.get(r"/meetings/{id:\d+}")
async def meeting_page(request: web.Request) -> web.Response:
    """A meeting's public page (what its QR code and poster lead to)."""
    services = request.app[SERVICES]
    view = await services.meetings.view(path_id(request))
    community = await services.places.by_slug(view.community)
    attendees = await services.registrations.attendees(request[ACTOR], view.meeting.id)
    return render(
        request,
        "meeting.html",
        {"meeting": view.meeting, "community": community, "items": view.items, "attendees": attendees},
    )
