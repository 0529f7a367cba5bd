"""One session's broadcast: the publisher's peer, the shared encoders, the viewers, HLS."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
from aiortc import RTCPeerConnection
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from .audio_encoders import AUDIO_RATE, LOW_AAC_BITRATE, SharedAudioEncoders
from .hls_playlist import read_playlist
from .hls_writer import HlsWriter, finish_playlist
from .ladder import AUDIO_DIR, LOW_DIR, LOW_VIDEO, write_master
from .packet_track import PacketTrack
from .rate_meter import RateMeter
from .recording import Recording
from .timeline import MediaClock, TrackTimeline
from .video_encoder import VIDEO_RATE, SharedVideoEncoder, VideoSettings

log = logging.getLogger(__name__)

StateListener = Callable[[int, str], None]

# Broadcast states, as reported to listeners.
WAITING = "waiting"  # viewers may be connected, no publisher yet
LIVE = "live"  # a publisher is connected
RECONNECTING = "reconnecting"  # the publisher dropped less than grace_s ago
IDLE = "idle"  # the publisher dropped longer ago; a new one may still come
ENDED = "ended"


# The HLS thread's queue is bounded. When a slow disk or a starved thread lets this much media
# work pile up (about 2.5 s of the full and low renditions and the sound), new packets are
# dropped, counted in ``hls_dropped`` and logged once per episode, until the backlog has halved;
# video then resumes only at a keyframe, so every segment stays decodable (the dropped stretch
# is a jump in the recording's timestamps, not broken pictures). Viewers over WebRTC lose
# nothing. Pausing, finishing and the layout are never dropped.
MAX_HLS_BACKLOG = 240


@dataclass(frozen=True)
class Timeouts:
    grace_s: float = 30.0
    connect_s: float = 15.0  # a new publisher must send media within this
    media_s: float = 5.0  # a publisher silent this long counts as dropped


@dataclass
class Publisher:
    resource_id: str
    pc: RTCPeerConnection
    tracks: list[MediaStreamTrack]
    attached_at: float = field(default_factory=time.monotonic)
    last_media_at: float | None = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def kinds(self) -> set[str]:
        return {track.kind for track in self.tracks}


@dataclass
class Viewer:
    resource_id: str
    pc: RTCPeerConnection
    video: PacketTrack | None
    audio: PacketTrack | None


def _lower_priority() -> None:
    """Run this worker thread below the full encoder (Linux: nice is per thread): when CPU is
    short the low rendition drops frames, not the WebRTC viewers and the recording."""
    with contextlib.suppress(OSError, AttributeError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def _nothing() -> None:
    """Queued behind a worker's earlier work: awaiting it waits for that work to be done."""


