"""The one H.264 encoder of a broadcast, whose packets every viewer and the HLS muxer share."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av
from av.video.frame import PictureType

VIDEO_RATE = 90_000
VIDEO_TIME_BASE = Fraction(1, VIDEO_RATE)


@dataclass(frozen=True)
class VideoSettings:
    """Output of the shared encoder: H.264 constrained baseline, no B-frames."""

    max_width: int = 1280
    max_height: int = 720
    bitrate: int = 1_500_000
    fps: int = 30
    keyframe_interval_s: float = 2.0
    min_keyframe_gap_s: float = 0.5
    preset: str = "ultrafast"


def output_size(width: int, height: int, max_width: int, max_height: int) -> tuple[int, int]:
    """Fit (width, height) into the maximum box, keeping the aspect ratio, even dimensions."""
    scale = min(1.0, max_width / max(width, 1), max_height / max(height, 1))
    out_w = max(2, int(width * scale) // 2 * 2)
    out_h = max(2, int(height * scale) // 2 * 2)
    return out_w, out_h


class SharedVideoEncoder:
    """libx264 with zerolatency; keyframes every ``keyframe_interval_s`` of media time and on
    request (throttled to one per ``min_keyframe_gap_s``).

    The output size follows the publisher's (capped to the maximum box) after the new size held
    for a second; until then frames are scaled to the current size. ``encode`` is blocking and
    meant to run in a worker thread, one frame at a time."""

    def __init__(self, settings: VideoSettings | None = None) -> None:
        self.settings = settings or VideoSettings()
        self._ctx: av.VideoCodecContext | None = None
        self.size: tuple[int, int] | None = None
        self.frames = 0
        self._last_keyframe_pts: int | None = None
        self._next_periodic_pts: int | None = None
        self._resize_candidate: tuple[int, int] | None = None
        self._resize_frames = 0
        self._keyframe_wanted = True

    def request_keyframe(self) -> None:
        """Ask for a keyframe soon (new viewer, PLI, reconnect); cheap and safe to call often."""
        self._keyframe_wanted = True

    def _open(self, width: int, height: int) -> av.VideoCodecContext:
        s = self.settings
        ctx = av.CodecContext.create("libx264", "w")
        assert isinstance(ctx, av.VideoCodecContext)
        ctx.width = width
        ctx.height = height
        ctx.pix_fmt = "yuv420p"
        ctx.time_base = VIDEO_TIME_BASE
        ctx.framerate = Fraction(s.fps, 1)
        ctx.bit_rate = s.bitrate
        ctx.gop_size = max(1, int(s.fps * s.keyframe_interval_s * 4))
        kbps = s.bitrate // 1000
        ctx.options = {
            "preset": s.preset,
            "tune": "zerolatency",
            "profile": "baseline",
            "forced-idr": "1",
            "x264-params": f"scenecut=0:bframes=0:vbv-maxrate={kbps * 3 // 2}:vbv-bufsize={kbps}",
        }
        ctx.open()
        self.size = (width, height)
        return ctx

    def encode(self, frame: av.VideoFrame, pts: int) -> list[av.Packet[Any]]:
        """Encode one frame stamped ``pts`` (1/90000 s); returns Annex B packets (SPS/PPS in-band
        before every keyframe) with pts, dts and time_base set."""
        wanted = output_size(frame.width, frame.height, self.settings.max_width, self.settings.max_height)
        if self._ctx is None or self._resize_due(wanted):
            self._ctx = self._open(*wanted)
            self._next_periodic_pts = None  # a new encoder starts with a keyframe
        assert self.size is not None
        width, height = self.size
        if frame.width != width or frame.height != height or frame.format.name != "yuv420p":
            frame = frame.reformat(width=width, height=height, format="yuv420p")
        frame.pts = pts
        frame.time_base = VIDEO_TIME_BASE
        frame.pict_type = PictureType.I if self._want_keyframe(pts) else PictureType.NONE
        packets = self._ctx.encode(frame)
        self.frames += 1
        for packet in packets:
            packet.time_base = VIDEO_TIME_BASE
            if packet.is_keyframe and packet.pts is not None:
                self._last_keyframe_pts = packet.pts
        return packets

    def _resize_due(self, wanted: tuple[int, int]) -> bool:
        """Follow a publisher's resolution change (browsers start small and ramp up) once the
        new size has held for a second, so a brief dip does not restart the stream."""
        if wanted == self.size:
            self._resize_candidate, self._resize_frames = None, 0
            return False
        if wanted != self._resize_candidate:
            self._resize_candidate, self._resize_frames = wanted, 0
        self._resize_frames += 1
        return self._resize_frames >= self.settings.fps

    def _want_keyframe(self, pts: int) -> bool:
        """Periodic keyframes sit on their own schedule (so HLS segments stay ~2 s long);
        requested ones come in between, at most one per ``min_keyframe_gap_s``."""
        s = self.settings
        half_frame = VIDEO_RATE // (2 * s.fps)
        if self._next_periodic_pts is None or pts >= self._next_periodic_pts - half_frame:
            self._next_periodic_pts = pts + round(s.keyframe_interval_s * VIDEO_RATE)
            self._keyframe_wanted = False
            return True
        last = self._last_keyframe_pts
        if self._keyframe_wanted and (last is None or pts - last >= s.min_keyframe_gap_s * VIDEO_RATE):
            self._keyframe_wanted = False
            return True
        return False
