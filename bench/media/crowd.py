"""N WebRTC viewers that receive but do not decode (the load generator's own CPU stays small).

Usage: crowd.py URL N SECONDS; prints one JSON line: viewers connected, video frames
received per viewer per second over the last SECONDS."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import aiohttp
import aiortc.rtcrtpreceiver as receiver_module
from aiortc import RTCPeerConnection, RTCSessionDescription


class NullDecoder:
    """Counts encoded video frames instead of decoding them."""

    frames = 0

    def __init__(self, video: bool) -> None:
        self.video = video

    def decode(self, encoded_frame: Any) -> list[Any]:
        if self.video:
            NullDecoder.frames += 1
        return []


receiver_module.get_decoder = lambda codec: NullDecoder(codec.mimeType.startswith("video/"))  # type: ignore[assignment]


async def viewer(session: aiohttp.ClientSession, url: str) -> RTCPeerConnection:
    pc = RTCPeerConnection()
    pc.addTransceiver("video", direction="recvonly")
    pc.addTransceiver("audio", direction="recvonly")
    await pc.setLocalDescription(await pc.createOffer())
    async with session.post(
        url + "/whep", data=pc.localDescription.sdp, headers={"Content-Type": "application/sdp"}
    ) as response:
        assert response.status == 201, await response.text()
        answer = await response.text()
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    return pc


async def main(url: str, count: int, seconds: float) -> None:
    async with aiohttp.ClientSession() as session:
        pcs = [await viewer(session, url) for _ in range(count)]
        print(json.dumps({"ready": count}), flush=True)
        await asyncio.sleep(2)
        before_frames = NullDecoder.frames
        await asyncio.sleep(seconds)
        after_frames = NullDecoder.frames
        print(
            json.dumps(
                {
                    "viewers": count,
                    "connected": sum(pc.connectionState == "connected" for pc in pcs),
                    "fps_per_viewer": (after_frames - before_frames) / seconds / max(count, 1),
                }
            ),
            flush=True,
        )
        await asyncio.gather(*(pc.close() for pc in pcs))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3])))
