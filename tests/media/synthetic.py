"""Synthetic media and real aiortc client peers (publisher, viewer) for the media tests."""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import itertools
import math
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import av
from aiortc import (
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, MediaStreamTrack, VideoStreamTrack

from media.hls_playlist import read_playlist
from media.hub import MediaHub

WIDTH, HEIGHT = 320, 240
BITS = 16
BLOCK = WIDTH // BITS


def counter_frame(counter: int) -> av.VideoFrame:
    """A frame whose 16 vertical bars spell ``counter`` in binary (white = 1)."""
    frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
    luma = frame.planes[0]
    row = b"".join(bytes([235 if counter >> (BITS - 1 - bit) & 1 else 16]) * BLOCK for bit in range(BITS))
    row += bytes(luma.line_size - len(row))
    luma.update(row * HEIGHT)
    for chroma in frame.planes[1:]:
        chroma.update(b"\x80" * chroma.buffer_size)
    return frame


def read_counter(frame: av.VideoFrame) -> int:
    """Decode the counter from a received frame (scaled to any size)."""
    gray = frame.reformat(width=WIDTH, height=HEIGHT, format="yuv420p")
    luma = gray.planes[0]
    data = bytes(luma)
    y = HEIGHT // 2
    value = 0
    for bit in range(BITS):
        x = bit * BLOCK + BLOCK // 2
        value = value << 1 | (1 if data[y * luma.line_size + x] > 128 else 0)
    return value


class CounterTrack(VideoStreamTrack):
    """30 fps frames numbered from ``start``."""

    def __init__(self, start: int = 1) -> None:
        super().__init__()
        self.counter = start

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = counter_frame(self.counter)
        self.counter += 1
        frame.pts = pts
        frame.time_base = time_base
        return frame


class ToneTrack(AudioStreamTrack):
    """A 400 Hz tone, 20 ms stereo s16 frames at 48 kHz, paced in real time."""

    _samples = 960
    _payload = b"".join(
        struct.pack("<hh", v, v)
        for v in (int(8000 * math.sin(2 * math.pi * 400 * i / 48000)) for i in range(960))
    )

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if not hasattr(self, "_start"):
            self._start = asyncio.get_running_loop().time()
            self._pts = 0
        else:
            self._pts += self._samples
            wait = self._start + self._pts / 48000 - asyncio.get_running_loop().time()
            await asyncio.sleep(max(0.0, wait))
        frame = av.AudioFrame(format="s16", layout="stereo", samples=self._samples)
        frame.planes[0].update(self._payload)
        frame.sample_rate = 48000
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, 48000)
        return frame


def new_peer() -> RTCPeerConnection:
    return RTCPeerConnection(RTCConfiguration(iceServers=[]))


@dataclass
class ClientPublisher:
    pc: RTCPeerConnection
    resource_id: str
    video: CounterTrack


async def publish(
    hub: MediaHub, session_id: int, *, start: int = 1, audio: bool = True, video: bool = True
) -> ClientPublisher:
    pc = new_peer()
    counter = CounterTrack(start)
    if video:
        pc.addTransceiver(counter, direction="sendonly")
    if audio:
        pc.addTransceiver(ToneTrack(), direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())
    try:
        answer, resource_id = await hub.publish(session_id, pc.localDescription.sdp)
    except Exception:
        await pc.close()
        raise
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    return ClientPublisher(pc, resource_id, counter)


