"""Files for upload tests, made here: a JPEG with GPS in its EXIF (Pillow), voice recordings
(PyAV: Opus in WebM as Chromium records, AAC in MP4 as iOS Safari records)."""

from __future__ import annotations

import io
import math
import struct
from fractions import Fraction

import av
from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps(size: tuple[int, int] = (2400, 1800), *, rotate: bool = True) -> bytes:
    """A camera-like JPEG: GPS position (天安门, 39.9N 116.4E), camera make, orientation 6."""
    image = Image.new("RGB", size, (200, 60, 40))
    for x in range(0, size[0], 100):
        image.paste((20, 120, 200), (x, 0, x + 40, size[1]))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[ORIENTATION] = 6 if rotate else 1
    exif[GPS_IFD] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def voice(seconds: float, *, fmt: str = "webm", codec: str = "libopus") -> bytes:
    """A tone of ``seconds``, encoded like a phone's MediaRecorder would."""
    out = io.BytesIO()
    rate = 48_000
    with av.open(out, "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=rate)
        stream.layout = "mono"
        fmt_name = "s16" if codec == "libopus" else "fltp"
        size = 960 if codec == "libopus" else 1024
        n = 0
        while n < seconds * rate:
            frame = av.AudioFrame(format="s16", layout="mono", samples=size)
            frame.planes[0].update(
                struct.pack(f"<{size}h", *(int(8000 * math.sin((n + k) / 8)) for k in range(size)))
            )
            frame.sample_rate, frame.pts, frame.time_base = rate, n, Fraction(1, rate)
            n += size
            if fmt_name != "s16":
                for chunk in av.AudioResampler(format=fmt_name, layout="mono", rate=rate).resample(frame):
                    container.mux(stream.encode(chunk))
            else:
                container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return out.getvalue()
