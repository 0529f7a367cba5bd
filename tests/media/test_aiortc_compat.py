"""The aiortc internals the WebRTC relay relies on still exist."""

from __future__ import annotations

from aiortc import RTCPeerConnection
from aiortc.mediastreams import AudioStreamTrack

from media import aiortc_compat


def test_every_internal_the_relay_relies_on_is_there() -> None:
    aiortc_compat.check()  # raises CompatError naming what an upgrade removed


async def test_keyframe_requests_reach_the_shared_encoder() -> None:
    pc = RTCPeerConnection()
    try:
        sender = pc.addTransceiver(AudioStreamTrack(), direction="sendonly").sender
        asked: list[bool] = []
        aiortc_compat.route_keyframe_requests(sender, lambda: asked.append(True))
        sender._send_keyframe()
        assert asked == [True]
    finally:
        await pc.close()
