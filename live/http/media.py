"""WebRTC (WHIP/WHEP) and HLS: attaches the media hub and its routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web
from aiortc import RTCIceServer

from live.events import Event, SessionStatusChanged, StreamStateChanged, Subscriber
from live.keys import EVENTS, MEDIA_HUB, SERVICES, SETTINGS, STREAMS
from live.services.container import Services
from live.services.streams import Streams
from live.statuses import SessionStatus
from media.hub import MediaHub

log = logging.getLogger(__name__)


SESSION_ENDED = "media.session_ended"


def _end_locally(hub: MediaHub, services: Services) -> Callable[[dict[str, Any]], Awaitable[None]]:
    """A signal handler, run on every process: close this process's peers of the session and
    keep the recording if this process held the publisher."""

    async def handler(payload: dict[str, Any]) -> None:
        session_id = int(payload["session"])
        recording = await hub.end(session_id)
        if recording is None:
            return
        try:
            path = str(recording.path.relative_to(hub.data_dir))
        except ValueError:
            path = str(recording.path)
        await services.rooms.set_recording(session_id, path, recording.duration_s, recording.bytes)

    return handler


def _on_session_ended(services: Services) -> Subscriber:
    """An EventBus subscriber: tell every process (through Signals) that a session ended."""

    async def subscriber(event: Event) -> None:
        if isinstance(event, SessionStatusChanged) and event.status == SessionStatus.ENDED:
            await services.signals.publish(SESSION_ENDED, {"session": event.session_id})

    return subscriber


def ice_server(url: str) -> RTCIceServer:
    """``stun:host:port`` or ``turn:user:password@host:port`` from LIVE_ICE_SERVERS."""
    scheme, _, rest = url.partition(":")
    if scheme in ("turn", "turns") and "@" in rest:
        credentials, _, address = rest.rpartition("@")
        username, _, password = credentials.partition(":")
        return RTCIceServer(urls=f"{scheme}:{address}", username=username, credential=password)
    return RTCIceServer(urls=url)


async def media_ctx(app: web.Application) -> AsyncIterator[None]:
    settings, services, events = app[SETTINGS], app[SERVICES], app[EVENTS]
    hub = MediaHub(
        settings.data_dir,
        ice_servers=[ice_server(url) for url in settings.ice_servers],
        max_viewers=settings.max_webrtc_viewers,
        grace_s=settings.publisher_grace_s,
        ladder=settings.hls_ladder,
    )
    app[MEDIA_HUB] = hub
    app[STREAMS] = Streams(services.rooms, hub)
    services.signals.on(SESSION_ENDED, _end_locally(hub, services))
    # Ending a broadcast answers once this process's peers are closed and the recording kept.
    unsubscribe = events.subscribe(_on_session_ended(services), before_reply=True)
    hub.add_listener(lambda session_id, state: events.post(StreamStateChanged(session_id, state)))
    yield
    unsubscribe()
    await hub.close()


def setup_media(app: web.Application) -> None:
    """Attach the media hub (one cleanup context) and the WHIP, WHEP and /hls/ routes."""
    from live.http.api import media as media_api

    app.cleanup_ctx.append(media_ctx)
    app.add_routes(media_api.routes)
