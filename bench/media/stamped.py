"""A 640x360 30 fps synthetic camera whose frames carry their number as pixel blocks.

The top band spells a 16-bit frame counter in binary (white block = 1); the rest is a textured
picture that scrolls, so encoders do real work. ``sent_at[counter]`` is the capture time."""

from __future__ import annotations

import time

import av
from aiortc.mediastreams import VideoStreamTrack

WIDTH, HEIGHT, FPS = 640, 360, 30
BITS = 16
BLOCK = WIDTH // BITS
BAND = 40


def _texture_rows() -> list[bytes]:
    return [
        bytes(16 + (x * 7 + y * 3 + (x * y) % 29 + (x // 32) * 40) % 200 for x in range(WIDTH * 2))
        for y in range(HEIGHT - BAND)
    ]


_ROWS = _texture_rows()


def stamped_frame(counter: int) -> av.VideoFrame:
    frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
    luma = frame.planes[0]
    pad = bytes(luma.line_size - WIDTH)
    band_row = b"".join(
        bytes([235 if counter >> (BITS - 1 - bit) & 1 else 16]) * BLOCK for bit in range(BITS)
    )
    shift = (counter * 4) % WIDTH
    picture = [row[shift : shift + WIDTH] + pad for row in _ROWS]
    luma.update((band_row + pad) * BAND + b"".join(picture))
    for chroma in frame.planes[1:]:
        chroma.update(b"\x80" * chroma.buffer_size)
    return frame


def read_stamp(frame: av.VideoFrame) -> int:
    """The counter of a received frame (any size: scaled back first)."""
    image = frame.reformat(width=WIDTH, height=HEIGHT, format="yuv420p")
    luma = image.planes[0]
    data = bytes(luma)
    y = BAND // 2
    value = 0
    for bit in range(BITS):
        x = bit * BLOCK + BLOCK // 2
        value = value << 1 | (1 if data[y * luma.line_size + x] > 128 else 0)
    return value


class StampedCamera(VideoStreamTrack):
    """Frames numbered 1, 2, ... (wrapping at 2**16); records when each was captured
    (``sent_at``: monotonic, ``sent_wall``: wall clock, for browsers on the same machine)."""

    def __init__(self) -> None:
        super().__init__()
        self.counter = 0
        self.sent_at: dict[int, float] = {}
        self.sent_wall: dict[int, float] = {}

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        self.counter = self.counter % (2**BITS - 1) + 1
        frame = stamped_frame(self.counter)
        self.sent_at[self.counter] = time.monotonic()
        self.sent_wall[self.counter] = time.time()
        frame.pts = pts
        frame.time_base = time_base
        return frame
