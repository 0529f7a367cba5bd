"""Voice messages: whatever a phone recorded (Opus in WebM or Ogg from Chromium and Android, AAC
in MP4 from iOS Safari, or WAV/MP3) checked by its content and transcoded once to one format:
AAC-LC, mono, 48 kHz, 64 kbit/s, in an MP4 (``.m4a``) that every browser plays."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from .errors import MediaError

VOICE_SUFFIX = ".m4a"
VOICE_RATE = 48_000
VOICE_BITRATE = 64_000
MAX_SECONDS = 60.0
# MediaRecorder stops a little after the button is let go: a few hundred ms of slack.
SLACK_S = 0.5


class BadAudio(MediaError):
    code = "bad_file"


class TooLong(MediaError):
    code = "too_long"


@dataclass(frozen=True)
class VoiceClip:
    path: Path
    duration_s: float
    bytes: int


def transcode_voice(data: bytes, target: Path, *, max_s: float = MAX_SECONDS) -> VoiceClip:
    """Decode ``data`` (an audio file of any common container) and write it to ``target`` as
    AAC in MP4, durably (fsync, then an atomic rename). Blocking: run it in a worker thread.
    ``BadAudio`` when it is not audio; ``TooLong`` beyond ``max_s`` seconds."""
    part = target.with_name(target.name + ".part")
    try:
        duration = _transcode(data, part, max_s)
        with part.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(part, target)
        _fsync_dir(target.parent)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return VoiceClip(target, round(duration, 2), target.stat().st_size)


def _transcode(data: bytes, out_path: Path, max_s: float) -> float:
    try:
        source = av.open(io.BytesIO(data), "r")
    except (av.FFmpegError, ValueError, OSError) as err:
        raise BadAudio("the file is not audio that can be read") from err
    with source:
        streams = [s for s in source.streams if s.type == "audio"]
        if not streams:
            raise BadAudio("the file has no sound")
        with av.open(str(out_path), "w", format="mp4") as sink:
            encoder = sink.add_stream("aac", rate=VOICE_RATE)
            encoder.bit_rate = VOICE_BITRATE
            encoder.layout = "mono"
            encoder.time_base = Fraction(1, VOICE_RATE)
            resampler = av.AudioResampler(format="fltp", layout="mono", rate=VOICE_RATE, frame_size=1024)
            samples = 0
            limit = (max_s + SLACK_S) * VOICE_RATE
            try:
                for frame in source.decode(streams[0]):
                    if not isinstance(frame, av.AudioFrame):
                        continue
                    frame.pts = None
                    for chunk in resampler.resample(frame):
                        chunk.pts = samples
                        chunk.time_base = encoder.time_base
                        samples += chunk.samples
                        if samples > limit:
                            raise TooLong(f"a voice message may be {int(max_s)} seconds at most")
                        sink.mux(encoder.encode(chunk))
                for chunk in resampler.resample(None):
                    chunk.pts = samples
                    chunk.time_base = encoder.time_base
                    samples += chunk.samples
                    sink.mux(encoder.encode(chunk))
                sink.mux(encoder.encode(None))
            except (av.FFmpegError, ValueError) as err:
                raise BadAudio("the sound could not be decoded") from err
    if samples < VOICE_RATE // 10:
        raise BadAudio("the recording is empty")
    return samples / VOICE_RATE


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
