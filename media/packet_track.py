"""A viewer's outgoing track: hands pre-encoded packets to aiortc's RTCRtpSender, which packs
them into RTP without encoding (``RTCRtpSender._next_encoded_frame`` -> ``encoder.pack``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

VIDEO_QUEUE_FRAMES = 8
AUDIO_QUEUE_FRAMES = 25


class PacketTrack(MediaStreamTrack):
    """Bounded per-viewer queue of shared encoded packets.

    Video: when the viewer falls behind, the new frame is dropped and so is everything up to
    the next keyframe (a decoder cannot skip a P-frame), and a keyframe is requested. Audio:
    the oldest packet is dropped."""

    def __init__(self, kind: str, on_keyframe_needed: Callable[[], None] = lambda: None) -> None:
        super().__init__()
        self.kind = kind
        self._on_keyframe_needed = on_keyframe_needed
        size = VIDEO_QUEUE_FRAMES if kind == "video" else AUDIO_QUEUE_FRAMES
        self._queue: asyncio.Queue[av.Packet[Any] | None] = asyncio.Queue(maxsize=size)
        self._need_keyframe = kind == "video"
        self.dropped = 0
        self.sent = 0

    def push(self, packet: av.Packet[Any]) -> None:
        """Offer one shared packet; never blocks."""
        if self.readyState != "live":
            return
        if self.kind == "video":
            if self._need_keyframe:
                if not packet.is_keyframe:
                    self.dropped += 1
                    return
                self._need_keyframe = False
            if self._queue.full():
                self.dropped += 1
                self._need_keyframe = True
                self._on_keyframe_needed()
                return
        elif self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(packet)

    async def recv(self) -> av.Packet[Any]:
        if self.readyState != "live":
            raise MediaStreamError
        packet = await self._queue.get()
        if packet is None:
            raise MediaStreamError
        self.sent += 1
        return packet

    def stop(self) -> None:
        if self.readyState == "live":
            super().stop()
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(None)
