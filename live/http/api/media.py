"""WHIP (publish), WHEP (watch), stream health, HLS files and the MP4 download.

WHIP (RFC 9725) is authorised by ``Authorization: Bearer <stream key>``; publishing to a
scheduled session starts it (so OBS alone can go live), to an ended one is 409. WHEP is open to
anyone while the session is live; over this process's WebRTC viewer cap it answers 503 and the
client falls back to HLS. Both speak ``application/sdp`` and answer 201 with a ``Location`` whose
DELETE ends the peer."""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp import web

from live.errors import Conflict, Invalid, NotFound, Unauthenticated, Unavailable
from live.http.auth import ACTOR
from live.http.params import path_id
from live.http.responses import json_response
from live.keys import MEDIA_HUB, SERVICES
from live.services.actors import require_staff
from media import errors as media_errors

routes = web.RouteTableDef()

SDP = "application/sdp"
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, If-Match",
    "Access-Control-Expose-Headers": "Location, Link, ETag, Accept-Post",
    "Access-Control-Max-Age": "86400",
}
HLS_NAME = re.compile(r"^(?:index\.m3u8|master\.m3u8|[A-Za-z0-9_-]{1,64}\.(?:ts|m4s|mp4))$")
RENDITIONS = ("low", "audio")
CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4s": "video/mp4",
    ".mp4": "video/mp4",
}
IMMUTABLE = "public, max-age=31536000, immutable"


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Authorization: Bearer <stream key> is required", code="bad_stream_key")
    return token.strip()


async def _offer(request: web.Request) -> str:
    if request.content_type != SDP:
        raise Invalid("the body must be an SDP offer (Content-Type: application/sdp)", code="bad_offer")
    try:
        return await request.text()
    except UnicodeDecodeError as err:
        raise Invalid("the SDP offer is not UTF-8", code="bad_offer") from err


def _domain(err: media_errors.MediaError) -> Exception:
    """A media error as the domain error the one error middleware turns into JSON."""
    if isinstance(err, media_errors.BadOffer):
        return Invalid(err.detail, code=err.code)
    if isinstance(err, media_errors.ViewerCapReached):
        return Unavailable(f"{err.detail}; watch over HLS instead", code=err.code)
    if isinstance(err, media_errors.NotFound):
        return NotFound(err.detail)
    return Invalid(err.detail, code=err.code)


def _created(request: web.Request, answer: str, location: str) -> web.Response:
    response = web.Response(status=201, text=answer, content_type=SDP, headers=CORS)
    response.headers["Location"] = location
    response.headers["ETag"] = f'"{location.rsplit("/", 1)[-1]}"'
    return response


def _options() -> web.Response:
    response = web.Response(status=204, headers=CORS)
    response.headers["Accept-Post"] = SDP
    return response


@routes.route("OPTIONS", "/api/sessions/{id}/whip")
@routes.route("OPTIONS", "/api/sessions/{id}/whip/{resource}")
@routes.route("OPTIONS", "/api/sessions/{id}/whep")
@routes.route("OPTIONS", "/api/sessions/{id}/whep/{resource}")
async def preflight(request: web.Request) -> web.Response:
    return _options()


@routes.post("/api/sessions/{id}/whip")
async def whip_publish(request: web.Request) -> web.Response:
    session_id = path_id(request)
    key = _bearer(request)
    services, hub = request.app[SERVICES], request.app[MEDIA_HUB]
    session = await services.rooms.by_stream_key(session_id, key)
    if session is None:
        raise Unauthenticated("wrong stream key", code="bad_stream_key")
    if session.status == "ended":
        raise Conflict("this session has ended", code="ended")
    offer = await _offer(request)
    try:
        answer, resource = await hub.publish(session_id, offer)
    except media_errors.NotFound as err:
        raise Conflict("this session has ended", code="ended") from err
    except media_errors.MediaError as err:
        raise _domain(err) from err
    try:
        await services.rooms.start_publishing(session_id, key)
    except Conflict:
        await hub.stop_publishing(session_id, resource)
        raise
    return _created(request, answer, f"/api/sessions/{session_id}/whip/{resource}")


@routes.delete("/api/sessions/{id}/whip/{resource}")
async def whip_stop(request: web.Request) -> web.Response:
    session_id = path_id(request)
    session = await request.app[SERVICES].rooms.by_stream_key(session_id, _bearer(request))
    if session is None:
        raise Unauthenticated("wrong stream key", code="bad_stream_key")
    try:
        await request.app[MEDIA_HUB].stop_publishing(session_id, request.match_info["resource"])
    except media_errors.MediaError as err:
        raise _domain(err) from err
    return web.Response(status=200, headers=CORS)


