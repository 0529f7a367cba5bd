"""The media side of every session in this process: what the ``live`` HTTP layer calls."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.mediastreams import MediaStreamTrack

from media import aiortc_compat, layout

from .broadcast import (
    ENDED,
    WAITING,
    Broadcast,
    Publisher,
    StateListener,
    Timeouts,
    Viewer,
)
from .errors import BadOffer, NotFound, ViewerCapReached
from .hls_playlist import read_playlist
from .hls_writer import finish_playlist
from .offer_checks import check_offer
from .packet_track import PacketTrack
from .recording import Recording
from .remux import remux_segments_to_mp4
from .video_encoder import VideoSettings

log = logging.getLogger(__name__)


def _preferred(kind: str, mime: str) -> list[Any]:
    """Codec capabilities of one codec (plus RTX for video), constrained baseline first."""
    codecs = RTCRtpSender.getCapabilities(kind).codecs
    chosen = [c for c in codecs if c.mimeType.lower() == mime]
    chosen.sort(key=lambda c: str(c.parameters.get("profile-level-id", "")) != "42e01f")
    return chosen + [c for c in codecs if c.mimeType.lower() == f"{kind}/rtx"]


class MediaHub:
    """WebRTC publishing (WHIP) and viewing (WHEP), HLS and recordings for all sessions.

    A viewer may connect before the publisher: it receives media as soon as the publisher
    sends. ``max_viewers`` caps WebRTC viewers across all sessions of this process."""

    def __init__(
        self,
        data_dir: Path,
        *,
        max_viewers: int = 200,
        grace_s: float = 30.0,
        ice_servers: Sequence[RTCIceServer] = (),
        video: VideoSettings | None = None,
        ladder: bool = False,
        media_timeout_s: float = 5.0,
        connect_timeout_s: float = 15.0,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.max_viewers = max_viewers
        self._timeouts = Timeouts(grace_s=grace_s, connect_s=connect_timeout_s, media_s=media_timeout_s)
        self._ice_servers = list(ice_servers)
        self._video = video
        self.ladder = ladder  # HLS low and audio-only renditions besides the full one
        self._broadcasts: dict[int, Broadcast] = {}
        self._ended: set[int] = set()
        self._listeners: list[StateListener] = []

    # -- helpers -----------------------------------------------------------------------------

    def add_listener(self, listener: StateListener) -> None:
        """Call ``listener(session_id, state)`` on every broadcast state change: "live",
        "reconnecting", "idle" (grace period over), "ended"."""
        self._listeners.append(listener)

    def _notify(self, session_id: int, state: str) -> None:
        for listener in list(self._listeners):
            try:
                listener(session_id, state)
            except Exception:
                log.exception("media state listener failed")

    def hls_dir(self, session_id: int) -> Path:
        return layout.hls_dir(self.data_dir, session_id)

    def mp4_path(self, session_id: int) -> Path:
        """Where ``remux_mp4`` writes (outside the public HLS directory)."""
        return layout.mp4_path(self.data_dir, session_id)

    def viewer_count(self) -> int:
        return sum(len(b.viewers) for b in self._broadcasts.values())

    def _is_ended(self, session_id: int) -> bool:
        if session_id in self._ended:
            return True
        playlist = read_playlist(self.hls_dir(session_id))
        return playlist is not None and playlist.ended

    def _get_or_create(self, session_id: int) -> Broadcast:
        if self._is_ended(session_id):
            raise NotFound(f"session {session_id} has ended")
        broadcast = self._broadcasts.get(session_id)
        if broadcast is None:
            broadcast = Broadcast(
                session_id,
                self.hls_dir(session_id),
                timeouts=self._timeouts,
                video=self._video,
                on_state=self._notify,
                ladder=self.ladder,
            )
            self._broadcasts[session_id] = broadcast
        return broadcast

    async def _discard_if_unused(self, broadcast: Broadcast) -> None:
        if (
            broadcast.state == WAITING
            and not broadcast.viewers
            and broadcast.publisher is None
            and self._broadcasts.get(broadcast.session_id) is broadcast
        ):
            del self._broadcasts[broadcast.session_id]
            await broadcast.shutdown(finish=False)

    def _new_peer(self) -> RTCPeerConnection:
        return RTCPeerConnection(RTCConfiguration(iceServers=list(self._ice_servers)))

    @staticmethod
    async def _negotiate(pc: RTCPeerConnection, offer_sdp: str) -> str:
        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
            answer = await pc.createAnswer()
            await pc.setLocalDescription(answer)
        except Exception as exc:  # aiortc raises assorted errors on unusable offers
            await pc.close()
            raise BadOffer(f"cannot negotiate the offer: {exc or type(exc).__name__}") from exc
        description = pc.localDescription
        assert description is not None
        return str(description.sdp)

    # -- publishing --------------------------------------------------------------------------

    async def publish(self, session_id: int, offer_sdp: str) -> tuple[str, str]:
        """Accept a publisher's offer (WHIP); returns (answer SDP, resource id).

        A second publish for the session replaces the first (host reconnect) and continues the
        same HLS stream."""
        check_offer(offer_sdp, role="publisher")
        if self._is_ended(session_id):
            raise NotFound(f"session {session_id} has ended")
        pc = self._new_peer()
        tracks: list[MediaStreamTrack] = []
        pc.add_listener("track", tracks.append)
        answer = await self._negotiate(pc, offer_sdp)
        if not tracks:
            await pc.close()
            raise BadOffer("the offer sends no audio or video")
        try:
            broadcast = self._get_or_create(session_id)
        except NotFound:
            await pc.close()
            raise
        resource_id = uuid.uuid4().hex
        await broadcast.attach_publisher(Publisher(resource_id, pc, tracks))
        return answer, resource_id

    async def stop_publishing(self, session_id: int, resource_id: str) -> None:
        """The publisher left (WHIP DELETE): the session waits ``grace_s`` for it to return."""
        broadcast = self._broadcasts.get(session_id)
        publisher = broadcast.publisher if broadcast is not None else None
        if broadcast is None or publisher is None or publisher.resource_id != resource_id:
            raise NotFound("no such publisher")
        await broadcast.publisher_lost(publisher)

    # -- viewing -----------------------------------------------------------------------------

    async def watch(self, session_id: int, offer_sdp: str) -> tuple[str, str]:
        """Accept a viewer's offer (WHEP); returns (answer SDP, resource id).

        Raises ViewerCapReached over the cap (the viewer should use HLS), BadOffer for an
        unusable offer (including one without H.264 or Opus), NotFound after the end."""
        description = check_offer(offer_sdp, role="viewer")
        if self.viewer_count() >= self.max_viewers:
            raise ViewerCapReached(f"at most {self.max_viewers} WebRTC viewers; use HLS")
        broadcast = self._get_or_create(session_id)
        kinds = {
            m.kind
            for m in description.media
            if m.kind in ("audio", "video") and (m.direction or "sendrecv") != "sendonly"
        }
        pc = self._new_peer()
        video = audio = None
        if "video" in kinds:
            video = PacketTrack("video", broadcast.encoder.request_keyframe)
            transceiver = pc.addTransceiver(video, direction="sendonly")
            transceiver.setCodecPreferences(_preferred("video", "video/h264"))
            # aiortc only honours PLI/FIR for frames it encodes itself; ours come encoded.
            aiortc_compat.route_keyframe_requests(transceiver.sender, broadcast.encoder.request_keyframe)
        if "audio" in kinds:
            audio = PacketTrack("audio")
            transceiver = pc.addTransceiver(audio, direction="sendonly")
            transceiver.setCodecPreferences(_preferred("audio", "audio/opus"))
        try:
            answer = await self._negotiate(pc, offer_sdp)
        except BadOffer:
            await self._discard_if_unused(broadcast)
            raise
        if self._broadcasts.get(session_id) is not broadcast:
            await pc.close()
            raise NotFound(f"session {session_id} has ended")
        if self.viewer_count() >= self.max_viewers:
            await pc.close()
            await self._discard_if_unused(broadcast)
            raise ViewerCapReached(f"at most {self.max_viewers} WebRTC viewers; use HLS")
        resource_id = uuid.uuid4().hex
        broadcast.add_viewer(Viewer(resource_id, pc, video, audio))
        return answer, resource_id

    async def stop_watching(self, session_id: int, resource_id: str) -> None:
        broadcast = self._broadcasts.get(session_id)
        if broadcast is None or not await broadcast.remove_viewer(resource_id):
            raise NotFound("no such viewer")

    # -- ending ------------------------------------------------------------------------------

    async def end(self, session_id: int) -> Recording | None:
        """Close every peer of the session and turn its HLS stream into the recording."""
        self._ended.add(session_id)
        broadcast = self._broadcasts.pop(session_id, None)
        if broadcast is not None:
            return await broadcast.shutdown(finish=True)
        directory = self.hls_dir(session_id)
        if read_playlist(directory) is None:
            return None
        recording = finish_playlist(directory)
        self._notify(session_id, ENDED)
        return recording

    def stats(self, session_id: int) -> dict[str, Any]:
        broadcast = self._broadcasts.get(session_id)
        if broadcast is None:
            state = ENDED if session_id in self._ended else "none"
            return {
                "publishing": False,
                "viewers": 0,
                "bitrate_kbps": 0.0,
                "fps": 0.0,
                "reconnecting": False,
                "state": state,
            }
        return broadcast.stats()

    async def remux_mp4(self, session_id: int) -> Path:
        """An MP4 of the recording so far, made by remuxing the HLS segments."""
        directory = self.hls_dir(session_id)
        playlist = read_playlist(directory)
        if playlist is None or not playlist.segments:
            raise NotFound(f"session {session_id} has no recording")
        segments = [directory / s.uri for s in playlist.segments]
        breaks = [s.discontinuity for s in playlist.segments]
        return await asyncio.to_thread(remux_segments_to_mp4, segments, self.mp4_path(session_id), breaks)

    async def close(self) -> None:
        """Close every peer (application shutdown); recordings stay open for a restart."""
        broadcasts = list(self._broadcasts.values())
        self._broadcasts.clear()
        await asyncio.gather(*(b.shutdown(finish=False) for b in broadcasts), return_exceptions=True)
