"""The broadcast's media, as use cases: publish (WHIP), stop publishing, watch (WHEP), stop
watching, the stream's health and the recording as one MP4.

Each method checks the rules (the stream key, the session's status, who may download) and drives
this process's media hub; media errors become domain errors here, so the transport only maps
domain errors. Going live on the first publish is ``Rooms.start_publishing``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from live.errors import Conflict, DomainError, Invalid, NotFound, Unauthenticated, Unavailable
from live.services.actors import Actor, require_staff
from live.services.rooms import Rooms
from live.statuses import SessionStatus
from live.storage.rooms import LiveSession
from media import errors as media_errors
from media import layout
from media.hub import MediaHub


@dataclass(frozen=True)
class Peer:
    """A negotiated WebRTC peer: the SDP answer and the resource id that ends it."""

    answer: str
    resource: str


def domain_error(err: media_errors.MediaError) -> DomainError:
    """A media error as the domain error the transports map to HTTP statuses and acks."""
    if isinstance(err, media_errors.BadOffer):
        return Invalid(err.detail, code=err.code)
    if isinstance(err, media_errors.ViewerCapReached):
        return Unavailable(f"{err.detail}; watch over HLS instead", code=err.code)
    if isinstance(err, media_errors.NotFound):
        return NotFound(err.detail)
    return Invalid(err.detail, code=err.code)


class Streams:
    def __init__(self, rooms: Rooms, hub: MediaHub) -> None:
        self.rooms = rooms
        self.hub = hub

    @property
    def ladder(self) -> bool:
        """Whether broadcasts are muxed as the HLS ladder (LIVE_HLS_LADDER: full, low and sound
        only in ``master.m3u8``) or as the full rendition alone."""
        return self.hub.ladder

    async def publish(self, session_id: int, key: str, read_offer: Callable[[], Awaitable[str]]) -> Peer:
        """A publisher (OBS, the host console) offers media with the session's stream key: a
        wrong key is 401, an ended session 409 (both before the offer is read); the first
        publish takes a scheduled session live. Should the session end while the offer is
        negotiated, the publisher is let go and the answer is 409."""
        await self.rooms.check_stream_key(session_id, key)
        offer = await read_offer()
        try:
            answer, resource = await self.hub.publish(session_id, offer)
        except media_errors.NotFound as err:
            raise Conflict("this session has ended", code="ended") from err
        except media_errors.MediaError as err:
            raise domain_error(err) from err
        try:
            await self.rooms.start_publishing(session_id, key)
        except Conflict:
            await self.hub.stop_publishing(session_id, resource)
            raise
        return Peer(answer, resource)

    async def stop_publishing(self, session_id: int, key: str, resource: str) -> None:
        """The publisher ends its WHIP resource (the session stays live: it may come back)."""
        if await self.rooms.by_stream_key(session_id, key) is None:
            raise Unauthenticated("wrong stream key", code="bad_stream_key")
        try:
            await self.hub.stop_publishing(session_id, resource)
        except media_errors.MediaError as err:
            raise domain_error(err) from err

    async def watch(self, session_id: int, read_offer: Callable[[], Awaitable[str]]) -> Peer:
        """A viewer offers to receive over WebRTC: only while live (checked before the offer is
        read); over this process's cap it is 503 (the page falls back to HLS)."""
        session = await self.rooms.get(session_id)
        if session.status != SessionStatus.LIVE:
            code = "ended" if session.status == SessionStatus.ENDED else "not_live"
            raise Conflict(f"the session is {session.status}; WebRTC viewing is only while live", code=code)
        offer = await read_offer()
        try:
            answer, resource = await self.hub.watch(session_id, offer)
        except media_errors.MediaError as err:
            raise domain_error(err) from err
        return Peer(answer, resource)

    async def stop_watching(self, session_id: int, resource: str) -> None:
        try:
            await self.hub.stop_watching(session_id, resource)
        except media_errors.MediaError as err:
            raise domain_error(err) from err

    async def health(self, session_id: int) -> tuple[LiveSession, dict[str, Any]]:
        """The session and its stream's health: publishing, reconnecting, viewers, bitrate, fps."""
        session = await self.rooms.get(session_id)
        return session, self.hub.stats(session.id)

    async def recording_file(self, actor: Actor, session_id: int) -> tuple[LiveSession, Path]:
        """The recording as one MP4 (remuxed, not re-encoded), for the community's moderators:
        made once after the end; while live, each download remuxes the recording so far."""
        session = await self.rooms.get(session_id)
        require_staff(actor, "moderator", session.community_id)
        path = self.hub.mp4_path(session.id)
        playlist = self.hub.hls_dir(session.id) / layout.PLAYLIST_NAME
        if session.status != SessionStatus.ENDED or not _newer(path, playlist):
            try:
                path = await self.hub.remux_mp4(session.id)
            except media_errors.MediaError as err:
                raise domain_error(err) from err
        return session, path

    def hls_file(self, session_id: int, name: str, rendition: str | None = None) -> Path | None:
        """A file of the session's HLS folder (playlist or segment; of one rendition of the
        ladder when given), None if there is none."""
        directory = self.hub.hls_dir(session_id).resolve()
        if rendition is not None:
            directory = directory / rendition
        path = (directory / name).resolve()
        if path.parent != directory or not path.is_file():
            return None
        return path


def _newer(path: Path, than: Path) -> bool:
    """``path`` exists and was written after ``than`` last changed."""
    try:
        return path.stat().st_mtime >= than.stat().st_mtime
    except OSError:
        return False