@routes.post("/api/sessions/{id}/whep")
async def whep_watch(request: web.Request) -> web.Response:
    session_id = path_id(request)
    session = await request.app[SERVICES].rooms.get(session_id)
    if session.status != "live":
        code = "ended" if session.status == "ended" else "not_live"
        raise Conflict(f"the session is {session.status}; WebRTC viewing is only while live", code=code)
    offer = await _offer(request)
    try:
        answer, resource = await request.app[MEDIA_HUB].watch(session_id, offer)
    except media_errors.MediaError as err:
        raise _domain(err) from err
    return _created(request, answer, f"/api/sessions/{session_id}/whep/{resource}")


@routes.delete("/api/sessions/{id}/whep/{resource}")
async def whep_stop(request: web.Request) -> web.Response:
    try:
        await request.app[MEDIA_HUB].stop_watching(path_id(request), request.match_info["resource"])
    except media_errors.MediaError as err:
        raise _domain(err) from err
    return web.Response(status=200, headers=CORS)


@routes.get("/api/sessions/{id}/health")
async def stream_health(request: web.Request) -> web.Response:
    """The broadcast's health: publishing, reconnecting, viewers, bitrate, frame rate."""
    session = await request.app[SERVICES].rooms.get(path_id(request))
    stats = request.app[MEDIA_HUB].stats(session.id)
    return json_response({"session": str(session.id), "status": session.status, **stats})


@routes.get("/hls/{id}/{name}")
async def hls_file(request: web.Request) -> web.StreamResponse:
    """The full rendition (``index.m3u8``, the recording), ``master.m3u8`` (the ladder) and
    segments."""
    return _hls(request, None)


@routes.get(r"/hls/{id}/{rendition:low|audio}/{name}")
async def hls_rendition_file(request: web.Request) -> web.StreamResponse:
    """The low (about 360p) and audio-only renditions of the ladder."""
    return _hls(request, request.match_info["rendition"])


def _hls(request: web.Request, rendition: str | None) -> web.StreamResponse:
    name = request.match_info["name"]
    if not HLS_NAME.match(name) or (rendition is not None and name == "master.m3u8"):
        raise web.HTTPNotFound()
    hub = request.app[MEDIA_HUB]
    directory = hub.hls_dir(path_id(request)).resolve()
    if rendition is not None:
        directory = directory / rendition
    path = (directory / name).resolve()
    if path.parent != directory or not path.is_file():
        raise web.HTTPNotFound()
    suffix = path.suffix
    headers = {"Access-Control-Allow-Origin": "*"}
    if suffix == ".m3u8":
        body = path.read_bytes()
        if name == "master.m3u8":
            headers["Cache-Control"] = "public, max-age=60"
        else:
            headers["Cache-Control"] = IMMUTABLE if b"#EXT-X-ENDLIST" in body else "no-cache"
        return web.Response(body=body, headers=headers, content_type=CONTENT_TYPES[suffix])
    headers["Cache-Control"] = IMMUTABLE
    headers["Content-Type"] = CONTENT_TYPES[suffix]
    return web.FileResponse(path, headers=headers)


def _newer(path: Path, than: Path) -> bool:
    """``path`` exists and was written after ``than`` last changed."""
    try:
        return path.stat().st_mtime >= than.stat().st_mtime
    except OSError:
        return False


@routes.get("/api/sessions/{id}/recording.mp4")
async def recording_mp4(request: web.Request) -> web.StreamResponse:
    """The recording as one MP4 (remuxed, not re-encoded), for the community's moderators."""
    session = await request.app[SERVICES].rooms.get(path_id(request))
    require_staff(request[ACTOR], "moderator", session.community_id)
    hub = request.app[MEDIA_HUB]
    path: Path = hub.mp4_path(session.id)
    playlist = hub.hls_dir(session.id) / "index.m3u8"
    # after the end the MP4 is made once; while live, each download remuxes the recording so far
    if session.status != "ended" or not _newer(path, playlist):
        try:
            path = await hub.remux_mp4(session.id)
        except media_errors.MediaError as err:
            raise _domain(err) from err
    return web.FileResponse(
        path,
        headers={
            "Content-Type": "video/mp4",
            "Content-Disposition": f'attachment; filename="session-{session.id}.mp4"',
            "Cache-Control": "private, no-cache",
        },
    )
