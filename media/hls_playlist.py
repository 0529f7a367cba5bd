"""Reading and writing the HLS media playlist (index.m3u8) of a session."""

from __future__ import annotations

import contextlib
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from .layout import PLAYLIST_NAME


@dataclass(frozen=True)
class SegmentEntry:
    uri: str
    duration_s: float
    discontinuity: bool = False


@dataclass
class Playlist:
    segments: list[SegmentEntry] = field(default_factory=list)
    ended: bool = False

    @property
    def duration_s(self) -> float:
        return sum(segment.duration_s for segment in self.segments)

    def target_duration(self, minimum: int = 2) -> int:
        """EXT-X-TARGETDURATION: no segment's rounded duration may exceed it."""
        longest = max((s.duration_s for s in self.segments), default=0.0)
        return max(minimum, math.floor(longest + 0.5))

    def render(self) -> str:
        lines = [
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            f"#EXT-X-TARGETDURATION:{self.target_duration()}",
            "#EXT-X-MEDIA-SEQUENCE:0",
            # EVENT throughout: segments are only appended; at the end #EXT-X-ENDLIST is added
            # (the type tag must not change while players refresh the playlist).
            "#EXT-X-PLAYLIST-TYPE:EVENT",
        ]
        for segment in self.segments:
            if segment.discontinuity:
                lines.append("#EXT-X-DISCONTINUITY")
            lines.append(f"#EXTINF:{segment.duration_s:.3f},")
            lines.append(segment.uri)
        if self.ended:
            lines.append("#EXT-X-ENDLIST")
        return "\n".join(lines) + "\n"

    def write(self, directory: Path) -> Path:
        """Write atomically, so a client never reads half a playlist."""
        path = directory / PLAYLIST_NAME
        tmp = directory / (PLAYLIST_NAME + ".tmp")
        tmp.write_text(self.render(), encoding="utf-8")
        os.replace(tmp, path)
        return path

    def segment_bytes(self, directory: Path) -> int:
        total = 0
        for segment in self.segments:
            with contextlib.suppress(OSError):
                total += (directory / segment.uri).stat().st_size
        return total


def read_playlist(directory: Path) -> Playlist | None:
    """The playlist in ``directory``, or None when there is none."""
    try:
        text = (directory / PLAYLIST_NAME).read_text(encoding="utf-8")
    except OSError:
        return None
    playlist = Playlist()
    duration: float | None = None
    discontinuity = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#EXTINF:"):
            try:
                duration = float(line[len("#EXTINF:") :].split(",", 1)[0])
            except ValueError:
                duration = None
        elif line == "#EXT-X-DISCONTINUITY":
            discontinuity = True
        elif line == "#EXT-X-ENDLIST":
            playlist.ended = True
        elif line and not line.startswith("#") and duration is not None:
            playlist.segments.append(SegmentEntry(line, duration, discontinuity))
            duration, discontinuity = None, False
    return playlist
