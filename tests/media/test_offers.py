"""Unusable offers are refused with BadOffer; the WebRTC viewer cap holds."""

from __future__ import annotations

import pytest
from aiortc import RTCPeerConnection
from aiortc.rtp import RTCP_PSFB_PLI, RtcpPsfbPacket

from media.errors import BadOffer, NotFound, ViewerCapReached
from media.hub import MediaHub

from .synthetic import ToneTrack, new_peer, publish, watch

GARBAGE = [
    "",
    "   ",
    "hello",
    "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n",  # no media at all
    "v=0\r\nm=video\r\n",  # truncated m-line
    "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 H264/90000\r\n",  # no ICE, no DTLS
    "\x00\xff" * 100,
    "v=0\r\n" + "a=x\r\n" * 20000,  # too large
]


async def _offer(pc: RTCPeerConnection) -> str:
    await pc.setLocalDescription(await pc.createOffer())
    description = pc.localDescription
    assert description is not None
    return str(description.sdp)


@pytest.mark.parametrize("text", GARBAGE)
async def test_garbage_offer_is_bad_offer(hub: MediaHub, text: str) -> None:
    with pytest.raises(BadOffer) as publish_error:
        await hub.publish(1, text)
    assert publish_error.value.code == "bad_offer"
    with pytest.raises(BadOffer):
        await hub.watch(1, text)
    assert hub.stats(1)["publishing"] is False
    assert hub.viewer_count() == 0


async def test_offer_with_only_a_data_channel_is_bad_offer(hub: MediaHub) -> None:
    pc = new_peer()
    pc.createDataChannel("chat")
    offer = await _offer(pc)
    await pc.close()
    with pytest.raises(BadOffer):
        await hub.publish(1, offer)
    with pytest.raises(BadOffer):
        await hub.watch(1, offer)


async def test_viewer_offer_sent_to_publish_is_bad_offer(hub: MediaHub) -> None:
    pc = new_peer()
    pc.addTransceiver("video", direction="recvonly")
    offer = await _offer(pc)
    await pc.close()
    with pytest.raises(BadOffer):
        await hub.publish(1, offer)


async def test_publisher_offer_sent_to_watch_is_bad_offer(hub: MediaHub) -> None:
    pc = new_peer()
    pc.addTransceiver(ToneTrack(), direction="sendonly")
    offer = await _offer(pc)
    await pc.close()
    with pytest.raises(BadOffer):
        await hub.watch(1, offer)


async def test_viewer_without_h264_is_bad_offer(hub: MediaHub) -> None:
    with pytest.raises(BadOffer):
        await watch(hub, 1, video_codec="video/VP8")
    assert hub.viewer_count() == 0


async def test_viewer_answer_offers_only_h264_video(hub: MediaHub) -> None:
    viewer = await watch(hub, 1)
    video = viewer.answer.split("m=video", 1)[1].split("m=audio", 1)[0]
    assert "H264/90000" in video
    assert "packetization-mode=1" in video
    assert "VP8" not in video
    rtpmaps = [line for line in video.splitlines() if line.startswith("a=rtpmap:")]
    assert "H264" in rtpmaps[0] and "42e01f" in video
    audio = viewer.answer.split("m=audio", 1)[1]
    assert "opus/48000" in audio and "PCMU" not in audio
    await viewer.close()


async def test_viewer_cap(hub: MediaHub) -> None:
    hub.max_viewers = 2
    first = await watch(hub, 1)
    second = await watch(hub, 2)  # the cap counts viewers of every session
    with pytest.raises(ViewerCapReached) as error:
        await watch(hub, 1)
    assert error.value.code == "viewer_cap_reached"
    assert hub.viewer_count() == 2
    await hub.stop_watching(1, first.resource_id)
    assert hub.viewer_count() == 1
    third = await watch(hub, 1)
    assert hub.stats(1)["viewers"] == 1
    for viewer in (first, second, third):
        await viewer.close()


async def test_unknown_resources_are_not_found(hub: MediaHub) -> None:
    with pytest.raises(NotFound):
        await hub.stop_watching(1, "nope")
    with pytest.raises(NotFound):
        await hub.stop_publishing(1, "nope")
    viewer = await watch(hub, 1)
    with pytest.raises(NotFound):
        await hub.stop_watching(1, "nope")
    await hub.stop_watching(1, viewer.resource_id)
    with pytest.raises(NotFound):  # only once
        await hub.stop_watching(1, viewer.resource_id)
    await viewer.close()


async def test_ended_session_refuses_peers(hub: MediaHub) -> None:
    assert await hub.end(5) is None  # nothing was ever published
    with pytest.raises(NotFound):
        await watch(hub, 5)
    with pytest.raises(NotFound):
        await publish(hub, 5)
    assert hub.stats(5)["publishing"] is False


async def test_viewer_pli_asks_the_shared_encoder_for_a_keyframe(hub: MediaHub) -> None:
    viewer = await watch(hub, 1)
    broadcast = hub._broadcasts[1]
    peer = broadcast.viewers[viewer.resource_id].pc
    sender = next(t.sender for t in peer.getTransceivers() if t.kind == "video")
    broadcast.encoder._keyframe_wanted = False
    pli = RtcpPsfbPacket(fmt=RTCP_PSFB_PLI, ssrc=1234, media_ssrc=sender._ssrc)
    await sender._handle_rtcp_packet(pli)  # what aiortc does when a PLI arrives
    assert broadcast.encoder._keyframe_wanted
    await viewer.close()
