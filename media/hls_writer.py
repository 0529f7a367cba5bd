"""Cuts the shared encoded packets into ~2 s MPEG-TS segments and keeps the playlist current.

No encoding happens here: H.264 packets come from the shared video encoder, AAC (ADTS) packets
from the shared audio encoders. MPEG-TS segments play in hls.js and natively on Safari."""

from __future__ import annotations

import logging
import os
from collections import deque
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from av.container import OutputContainer

from .hls_playlist import Playlist, SegmentEntry, read_playlist
from .layout import PLAYLIST_NAME
from .recording import Recording

log = logging.getLogger(__name__)

TS_TIME_BASE = Fraction(1, 90_000)
# Packets are muxed in media-time order across the two streams (the encoders hand them over
# with different delays: AAC lags by its look-ahead, video by the encoder thread, more under
# load). A stream waits for the other at most this much of its own media time.
MAX_HOLD_S = 1.5


class _OpenSegment:
    def __init__(self, path: Path, video_size: tuple[int, int] | None, audio: bool, fps: int) -> None:
        self.path = path
        self.part = path.with_name(path.name + ".part")
        self.container: OutputContainer = av.open(str(self.part), "w", format="mpegts")
        self.video: Any = None
        self.audio: Any = None
        if video_size is not None:
            width, height = video_size
            self.video = self.container.add_mux_stream("h264", rate=fps, width=width, height=height)
            self.video.time_base = TS_TIME_BASE
        if audio:
            self.audio = self.container.add_mux_stream("aac", rate=48_000)
        self.start_s: float | None = None
        self.end_s = 0.0
        self.last_dts: dict[str, int] = {}

    def mux(self, kind: str, packet: av.Packet[Any], duration_s: float) -> None:
        stream = self.video if kind == "video" else self.audio
        if stream is None or packet.pts is None or packet.time_base is None:
            return
        dts = packet.dts if packet.dts is not None else packet.pts
        last = self.last_dts.get(kind)
        if last is not None and dts <= last:
            return  # never hand the muxer a non-increasing timestamp
        copy = av.Packet(bytes(packet))
        copy.pts, copy.dts, copy.time_base = packet.pts, dts, packet.time_base
        copy.stream = stream
        try:
            self.container.mux(copy)
        except (av.FFmpegError, ValueError) as exc:
            log.warning("HLS mux error (%s packet dropped): %s", kind, exc)
            return
        self.last_dts[kind] = dts
        t = float(packet.pts * packet.time_base)
        if self.start_s is None:
            self.start_s = t
        self.end_s = max(self.end_s, t + duration_s)

    def close(self, end_s: float | None) -> float:
        """Finish the file and return its duration."""
        self.container.close()
        os.replace(self.part, self.path)
        start = self.start_s if self.start_s is not None else 0.0
        end = end_s if end_s is not None else self.end_s
        return max(0.0, end - start)


