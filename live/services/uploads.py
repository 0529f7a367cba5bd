"""Files people attach to what they say: voice messages and photos, stored under
``LIVE_DATA_DIR/uploads/`` with random names, durable (fsync) before anything refers to them.

Voices are transcoded once by ``media.voice`` (AAC in MP4); photos go through
``live.services.images`` (re-encoded JPEG without metadata, and a thumbnail)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from live.errors import Invalid, TooLarge
from live.services.images import process_image
from media import voice as voice_media

UPLOADS = "uploads"
MAX_VOICE_BYTES = 5 * 1024 * 1024  # 60 s of AAC at 256 kbit/s is under 2 MB
MAX_PHOTO_BYTES = 15 * 1024 * 1024  # a phone camera's JPEG
MAX_PHOTOS = 3
NAME = re.compile(r"^[a-z0-9]{24}(?:-thumb)?\.(?:jpg|m4a)$")


@dataclass(frozen=True)
class StoredVoice:
    file: str
    duration_s: float


@dataclass(frozen=True)
class StoredPhoto:
    file: str
    thumb: str


def url(name: str) -> str:
    return f"/uploads/{name}"


class Uploads:
    def __init__(self, data_dir: Path) -> None:
        self.directory = Path(data_dir) / UPLOADS

    def _ready(self) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        return self.directory

    def path(self, name: str) -> Path | None:
        """The stored file of that name, None for any other name."""
        if not NAME.match(name):
            return None
        path = self.directory / name
        return path if path.is_file() else None

    async def voice(self, data: bytes) -> StoredVoice:
        """Check and transcode a recording; ``bad_file`` when it is not audio, ``too_long`` past
        60 s, 413 past its size limit."""
        if len(data) > MAX_VOICE_BYTES:
            raise TooLarge(f"a voice message may be {MAX_VOICE_BYTES // (1024 * 1024)} MB at most")
        name = secrets.token_hex(12) + voice_media.VOICE_SUFFIX
        target = self._ready() / name
        try:
            clip = await asyncio.to_thread(voice_media.transcode_voice, data, target)
        except voice_media.TooLong as err:
            raise Invalid(err.detail, code="too_long") from err
        except voice_media.BadAudio as err:
            raise Invalid(err.detail, code="bad_file") from err
        return StoredVoice(name, clip.duration_s)

    async def photo(self, data: bytes) -> StoredPhoto:
        """Check, clean and store a photo and its thumbnail."""
        if len(data) > MAX_PHOTO_BYTES:
            raise TooLarge(f"a photo may be {MAX_PHOTO_BYTES // (1024 * 1024)} MB at most")
        image = await asyncio.to_thread(process_image, data)
        stem = secrets.token_hex(12)
        directory = self._ready()
        full, thumb = f"{stem}.jpg", f"{stem}-thumb.jpg"
        await asyncio.to_thread(_write_durably, directory / full, image.full)
        await asyncio.to_thread(_write_durably, directory / thumb, image.thumb)
        return StoredPhoto(full, thumb)

    def discard(self, names: Iterable[str]) -> None:
        """Remove files that ended up attached to nothing (the write that needed them failed)."""
        for name in names:
            if NAME.match(name):
                with contextlib.suppress(OSError):
                    (self.directory / name).unlink()


def _write_durably(path: Path, data: bytes) -> None:
    part = path.with_name(path.name + ".part")
    with part.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(part, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
