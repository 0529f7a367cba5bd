"""Join HLS MPEG-TS segments into one MP4 by remuxing (packets are copied, never re-encoded).

The segments of one continuous run of a broadcast carry one continuous clock (the HLS writer
copies the encoders' timestamps), so they are joined as they are: every packet keeps its time,
less the recording's start. Audio and video need not start at the same instant in a segment
(their clocks drift apart by a few hundred milliseconds over a long broadcast), so continuity is
judged per stream, never by comparing one stream's start with another's end.

Only at a real break — a segment after ``#EXT-X-DISCONTINUITY`` (the server restarted, the
layout changed) or a stream whose clock jumps backwards or by more than ``MAX_GAP_S`` — is the
clock shifted, once for all streams, so that the new run follows the previous one directly."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

# A stream whose next segment starts more than this after (or more than a frame before) its
# previous end has a broken clock there: treated like a discontinuity.
MAX_GAP_S = 5.0
OVERLAP_S = 0.25
# More refused packets than this means the recording is broken: fail loudly.
MAX_SKIPPED_PACKETS = 50
# AAC in MPEG-TS is ADTS: a 7-byte header (syncword 0xFFF) and a payload. The MP4 muxer's
# ``aac_adtstoasc`` refuses anything else with AVERROR_INVALIDDATA: a packet without the
# syncword, shorter than the header, or a bare header with an empty payload.
ADTS_HEADER = 7

log = logging.getLogger(__name__)


class _Segment:
    """One segment's audio and video packets, read whole (a segment is ~2 s)."""

    def __init__(self, path: Path) -> None:
        self.packets: list[av.Packet[Any]] = []
        self.first_s: dict[str, float] = {}
        self.templates: dict[str, Any] = {}
        self._container = av.open(str(path))
        chosen = [s for s in self._container.streams if s.type in ("video", "audio")]
        for stream in chosen:
            self.templates.setdefault(stream.type, stream)
        for packet in self._container.demux(*chosen):
            if packet.dts is None or packet.pts is None or packet.time_base is None or not packet.size:
                continue
            kind = packet.stream.type
            if packet.stream is not self.templates.get(kind):
                continue  # a second stream of the same kind: not part of the recording
            self.packets.append(packet)
            t = float(packet.pts * packet.time_base)
            self.first_s[kind] = min(self.first_s.get(kind, t), t)

    def close(self) -> None:
        self._container.close()


def remux_segments_to_mp4(segments: Sequence[Path], out: Path, breaks: Sequence[bool] | None = None) -> Path:
    """Blocking: write ``out`` (atomically) from the segments, in order. ``breaks[i]`` is true
    when segment ``i`` follows an ``#EXT-X-DISCONTINUITY`` of the playlist."""
    if not segments:
        raise ValueError("no segments to remux")
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part")
    streams: dict[str, Any] = {}
    last_dts: dict[str, int] = {}
    end_s: dict[str, float] = {}  # per stream, where it has got to on the output clock
    video_dts_s: float | None = None  # the last video packet's decoding time on that clock
    shift_s = 0.0
    skipped = 0
    started = False
    with av.open(str(part), "w", format="mp4", options={"movflags": "+faststart"}) as output:
        for index, path in enumerate(segments):
            segment = _Segment(path)
            try:
                if not segment.packets:
                    continue
                if not streams:
                    streams = _output_streams(output, segment, segments[index + 1 :])
                flagged = bool(breaks[index]) if breaks is not None and index < len(breaks) else False
                if not started:
                    shift_s = -min(segment.first_s.values())  # the MP4 starts at zero
                    started = True
                elif flagged or _clock_jumped(segment.first_s, end_s, shift_s):
                    # The new run starts where the previous one ended: its earliest packet where
                    # the first stream to end ended (the other overlaps by a fraction of a frame
                    # rather than leaving a hole) — but after the last video packet, or the new
                    # run's first keyframe would be refused as an overlap and its pictures
                    # undecodable (a run whose picture outlasted its sound: recordings made
                    # before the HLS writer ended both streams together).
                    join_s = min(end_s.values(), default=0.0)
                    if video_dts_s is not None:
                        join_s = max(join_s, video_dts_s + 1 / 90_000)
                    shift_s = join_s - min(segment.first_s.values())
                for packet in segment.packets:
                    kind = packet.stream.type
                    target = streams.get(kind)
                    if target is None:
                        continue
                    time_base = packet.time_base
                    assert time_base is not None
                    shift = round(Fraction(shift_s) / time_base)
                    assert packet.pts is not None and packet.dts is not None  # (read so)
                    packet.pts += shift
                    packet.dts += shift
                    if packet.dts < 0 or (kind in last_dts and packet.dts <= last_dts[kind]):
                        continue
                    if kind == "audio" and not _is_adts_frame(packet):
                        skipped += 1  # the MP4 muxer would refuse it (AVERROR_INVALIDDATA)
                        log.warning(
                            "remux %s: an audio packet that is not an ADTS frame with a payload "
                            "(%d bytes, pts %s) of %s skipped",
                            out.name,
                            packet.size,
                            packet.pts,
                            path.name,
                        )
                        continue
                    end = float((packet.pts + (packet.duration or 0)) * time_base)
                    dts = packet.dts
                    packet.stream = target
                    try:  # (mux rebases the packet to the output's time base, in place)
                        output.mux(packet)
                    except av.error.InvalidDataError:
                        skipped += 1
                        if skipped > MAX_SKIPPED_PACKETS:
                            raise
                        log.warning(
                            "remux %s: the muxer refused a %s packet (%d bytes, pts %s) of %s",
                            out.name,
                            kind,
                            packet.size,
                            packet.pts,
                            path.name,
                        )
                        continue
                    last_dts[kind] = dts
                    end_s[kind] = max(end_s.get(kind, end), end)
                    if kind == "video":
                        video_dts_s = float(dts * time_base)
            finally:
                segment.close()
    if skipped:
        log.warning("remux %s: %d packets skipped", out.name, skipped)
    os.replace(part, out)
    return out


def _output_streams(output: Any, first: _Segment, later: Sequence[Path]) -> dict[str, Any]:
    """The MP4's video and audio streams, each copied from the first segment that carries packets
    of that kind. (A broadcast whose sound starts a moment after its picture has an audio stream
    without a single packet, and so without a sample rate, in its first segment: copying that
    one made the MP4 header invalid and the whole download fail.)"""
    streams: dict[str, Any] = {}
    for kind in ("video", "audio"):
        if kind in first.first_s:
            streams[kind] = output.add_stream_from_template(first.templates[kind])
    missing = {"video", "audio"} - set(streams)
    for path in later:
        if not missing:
            break
        segment = _Segment(path)
        try:
            for kind in sorted(missing):
                if kind in segment.first_s:
                    streams[kind] = output.add_stream_from_template(segment.templates[kind])
                    missing.discard(kind)
        finally:
            segment.close()
    return {kind: streams[kind] for kind in ("video", "audio") if kind in streams}


def _is_adts_frame(packet: av.Packet[Any]) -> bool:
    if packet.size <= ADTS_HEADER:
        return False
    head = bytes(packet)[:2]
    return head[0] == 0xFF and head[1] & 0xF0 == 0xF0


def _clock_jumped(first_s: dict[str, float], end_s: dict[str, float], shift_s: float) -> bool:
    """Whether any stream's clock, shifted as now, would jump back or leap ahead here."""
    for kind, first in first_s.items():
        if kind not in end_s:
            continue
        step = first + shift_s - end_s[kind]
        if step < -OVERLAP_S or step > MAX_GAP_S:
            return True
    return False