class Broadcast:
    """Encode once, fan out: every viewer and the HLS writer get the same packets.

    HLS is a ladder (``media/ladder.py``): the full rendition (the viewers' packets), a low one
    from a second, smaller encoder and an audio-only one; each encoded once for everybody."""

    def __init__(
        self,
        session_id: int,
        hls_dir: Path,
        *,
        timeouts: Timeouts | None = None,
        video: VideoSettings | None = None,
        on_state: StateListener | None = None,
        ladder: bool = True,
    ) -> None:
        self.session_id = session_id
        self.hls_dir = hls_dir
        self.timeouts = timeouts or Timeouts()
        self.state = WAITING
        self._on_state = on_state
        self.clock = MediaClock()
        self.encoder = SharedVideoEncoder(video)
        self.low_encoder = SharedVideoEncoder(LOW_VIDEO)
        self._low_frame_ticks = VIDEO_RATE // LOW_VIDEO.fps
        self._last_low_pts: int | None = None
        self._video_timeline = TrackTimeline(self.clock, VIDEO_RATE)
        self._audio_timeline = TrackTimeline(self.clock, AUDIO_RATE)
        self._audio: SharedAudioEncoders | None = None
        self.hls: HlsWriter | None = None
        self.ladder = ladder
        self.hls_low: HlsWriter | None = None
        self.hls_audio: HlsWriter | None = None
        self.publisher: Publisher | None = None
        self.viewers: dict[str, Viewer] = {}
        self.meter = RateMeter()
        self.frames_skipped = 0
        self._dropped_at: float | None = None
        self._slot: tuple[av.VideoFrame, int] | None = None
        self._slot_ready = asyncio.Event()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"encode-{session_id}")
        self._low_slot: tuple[av.VideoFrame, int] | None = None
        self._low_ready = asyncio.Event()
        self._low_executor = ThreadPoolExecutor(
            1, thread_name_prefix=f"encode-low-{session_id}", initializer=_lower_priority
        )
        # Never on the event loop that carries the chat: audio encoding (Opus, AAC) runs in its
        # own thread, which alone touches the audio encoders; all HLS muxing and file writes in
        # another, which alone touches the HLS writers, in the order they are handed over. A
        # slow disk then delays HLS only, never the WebRTC viewers' sound.
        self._loop = asyncio.get_running_loop()
        self._audio_executor = ThreadPoolExecutor(1, thread_name_prefix=f"audio-{session_id}")
        self._hls_executor = ThreadPoolExecutor(1, thread_name_prefix=f"hls-{session_id}")
        self._hls_submitted = 0  # media work handed to the HLS thread (written on the loop only)
        self._hls_done = 0  # and finished there (written on the HLS thread only)
        self._hls_skipping: set[str] = set()  # streams dropping until the backlog halves
        self.hls_dropped = 0
        self._tasks = [
            asyncio.create_task(self._encode_loop(), name=f"encode-{session_id}"),
            asyncio.create_task(self._encode_low_loop(), name=f"encode-low-{session_id}"),
            asyncio.create_task(self._watchdog(), name=f"watchdog-{session_id}"),
        ]

    # -- state -------------------------------------------------------------------------------

    def _set_state(self, state: str) -> None:
        if state == self.state:
            return
        self.state = state
        log.info("session %s: %s", self.session_id, state)
        if self._on_state is not None:
            try:
                self._on_state(self.session_id, state)
            except Exception:
                log.exception("state listener failed")

    def stats(self) -> dict[str, Any]:
        kbps, fps = self.meter.rates()
        return {
            "publishing": self.state == LIVE,
            "viewers": len(self.viewers),
            "bitrate_kbps": kbps,
            "fps": fps,
            "reconnecting": self.state == RECONNECTING,
            "state": self.state,
        }

    # -- publisher ---------------------------------------------------------------------------

    async def attach_publisher(self, publisher: Publisher) -> None:
        """Start taking media from ``publisher``; an earlier publisher is disconnected."""
        old, self.publisher = self.publisher, publisher
        if old is not None:
            await self._close_publisher(old)
        kinds = publisher.kinds
        await self._loop.run_in_executor(self._hls_executor, self._prepare_hls, kinds)
        if publisher is not self.publisher:  # replaced meanwhile
            return
        for track in publisher.tracks:
            reader = self._read_video if track.kind == "video" else self._read_audio
            publisher.tasks.append(asyncio.create_task(reader(publisher, track)))

        @publisher.pc.on("connectionstatechange")
        async def _on_connection_state() -> None:
            if publisher.pc.connectionState in ("failed", "closed"):
                await self.publisher_lost(publisher)

        self._dropped_at = None
        self._set_state(LIVE)

    def _prepare_hls(self, kinds: set[str]) -> None:
        """(HLS thread.) Open the writers once, then tell them the new publisher's layout."""
        if self.hls is None:
            self._open_hls()
        for writer in (self.hls, self.hls_low):
            if writer is not None:
                writer.set_layout(video="video" in kinds, audio="audio" in kinds)
        if self.hls_audio is not None:
            self.hls_audio.set_layout(video=False, audio="audio" in kinds)

    def _open_hls(self) -> None:
        self.hls = HlsWriter(self.hls_dir, fps=self.encoder.settings.fps)
        if not self.ladder:
            return
        try:
            self.hls_low = HlsWriter(self.hls_dir / LOW_DIR, fps=LOW_VIDEO.fps)
            self.hls_audio = HlsWriter(self.hls_dir / AUDIO_DIR, fps=self.encoder.settings.fps)
            write_master(self.hls_dir, self.encoder.settings)
        except (OSError, FileExistsError):  # the full rendition still plays alone
            log.exception("session %s: HLS ladder unavailable", self.session_id)

    def _got_media(self, publisher: Publisher) -> None:
        if publisher.last_media_at is None:
            self.clock.resume()
            self.encoder.request_keyframe()
            self.low_encoder.request_keyframe()
        publisher.last_media_at = time.monotonic()

    async def _read_video(self, publisher: Publisher, track: MediaStreamTrack) -> None:
        self._video_timeline.new_source()
        frame_ticks = VIDEO_RATE // self.encoder.settings.fps
        while publisher is self.publisher:
            try:
                frame = await track.recv()
            except MediaStreamError:
                break
            if publisher is not self.publisher or not isinstance(frame, av.VideoFrame):
                continue
            self._got_media(publisher)
            pts = self._video_timeline.stamp(frame.pts, frame.time_base, frame_ticks)
            if self._slot is not None:
                self.frames_skipped += 1  # the encoder is behind: keep only the newest frame
            self._slot = (frame, pts)
            self._slot_ready.set()
        await self.publisher_lost(publisher)

    async def _read_audio(self, publisher: Publisher, track: MediaStreamTrack) -> None:
        self._audio_timeline.new_source()
        while publisher is self.publisher:
            try:
                frame = await track.recv()
            except MediaStreamError:
                break
            if publisher is not self.publisher or not isinstance(frame, av.AudioFrame):
                continue
            self._got_media(publisher)
            rate = frame.sample_rate or AUDIO_RATE
            pts = self._audio_timeline.stamp(frame.pts, frame.time_base, frame.samples * AUDIO_RATE // rate)
            self._submit(self._audio_executor, self._encode_audio, frame, pts)
        await self.publisher_lost(publisher)

    # -- the audio and HLS threads ---------------------------------------------------------

    def _submit(self, executor: ThreadPoolExecutor, work: Callable[..., None], *args: Any) -> None:
        """Queue ``work(*args)`` for a worker thread (in order; never blocks the loop)."""
        with contextlib.suppress(RuntimeError):  # shut down: the broadcast is over
            executor.submit(self._run_media, work, args)

    def _to_hls(self, work: Callable[..., None], *args: Any) -> None:
        self._submit(self._hls_executor, work, *args)

    def hls_backlog(self) -> int:
        """Media work waiting for (or running on) the HLS thread."""
        return self._hls_submitted - self._hls_done

    def _media_to_hls(
        self, stream: str, work: Callable[..., None], *args: Any, keyframe: bool = True
    ) -> None:
        """(Loop.) Packets of ``stream`` for the HLS thread, or dropped while it is behind (see
        ``MAX_HLS_BACKLOG``); ``keyframe``: the packets start with one (always true of audio)."""
        backlog = self.hls_backlog()
        if stream in self._hls_skipping:
            if backlog > MAX_HLS_BACKLOG // 2 or not keyframe:
                self.hls_dropped += 1
                return
            self._hls_skipping.discard(stream)
            log.info("session %s: HLS %s caught up (%d dropped)", self.session_id, stream, self.hls_dropped)
        elif backlog >= MAX_HLS_BACKLOG:
            if not self._hls_skipping:
                log.warning(
                    "session %s: HLS writing is %d items behind; dropping packets until it catches up",
                    self.session_id,
                    backlog,
                )
            self._hls_skipping.add(stream)
            self.hls_dropped += 1
            return
        self._hls_submitted += 1
        self._to_hls(self._counted, work, args)

    def _counted(self, work: Callable[..., None], args: tuple[Any, ...]) -> None:
        """(HLS thread.)"""
        try:
            work(*args)
        finally:
            self._hls_done += 1

    def _run_media(self, work: Callable[..., None], args: tuple[Any, ...]) -> None:
        try:
            work(*args)
        except Exception:  # one bad frame or write must not stop the broadcast
            log.exception("session %s: %s failed", self.session_id, getattr(work, "__name__", "media work"))

    def _encode_audio(self, frame: av.AudioFrame, pts: int) -> None:
        """(Audio thread.) One publisher audio frame: Opus for the viewers (handed back to the
        loop), AAC for the HLS renditions (handed to the HLS thread); each encoded once."""
        if self._audio is None:
            self._audio = SharedAudioEncoders(low_aac_bitrate=LOW_AAC_BITRATE if self.ladder else None)
        opus, aac, aac_low = self._audio.encode_all(frame, pts)
        if opus:
            with contextlib.suppress(RuntimeError):  # the loop is closing
                self._loop.call_soon_threadsafe(self._send_audio, opus)
        if aac or aac_low:
            with contextlib.suppress(RuntimeError):  # the loop is closing
                self._loop.call_soon_threadsafe(self._media_to_hls, "audio", self._mux_audio, aac, aac_low)

    def _mux_audio(self, aac: list[av.Packet[Any]], aac_low: list[av.Packet[Any]]) -> None:
        """(HLS thread.) AAC packets into the renditions: the full one, the low and audio-only."""
        for packet in aac:
            self._write_hls(packet, None)
        for packet in aac_low:
            self._write_hls(packet, None, self.hls_low)
            self._write_hls(packet, None, self.hls_audio)

    def _send_audio(self, packets: list[av.Packet[Any]]) -> None:
        """(Loop.) The shared Opus packets to every WebRTC viewer."""
        for packet in packets:
            self.meter.add(packet.size, video_frame=False)
            for viewer in self.viewers.values():
                if viewer.audio is not None:
                    viewer.audio.push(packet)

    def _mux_video(
        self, packets: list[av.Packet[Any]], size: tuple[int, int] | None, writer: HlsWriter | None
    ) -> None:
        """(HLS thread.) Encoded video packets into one HLS rendition."""
        if size is None:
            return
        for packet in packets:
            self._write_hls(packet, size, writer)

    def _pause_writers(self) -> None:
        """(HLS thread.) The publisher is gone: publish the segments in progress."""
        for writer in self._writers():
            writer.pause()

    async def _encode_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._slot_ready.wait()
            self._slot_ready.clear()
            item, self._slot = self._slot, None
            if item is None:
                continue
            frame, pts = item
            try:
                packets = await loop.run_in_executor(self._executor, self.encoder.encode, frame, pts)
            except Exception:  # one bad frame must not stop the broadcast
                log.exception("session %s: video encode failed", self.session_id)
                continue
            for packet in packets:
                self.meter.add(packet.size, video_frame=True)
                for viewer in self.viewers.values():
                    if viewer.video is not None:
                        viewer.video.push(packet)
            self._media_to_hls(
                "video", self._mux_video, packets, self.encoder.size, None, keyframe=_starts_gop(packets)
            )
            self._offer_low(frame, pts)

    def _offer_low(self, frame: av.VideoFrame, pts: int) -> None:
        """Hand a frame to the low rendition at its lower rate (newest frame wins). Called once
        the full encoder is done with the frame: the two encoders never touch it at once."""
        if self.hls_low is None:
            return
        last = self._last_low_pts
        if last is not None and pts - last < self._low_frame_ticks - VIDEO_RATE // 120:
            return
        self._last_low_pts = pts
        self._low_slot = (frame, pts)
        self._low_ready.set()

    async def _encode_low_loop(self) -> None:
        """The low rendition: the same frames at a lower rate and size, encoded once (HLS only)
        in its own thread, so it never delays the full rendition and the WebRTC viewers."""
        loop = asyncio.get_running_loop()
        while True:
            await self._low_ready.wait()
            self._low_ready.clear()
            item, self._low_slot = self._low_slot, None
            if item is None:
                continue
            frame, pts = item
            try:
                packets = await loop.run_in_executor(self._low_executor, self.low_encoder.encode, frame, pts)
            except Exception:
                log.exception("session %s: low video encode failed", self.session_id)
                continue
            low = self.hls_low
            self._media_to_hls(
                "low", self._mux_video, packets, self.low_encoder.size, low, keyframe=_starts_gop(packets)
            )

    def _write_hls(
        self, packet: av.Packet[Any], video_size: tuple[int, int] | None, writer: HlsWriter | None = None
    ) -> None:
        """(HLS thread.) Video packets come with the encoder's output size, audio packets
        without; the full rendition's writer unless another is named."""
        hls = writer if writer is not None else self.hls
        if hls is None:
            return
        try:
            if video_size is not None:
                hls.write_video(packet, video_size)
            else:
                hls.write_audio(packet)
        except Exception:  # e.g. a full disk: viewers keep watching over WebRTC
            log.exception("session %s: HLS write failed", self.session_id)

    async def publisher_lost(self, publisher: Publisher) -> None:
        """The publisher went away (closed, failed, silent, or stopped): wait for a reconnect."""
        if publisher is not self.publisher:
            return
        self.publisher = None
        self.clock.pause(at=publisher.last_media_at or publisher.attached_at)
        ends = [t.end_s() for t in (self._video_timeline, self._audio_timeline)]
        if any(end is not None for end in ends):
            self.clock.rewind(max(end for end in ends if end is not None))
        self._to_hls(self._pause_writers)
        self._slot = None
        self._low_slot = None
        self._dropped_at = time.monotonic()
        if self.state == LIVE:
            self._set_state(RECONNECTING)
        await self._close_publisher(publisher)

    async def _close_publisher(self, publisher: Publisher) -> None:
        current = asyncio.current_task()
        for task in publisher.tasks:
            if task is not current:
                task.cancel()
        with contextlib.suppress(Exception):
            await publisher.pc.close()

    # -- viewers -----------------------------------------------------------------------------

    def add_viewer(self, viewer: Viewer) -> None:
        self.viewers[viewer.resource_id] = viewer

        @viewer.pc.on("connectionstatechange")
        async def _on_connection_state() -> None:
            if viewer.pc.connectionState in ("failed", "closed"):
                await self.remove_viewer(viewer.resource_id)

        self.encoder.request_keyframe()

    async def remove_viewer(self, resource_id: str) -> bool:
        viewer = self.viewers.pop(resource_id, None)
        if viewer is None:
            return False
        for track in (viewer.video, viewer.audio):
            if track is not None:
                track.stop()
        with contextlib.suppress(Exception):
            await viewer.pc.close()
        return True

    # -- lifecycle ---------------------------------------------------------------------------

    async def _watchdog(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            now = time.monotonic()
            publisher = self.publisher
            if publisher is not None:
                if publisher.last_media_at is None:
                    silent = now - publisher.attached_at > self.timeouts.connect_s
                else:
                    silent = now - publisher.last_media_at > self.timeouts.media_s
                if silent:
                    log.info("session %s: publisher silent, dropping it", self.session_id)
                    await self.publisher_lost(publisher)
            elif (
                self.state == RECONNECTING
                and self._dropped_at is not None
                and now - self._dropped_at > self.timeouts.grace_s
            ):
                self._set_state(IDLE)

    async def shutdown(self, *, finish: bool) -> Recording | None:
        """Close every peer; ``finish`` ends the HLS stream (the recording), else just flushes."""
        if finish:
            self._set_state(ENDED)
        for task in self._tasks:
            task.cancel()
        publisher, self.publisher = self.publisher, None
        closing: list[Coroutine[Any, Any, object]] = [self.remove_viewer(rid) for rid in list(self.viewers)]
        if publisher is not None:
            closing.append(self._close_publisher(publisher))
        await asyncio.gather(*closing, return_exceptions=True)
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._low_executor.shutdown(wait=False, cancel_futures=True)
        # after the sound already queued has been encoded and everything handed to the HLS
        # thread has been written, the writers close there too
        try:
            await self._loop.run_in_executor(self._audio_executor, _nothing)
            return await self._loop.run_in_executor(self._hls_executor, self._close_hls, finish)
        finally:
            self._audio_executor.shutdown(wait=False)
            self._hls_executor.shutdown(wait=False)

    def _close_hls(self, finish: bool) -> Recording | None:
        """(HLS thread.) ``finish`` ends the HLS stream (the recording), else flushes it."""
        if self.hls is None:
            if not finish or read_playlist(self.hls_dir) is None:
                return None
            for sub in (LOW_DIR, AUDIO_DIR):
                if read_playlist(self.hls_dir / sub) is not None:
                    finish_playlist(self.hls_dir / sub)
            return finish_playlist(self.hls_dir)
        for writer in (self.hls_low, self.hls_audio):
            if writer is not None:
                try:
                    if finish:
                        writer.finish()
                    else:
                        writer.close()
                except Exception:
                    log.exception("session %s: HLS rendition not finished", self.session_id)
        if not finish:
            self.hls.close()
            return None
        return self.hls.finish()

    def _writers(self) -> list[HlsWriter]:
        return [w for w in (self.hls, self.hls_low, self.hls_audio) if w is not None]


def _starts_gop(packets: list[av.Packet[Any]]) -> bool:
    return bool(packets) and bool(packets[0].is_keyframe)
