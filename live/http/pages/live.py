"""The watch page of a session: video, chat, viewer count, opinion form."""

from __future__ import annotations

from aiohttp import web

from live.http.auth import ACTOR
from live.http.params import path_id
from live.http.templates import render
from live.keys import SERVICES, STREAMS
from media import layout

routes = web.RouteTableDef()


@routes.get("/live/{id}")
async def watch_page(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    session = await services.rooms.get(path_id(request))
    community = await services.places.by_id(session.community_id)
    ladder = request.app[STREAMS].ladder
    config = {
        "session": str(session.id),
        "status": session.status,
        "community": community.slug,
        "hls": layout.playlist_url(session.id),
        # the HLS ladder (LIVE_HLS_LADDER): full and low in master.m3u8, sound only for 只听声音
        "hlsMaster": f"/hls/{session.id}/master.m3u8" if ladder else None,
        "hlsAudio": f"/hls/{session.id}/audio/index.m3u8" if ladder else None,
    }
    staff = request[ACTOR].can("moderator", session.community_id)
    context = {"session": session, "community": community, "config": config, "interact_staff": staff}
    return render(request, "live.html", context)
