"""Photos people upload (opinions, progress notes): checked by content, turned upright, resized
and re-encoded as JPEG by Pillow, so no metadata (GPS above all) survives; plus a thumbnail.

One module for every upload of a picture: ``process_image(data)`` is all a caller needs."""

from __future__ import annotations

import asyncio
import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from live.errors import DomainError, Invalid

# What phones send from the camera or the album; HEIC is converted to JPEG by iOS on upload.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "MPO")
MAX_PIXELS = 50_000_000  # a 50 MP camera; bigger is a decompression bomb, not a photo
FULL_EDGE = 1600
THUMB_EDGE = 320
QUALITY = 82
THUMB_QUALITY = 75


@dataclass(frozen=True)
class ProcessedImage:
    full: bytes
    thumb: bytes
    width: int
    height: int


def bad_file(detail: str) -> Invalid:
    return Invalid(detail, code="bad_file")


def process_image(data: bytes) -> ProcessedImage:
    """Open ``data`` as a picture (whatever its name or declared type said), strip everything but
    the pixels, fit it in 1600 px and a 320 px thumbnail. Blocking: run it in a worker thread.
    Raises ``Invalid(code="bad_file")`` for anything that is not a picture of a known format."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in FORMATS:
                    raise bad_file(f"not a photo ({probe.format}); send JPEG, PNG or WebP")
                if probe.width * probe.height > MAX_PIXELS:
                    raise bad_file("the picture has too many pixels")
                probe.verify()  # structure check before decoding the pixels
            with Image.open(io.BytesIO(data)) as image:
                image.seek(0)  # the first frame of a GIF or MPO
                image.draft("RGB", (FULL_EDGE * 2, FULL_EDGE * 2))  # JPEG: decode at a reduced scale
                upright = ImageOps.exif_transpose(image)
                pixels = upright.convert("RGB")
    except Invalid:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        EOFError,
    ) as err:
        raise bad_file("the file is not a picture that can be read") from err
    full = _jpeg(pixels, FULL_EDGE, QUALITY)
    thumb = _jpeg(pixels, THUMB_EDGE, THUMB_QUALITY)
    width, height = _fitted(pixels.size, FULL_EDGE)
    return ProcessedImage(full=full, thumb=thumb, width=width, height=height)


def _fitted(size: tuple[int, int], edge: int) -> tuple[int, int]:
    w, h = size
    scale = min(1.0, edge / max(w, h))
    return max(1, round(w * scale)), max(1, round(h * scale))


def _jpeg(image: Image.Image, edge: int, quality: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((edge, edge), Image.Resampling.LANCZOS, reducing_gap=3.0)
    out = io.BytesIO()
    # a fresh JPEG: no exif=, no icc_profile=, no comments: nothing but the pixels
    copy.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


# ---- keeping photos on disk (progress notes) ----------------------------------------------------

MAX_BYTES = 10 * 1024 * 1024
NAME_CHARS = set("0123456789abcdef")


class TooLarge(DomainError):
    code = "too_large"
    status = 413


@dataclass(frozen=True)
class StoredPhoto:
    name: str  # <sha256 prefix>.jpg
    thumb: str  # <sha256 prefix>.thumb.jpg
    width: int
    height: int


def store_photo(data: bytes, folder: Path) -> StoredPhoto:
    """``process_image`` then keep the photo and its thumbnail in ``folder`` (0600), named by the
    hash of the cleaned picture. Blocking: run it in a worker thread."""
    if len(data) > MAX_BYTES:
        raise TooLarge(f"a photo is at most {MAX_BYTES // (1024 * 1024)} MB")
    image = process_image(data)
    digest = hashlib.sha256(image.full).hexdigest()[:32]
    folder.mkdir(parents=True, exist_ok=True)
    name, thumb_name = f"{digest}.jpg", f"{digest}.thumb.jpg"
    for file_name, body in ((name, image.full), (thumb_name, image.thumb)):
        path = folder / file_name
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(body)
            tmp.chmod(0o600)
            tmp.replace(path)
    return StoredPhoto(name, thumb_name, image.width, image.height)


def photo_path(folder: Path, name: str) -> Path | None:
    """The file of a stored photo name, or None for any other name (no path tricks)."""
    stem = name.removesuffix(".jpg").removesuffix(".thumb")
    if not name.endswith(".jpg") or len(stem) != 32 or not set(stem) <= NAME_CHARS:
        return None
    path = folder / name
    return path if path.is_file() else None


class Photos:
    """The progress photos of agenda items, kept in ``LIVE_DATA_DIR/photos``."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = Path(data_dir) / "photos"

    async def store(self, data: bytes) -> StoredPhoto:
        """``store_photo`` in a worker thread (decoding and re-encoding are CPU work)."""
        return await asyncio.to_thread(store_photo, data, self.folder)

    def path(self, name: str) -> Path | None:
        return photo_path(self.folder, name)
