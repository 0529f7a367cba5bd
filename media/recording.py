"""The finished recording of a session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Recording:
    """``path`` is the finished HLS playlist (index.m3u8); ``bytes`` counts its segments."""

    path: Path
    duration_s: float
    bytes: int
