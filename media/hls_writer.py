"""Cuts the shared encoded packets into ~2 s MPEG-TS segments and keeps the playlist current.

No encoding happens here: H.264 packets come from the shared video encoder, AAC (ADTS) packets
from the shared audio encoders. MPEG-TS segments play in hls.js and natively on Safari."""

from __future__ import annotations

import logging
import os
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

    A playlist left by an earlier process (not ended) is continued after a discontinuity."""

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

    def write_video(self, packet: av.Packet[Any], size: tuple[int, int]) -> None:
        if self.finished or not self._has_video or packet.pts is None or packet.time_base is None:
            return
        t = float(packet.pts * packet.time_base)
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

    def write_audio(self, packet: av.Packet[Any]) -> None:
        if self.finished or not self._has_audio or packet.pts is None or packet.time_base is None:
            return
        t = float(packet.pts * packet.time_base)
        if not self._has_video:
            segment = self._segment
            if segment is None or self._cut_pending or self._due(segment, t):
                self._start_segment(end_s=t)
        if self._segment is not None:
            self._segment.mux("audio", packet, 1024 / 48_000)

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
        """The publisher is gone: publish what we have; resume with a fresh segment."""
        self.cut()
        self._cut_pending = True

    def close(self) -> None:
        """Stop writing without ending the stream (process shutdown)."""
        self.cut()

    def finish(self) -> Recording | None:
        """End the stream: the playlist becomes the recording (``#EXT-X-ENDLIST``)."""
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
