"""Where a session's media lives on disk and on the web: the one place that knows the layout.

``LIVE_DATA_DIR/hls/<session>/`` holds the live HLS segments and playlist (``index.m3u8``),
which become the recording at the end; ``LIVE_DATA_DIR/recordings/<session>.mp4`` is the MP4
remuxed from it for download. The web serves the HLS folder at ``/hls/<session>/``."""

from __future__ import annotations

import os
from pathlib import Path

PLAYLIST_NAME = "index.m3u8"
HLS_FOLDER = "hls"
MP4_FOLDER = "recordings"


def hls_dir(data_dir: Path, session_id: int) -> Path:
    """A session's HLS segments and playlist (live, then the recording)."""
    return Path(data_dir) / HLS_FOLDER / str(session_id)


def playlist_path(data_dir: Path, session_id: int) -> Path:
    return hls_dir(data_dir, session_id) / PLAYLIST_NAME


def mp4_path(data_dir: Path, session_id: int) -> Path:
    """Where the remuxed MP4 of a session is written (outside the public HLS folder)."""
    return Path(data_dir) / MP4_FOLDER / f"{session_id}.mp4"


def media_dirs(data_dir: Path) -> tuple[Path, Path]:
    """Every session's HLS folders and the MP4s (for disk usage)."""
    return Path(data_dir) / HLS_FOLDER, Path(data_dir) / MP4_FOLDER


def sessions_on_disk(data_dir: Path) -> set[int]:
    """The sessions with an HLS folder or a remuxed MP4 on disk (two directory listings)."""
    found: set[int] = set()
    for folder, suffix in ((Path(data_dir) / HLS_FOLDER, ""), (Path(data_dir) / MP4_FOLDER, ".mp4")):
        try:
            names = [entry.name for entry in os.scandir(folder)]
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in names:
            stem = name[: len(name) - len(suffix)] if suffix and name.endswith(suffix) else name
            if (not suffix or name.endswith(suffix)) and stem.isascii() and stem.isdigit():
                found.add(int(stem))
    return found


def playlist_url(session_id: int) -> str:
    """The public URL of a session's HLS playlist."""
    return f"/{HLS_FOLDER}/{session_id}/{PLAYLIST_NAME}"