@dataclass
class ClientViewer:
    pc: RTCPeerConnection
    resource_id: str
    answer: str
    counters: list[int] = field(default_factory=list)
    audio_frames: int = 0
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def _consume(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                if isinstance(frame, av.VideoFrame):
                    self.counters.append(read_counter(frame))
                else:
                    self.audio_frames += 1

    async def close(self) -> None:
        await self.pc.close()
        for task in self.tasks:
            task.cancel()


async def watch(hub: MediaHub, session_id: int, *, video_codec: str | None = None) -> ClientViewer:
    pc = new_peer()
    video = pc.addTransceiver("video", direction="recvonly")
    if video_codec is not None:
        codecs = RTCRtpSender.getCapabilities("video").codecs
        video.setCodecPreferences([c for c in codecs if c.mimeType == video_codec])
    pc.addTransceiver("audio", direction="recvonly")
    tracks: list[MediaStreamTrack] = []
    pc.add_listener("track", tracks.append)
    await pc.setLocalDescription(await pc.createOffer())
    try:
        answer, resource_id = await hub.watch(session_id, pc.localDescription.sdp)
    except Exception:
        await pc.close()
        raise
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    viewer = ClientViewer(pc, resource_id, answer)
    viewer.tasks = [asyncio.create_task(viewer._consume(track)) for track in tracks]
    return viewer


async def wait_until(predicate: Callable[[], object], within: float, what: str) -> None:
    """Poll ``predicate()`` every 50 ms; fail the test with ``what`` after ``within`` s."""
    deadline = asyncio.get_running_loop().time() + within
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(0.05)


def decode_mp4(path: Path) -> tuple[int, int, float]:
    """(video packets, decoded video frames, duration in seconds) of an MP4 file."""
    with av.open(str(path)) as movie:
        packets = sum(1 for p in movie.demux(video=0) if p.dts is not None)
    with av.open(str(path)) as movie:
        frames = sum(1 for _ in movie.decode(video=0))
        duration = movie.duration / 1_000_000 if movie.duration else 0.0
    return packets, frames, duration


def segment_count(directory: Path) -> int:
    """Segments listed in the HLS playlist in ``directory`` (0 without a playlist)."""
    playlist = read_playlist(directory)
    return len(playlist.segments) if playlist is not None else 0


def synthesise_recording(
    directory: Path,
    seconds: float,
    *,
    fps: int = 30,
    audio_drift: float = 0.001,
    size: int = 96,
    start_s: float = 0.0,
    finish: bool = True,
    audio_late_s: float = 0.0,
    audio_short_s: float = 0.0,
    audio_delivered_after_s: float = 0.0,
) -> float:
    """A broadcast of ``seconds`` cut into HLS segments by the real ``HlsWriter``, much faster
    than real time: one GOP of H.264 and a run of AAC frames are encoded once and replayed with
    advancing timestamps, in the order a live broadcast would deliver them.

    The audio clock runs ``audio_drift`` slower than the video's (as a capture card's does), so
    after a few minutes a segment's audio starts a few hundred milliseconds before its video.
    ``audio_late_s`` starts the sound that long after the picture (a microphone that comes on
    late: the first segment then declares audio without a single packet); ``audio_short_s`` ends
    it that long before the picture; ``audio_delivered_after_s`` hands each sound packet to the
    writer that long after the picture of the same moment (an encoder that lags). ``start_s`` starts
    the clocks later; ``finish=False`` leaves the playlist open, as a server
    that stops does, so that a second call continues it after a discontinuity.
    Returns the broadcast's length in seconds."""
    from media.audio_encoders import AUDIO_TIME_BASE, SharedAudioEncoders
    from media.hls_writer import HlsWriter
    from media.video_encoder import VIDEO_RATE, VIDEO_TIME_BASE, SharedVideoEncoder, VideoSettings

    encoder = SharedVideoEncoder(VideoSettings(max_width=size, max_height=size, fps=fps))
    gop: list[tuple[int, bytes, bool]] = []  # (pts offset, data, keyframe) of one 2 s GOP
    ticks = VIDEO_RATE // fps
    for i in range(2 * fps):
        frame = counter_frame(i).reformat(width=size, height=size)
        for packet in encoder.encode(frame, i * ticks):
            gop.append((int(packet.pts or 0), bytes(packet), bool(packet.is_keyframe)))
    assert gop[0][2], "a GOP starts with a keyframe"
    audio = SharedAudioEncoders()
    tone: list[bytes] = []
    for k in range(60):  # 60 frames of 20 ms in, about 56 AAC frames out
        chunk = av.AudioFrame(format="s16", layout="stereo", samples=960)
        chunk.planes[0].update(ToneTrack._payload)
        chunk.sample_rate = 48000
        tone.extend(bytes(p) for p in audio.encode(chunk, k * 960)[1])
    writer = HlsWriter(directory, fps=fps)
    gop_ticks = 2 * fps * ticks
    video_count = int(seconds * fps)
    audio_count = int((seconds - audio_late_s - audio_short_s) * 48000 / 1024)
    v = a = 0
    while v < video_count or a < audio_count:
        video_wall = v / fps
        audio_wall = audio_late_s + a * 1024 / 48000 * (1 + audio_drift) + audio_delivered_after_s
        if v < video_count and (a >= audio_count or video_wall <= audio_wall):
            offset, data, key = gop[v % len(gop)]
            packet = av.Packet(data)
            packet.pts = packet.dts = round(start_s * VIDEO_RATE) + (v // len(gop)) * gop_ticks + offset
            packet.time_base = VIDEO_TIME_BASE
            packet.is_keyframe = key
            writer.write_video(packet, (size, size))
            v += 1
        else:
            packet = av.Packet(tone[a % len(tone)])
            packet.pts = packet.dts = round((start_s + audio_late_s) * 48000) + a * 1024
            packet.time_base = AUDIO_TIME_BASE
            writer.write_audio(packet)
            a += 1
    if finish:
        assert writer.finish() is not None
    else:
        writer.close()
    return video_count / fps


@dataclass
class Timeline:
    """What decoding a file finds: each stream's frame times and its gaps."""

    duration_s: float
    video_times: list[float]
    audio_times: list[float]
    audio_frame_s: float

    def gaps(self, kind: str, allowed_s: float) -> list[tuple[float, float]]:
        times = self.video_times if kind == "video" else self.audio_times
        return [(a, b) for a, b in itertools.pairwise(times) if b - a > allowed_s]

    def backwards(self, kind: str) -> int:
        times = self.video_times if kind == "video" else self.audio_times
        return sum(1 for a, b in itertools.pairwise(times) if b <= a)


def decode_timeline(path: Path) -> Timeline:
    """Decode every video and audio frame of a file (errors raise) and note their times."""
    video: list[float] = []
    audio: list[float] = []
    audio_frame_s = 0.0
    with av.open(str(path)) as movie:
        duration = movie.duration / 1_000_000 if movie.duration else 0.0
        for frame in movie.decode(*movie.streams.video, *movie.streams.audio):
            assert frame.pts is not None and frame.time_base is not None
            t = float(frame.pts * frame.time_base)
            if isinstance(frame, av.VideoFrame):
                video.append(t)
            else:
                audio.append(t)
                audio_frame_s = frame.samples / (frame.sample_rate or 48000)
    return Timeline(duration, video, audio, audio_frame_s)
