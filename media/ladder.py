"""The HLS ladder: every rendition is encoded once per broadcast, for every viewer.

``hls/<id>/index.m3u8`` is the full rendition (the recording), ``low/index.m3u8`` about 360p at
about 400 kbit/s for weak networks, ``audio/index.m3u8`` sound only; ``master.m3u8`` lists them
for players that pick and switch by themselves."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .audio_encoders import LOW_AAC_BITRATE
from .video_encoder import VideoSettings

MASTER_NAME = "master.m3u8"
LOW_DIR = "low"
AUDIO_DIR = "audio"

# 640x360 at 15 fps: about 300 kbit/s of video plus 48 kbit/s of AAC.
LOW_VIDEO = VideoSettings(max_width=640, max_height=360, bitrate=300_000, fps=15)


@dataclass(frozen=True)
class Rendition:
    name: str  # "full", "low", "audio"
    uri: str  # relative to master.m3u8
    bandwidth: int  # peak bits per second, for EXT-X-STREAM-INF
    codecs: str
    resolution: tuple[int, int] | None


def renditions(full: VideoSettings) -> list[Rendition]:
    full_bits = full.bitrate * 3 // 2 + 128_000  # vbv-maxrate is 1.5x the target
    low_bits = LOW_VIDEO.bitrate * 3 // 2 + LOW_AAC_BITRATE
    return [
        Rendition(
            "full", "index.m3u8", full_bits, "avc1.42e01f,mp4a.40.2", (full.max_width, full.max_height)
        ),
        Rendition(
            "low",
            f"{LOW_DIR}/index.m3u8",
            low_bits,
            "avc1.42e01e,mp4a.40.2",
            (LOW_VIDEO.max_width, LOW_VIDEO.max_height),
        ),
        Rendition("audio", f"{AUDIO_DIR}/index.m3u8", LOW_AAC_BITRATE + 16_000, "mp4a.40.2", None),
    ]


def render_master(full: VideoSettings) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for r in renditions(full):
        attributes = [f"BANDWIDTH={r.bandwidth}", f'CODECS="{r.codecs}"']
        if r.resolution is not None:
            attributes.insert(1, f"RESOLUTION={r.resolution[0]}x{r.resolution[1]}")
        lines.append(f"#EXT-X-STREAM-INF:{','.join(attributes)}")
        lines.append(r.uri)
    return "\n".join(lines) + "\n"


def write_master(directory: Path, full: VideoSettings) -> Path:
    """Write ``master.m3u8`` atomically (it never changes during a broadcast)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / MASTER_NAME
    tmp = directory / (MASTER_NAME + ".tmp")
    tmp.write_text(render_master(full), encoding="utf-8")
    os.replace(tmp, path)
    return path