class HlsWriter:
    """One session's live HLS stream, later its recording.

    A playlist left by an earlier process (not ended) is continued after a discontinuity.

    Audio and video are muxed in timestamp order (each waits for the other, up to
    ``MAX_HOLD_S``), so a segment cut at a keyframe holds the sound of the same span and, when
    the publisher goes or the process stops, both streams end together: what is still waiting
    for the other stream then is dropped (a fraction of a second of one stream). A recording
    continued after a discontinuity is then joined without the overlap that made the MP4 lose
    the new run's first keyframe or differ from the playlist's length."""

    def __init__(self, directory: Path, *, target_s: float = 2.0, fps: int = 30) -> None:
        self.directory = directory
        self.target_s = target_s
        self.fps = fps
        directory.mkdir(parents=True, exist_ok=True)
        existing = read_playlist(directory)
        if existing is not None and existing.ended:
            raise FileExistsError(f"{directory} holds a finished recording")
        self.playlist = existing or Playlist()
        self._next_index = len(self.playlist.segments)
        self._discontinuity = bool(self.playlist.segments)
        self._segment: _OpenSegment | None = None
        self._has_video = True
        self._has_audio = True
        self._video_size: tuple[int, int] | None = None
        self._cut_pending = False
        self._video_frame_s = 1 / fps
        self._last_video_s: float | None = None
        self._held: dict[str, deque[tuple[float, av.Packet[Any], tuple[int, int] | None]]] = {
            "video": deque(),
            "audio": deque(),
        }
        self._seen: set[str] = set()  # streams that delivered packets since the layout was set
        self._muxed_end: dict[str, float] = {}  # where each stream's last muxed packet ends
        self.playlist.write(directory)

    @property
    def finished(self) -> bool:
        return self.playlist.ended

    def set_layout(self, *, video: bool, audio: bool) -> None:
        """Which streams the current publisher sends; the next segment starts fresh."""
        if (video, audio) != (self._has_video, self._has_audio):
            self._discontinuity = self._discontinuity or bool(self.playlist.segments)
        self._has_video, self._has_audio = video, audio
        self._cut_pending = True
        self._seen.clear()

    def write_video(self, packet: av.Packet[Any], size: tuple[int, int]) -> None:
        if self.finished or not self._has_video or packet.pts is None or packet.time_base is None:
            return
        self._hold("video", float(packet.pts * packet.time_base), packet, size)

    def write_audio(self, packet: av.Packet[Any]) -> None:
        if self.finished or not self._has_audio or packet.pts is None or packet.time_base is None:
            return
        self._hold("audio", float(packet.pts * packet.time_base), packet, None)

    def _hold(self, kind: str, t: float, packet: av.Packet[Any], size: tuple[int, int] | None) -> None:
        self._seen.add(kind)
        self._held[kind].append((t, packet, size))
        self._release(flush=False)

    def _waits_for(self, kind: str) -> bool:
        """Whether packets of the other stream wait for ``kind``: it is in the layout and has
        delivered since (a microphone that never sends does not hold the picture back)."""
        expected = self._has_video if kind == "video" else self._has_audio
        return expected and kind in self._seen

    def _release(self, *, flush: bool) -> None:
        """Mux held packets in timestamp order while both streams have some (or ``flush``)."""
        video, audio = self._held["video"], self._held["audio"]
        while video or audio:
            if video and audio:
                kind = "video" if video[0][0] <= audio[0][0] else "audio"
            else:
                kind = "video" if video else "audio"
                queue = video if video else audio
                other = "audio" if video else "video"
                if not flush and self._waits_for(other) and queue[-1][0] - queue[0][0] < MAX_HOLD_S:
                    return
            t, packet, size = self._held[kind].popleft()
            if kind == "video":
                assert size is not None
                self._mux_video(t, packet, size)
            else:
                self._mux_audio(t, packet)

    def _end_together(self) -> None:
        """Mux what is held up to where the other stream ends; drop the rest (a stream's tail
        that the other never reached), so that both streams end within a frame of each other."""
        for kind, other in (("video", "audio"), ("audio", "video")):
            queue = self._held[kind]
            end = self._muxed_end.get(other)
            while queue and (end is None or queue[0][0] < end):
                t, packet, size = queue.popleft()
                if kind == "video":
                    assert size is not None
                    self._mux_video(t, packet, size)
                else:
                    self._mux_audio(t, packet)
            if queue:
                log.debug(
                    "HLS %s: %d %s packets past the %s's end dropped", self.directory, len(queue), kind, other
                )
                queue.clear()
        self._seen.clear()

    def _mux_video(self, t: float, packet: av.Packet[Any], size: tuple[int, int]) -> None:
        if self._last_video_s is not None and 0 < t - self._last_video_s < 0.5:
            self._video_frame_s = t - self._last_video_s
        self._last_video_s = t
        if packet.is_keyframe:
            if size != self._video_size and self._video_size is not None:
                self._discontinuity = True
                self._cut_pending = True
            self._video_size = size
            segment = self._segment
            if segment is None or self._cut_pending or self._due(segment, t):
                self._start_segment(end_s=t)
        if self._segment is not None:
            self._segment.mux("video", packet, self._video_frame_s)
            self._muxed_end["video"] = t + self._video_frame_s

    def _mux_audio(self, t: float, packet: av.Packet[Any]) -> None:
        if not self._has_video:
            segment = self._segment
            if segment is None or self._cut_pending or self._due(segment, t):
                self._start_segment(end_s=t)
        if self._segment is not None:
            self._segment.mux("audio", packet, 1024 / 48_000)
            self._muxed_end["audio"] = t + 1024 / 48_000

    def _due(self, segment: _OpenSegment, t: float) -> bool:
        return segment.start_s is not None and t - segment.start_s >= self.target_s - 0.25

    def _start_segment(self, end_s: float | None) -> None:
        self.cut(end_s=end_s)
        self._cut_pending = False
        name = f"seg{self._next_index:05d}.ts"
        self._next_index += 1
        video_size = self._video_size if self._has_video else None
        self._segment = _OpenSegment(self.directory / name, video_size, self._has_audio, self.fps)

    def cut(self, end_s: float | None = None) -> None:
        """Close the open segment (if any) and publish it in the playlist."""
        segment, self._segment = self._segment, None
        if segment is None:
            return
        if segment.start_s is None:
            segment.container.close()
            segment.part.unlink(missing_ok=True)
            self._next_index -= 1
            return
        duration = segment.close(end_s)
        self.playlist.segments.append(
            SegmentEntry(segment.path.name, round(duration, 3), self._discontinuity)
        )
        self._discontinuity = False
        self.playlist.write(self.directory)

    def pause(self) -> None:
        """The publisher is gone: publish what we have (both streams ending together); resume
        with a fresh segment."""
        self._end_together()
        self.cut()
        self._cut_pending = True

    def close(self) -> None:
        """Stop writing without ending the stream (process shutdown): both streams end together,
        ready to be continued after a discontinuity."""
        self._end_together()
        self.cut()

    def finish(self) -> Recording | None:
        """End the stream: the playlist becomes the recording (``#EXT-X-ENDLIST``)."""
        self._release(flush=True)
        self.cut()
        return finish_playlist(self.directory, self.playlist)


def finish_playlist(directory: Path, playlist: Playlist | None = None) -> Recording | None:
    """Mark a session's playlist as ended; None when it has no segments."""
    playlist = playlist if playlist is not None else read_playlist(directory)
    if playlist is None:
        return None
    if not playlist.ended:
        playlist.ended = True
        path = playlist.write(directory)
    else:
        path = directory / PLAYLIST_NAME
    if not playlist.segments:
        return None
    return Recording(
        path=path,
        duration_s=round(playlist.duration_s, 3),
        bytes=playlist.segment_bytes(directory),
    )
