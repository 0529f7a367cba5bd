"""Real aiortc peers that publish (WHIP) and watch (WHEP) over the server's HTTP endpoints."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from dataclasses import dataclass, field
from typing import Any

import av
from aiohttp.test_utils import TestClient
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from tests.media.synthetic import CounterTrack, ToneTrack, new_peer, read_counter

SDP = {"Content-Type": "application/sdp"}


@dataclass
class HttpPublisher:
    pc: RTCPeerConnection
    location: str
    video: CounterTrack


@dataclass
class HttpViewer:
    pc: RTCPeerConnection
    location: str
    counters: list[int] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def _consume(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                if isinstance(frame, av.VideoFrame):
                    self.counters.append(read_counter(frame))

    async def close(self) -> None:
        await self.pc.close()
        for task in self.tasks:
            task.cancel()


async def publisher_offer(*, audio: bool = True) -> tuple[RTCPeerConnection, CounterTrack, str]:
    pc = new_peer()
    video = CounterTrack()
    pc.addTransceiver(video, direction="sendonly")
    if audio:
        pc.addTransceiver(ToneTrack(), direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())
    return pc, video, pc.localDescription.sdp


async def viewer_offer() -> tuple[RTCPeerConnection, list[MediaStreamTrack], str]:
    pc = new_peer()
    pc.addTransceiver("video", direction="recvonly")
    pc.addTransceiver("audio", direction="recvonly")
    tracks: list[MediaStreamTrack] = []
    pc.add_listener("track", tracks.append)
    await pc.setLocalDescription(await pc.createOffer())
    return pc, tracks, pc.localDescription.sdp


async def whip(client: TestClient[Any, Any], session: str, key: str) -> HttpPublisher:
    pc, video, offer = await publisher_offer()
    response = await client.post(
        f"/api/sessions/{session}/whip",
        data=offer,
        headers={**SDP, "Authorization": f"Bearer {key}"},
    )
    assert response.status == 201, await response.text()
    assert response.content_type == "application/sdp"
    await pc.setRemoteDescription(RTCSessionDescription(sdp=await response.text(), type="answer"))
    return HttpPublisher(pc, response.headers["Location"], video)


async def whep(client: TestClient[Any, Any], session: str) -> HttpViewer:
    pc, tracks, offer = await viewer_offer()
    response = await client.post(f"/api/sessions/{session}/whep", data=offer, headers=SDP)
    assert response.status == 201, await response.text()
    assert response.content_type == "application/sdp"
    await pc.setRemoteDescription(RTCSessionDescription(sdp=await response.text(), type="answer"))
    viewer = HttpViewer(pc, response.headers["Location"])
    viewer.tasks = [asyncio.create_task(viewer._consume(t)) for t in tracks]
    return viewer


def moving(counters: list[int]) -> bool:
    """Received frames show a moving picture: many distinct, mostly increasing counters."""
    if len(counters) < 20:
        return False
    steps = list(itertools.pairwise(counters))
    forward = sum(1 for a, b in steps if b > a)
    return len(set(counters)) >= 20 and forward >= 0.9 * len(steps)
