"""WHIP (publish), WHEP (watch), stream health, HLS files and the MP4 download.

WHIP (RFC 9725) is authorised by ``Authorization: Bearer <stream key>``; publishing to a
scheduled session starts it (so OBS alone can go live), to an ended one is 409. WHEP is open to
anyone while the session is live; over this process's WebRTC viewer cap it answers 503 and the
client falls back to HLS. Both speak ``application/sdp`` and answer 201 with a ``Location`` whose
DELETE ends the peer."""

from __future__ import annotations

import re

from aiohttp import web

from live.errors import Invalid, Unauthenticated
from live.http.auth import ACTOR
from live.http.params import path_id
from live.http.responses import json_response
from live.keys import STREAMS

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
    peer = await request.app[STREAMS].publish(session_id, _bearer(request), lambda: _offer(request))
    return _created(request, peer.answer, f"/api/sessions/{session_id}/whip/{peer.resource}")


@routes.delete("/api/sessions/{id}/whip/{resource}")
async def whip_stop(request: web.Request) -> web.Response:
    await request.app[STREAMS].stop_publishing(
        path_id(request), _bearer(request), request.match_info["resource"]
    )
    return web.Response(status=200, headers=CORS)


@routes.post("/api/sessions/{id}/whep")
async def whep_watch(request: web.Request) -> web.Response:
    session_id = path_id(request)
    peer = await request.app[STREAMS].watch(session_id, lambda: _offer(request))
    return _created(request, peer.answer, f"/api/sessions/{session_id}/whep/{peer.resource}")


@routes.delete("/api/sessions/{id}/whep/{resource}")
async def whep_stop(request: web.Request) -> web.Response:
    await request.app[STREAMS].stop_watching(path_id(request), request.match_info["resource"])
    return web.Response(status=200, headers=CORS)


@routes.get("/api/sessions/{id}/health")
async def stream_health(request: web.Request) -> web.Response:
    """The broadcast's health: publishing, reconnecting, viewers, bitrate, frame rate."""
    session, stats = await request.app[STREAMS].health(path_id(request))
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
    path = request.app[STREAMS].hls_file(path_id(request), name, rendition)
    if path is None:
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


@routes.get("/api/sessions/{id}/recording.mp4")
async def recording_mp4(request: web.Request) -> web.StreamResponse:
    """The recording as one MP4 (remuxed, not re-encoded), for the community's moderators."""
    session, path = await request.app[STREAMS].recording_file(request[ACTOR], path_id(request))
    return web.FileResponse(
        path,
        headers={
            "Content-Type": "video/mp4",
            "Content-Disposition": f'attachment; filename="session-{session.id}.mp4"',
            "Cache-Control": "private, no-cache",
        },
    )
