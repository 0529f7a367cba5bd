"""Chromium publishes and watches through the hub (WHIP/WHEP-style HTTP in a tiny test app):
the H.264 the hub encodes once must decode in a browser."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from media.errors import BadOffer
from media.hub import MediaHub

from .synthetic import publish, segment_count, wait_until, watch

pytestmark = pytest.mark.browser

PAGE = "<!doctype html><title>media test</title><video muted autoplay playsinline></video>"

# Non-trickle WHIP/WHEP client: gather every candidate, POST the offer, apply the answer.
NEGOTIATE = """
async (pc, url) => {
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((done) => {
    if (pc.iceGatheringState === "complete") return done();
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState === "complete") done();
    });
  });
  const response = await fetch(url, {
    method: "POST", headers: {"Content-Type": "application/sdp"}, body: pc.localDescription.sdp,
  });
  if (response.status !== 201) throw new Error("HTTP " + response.status);
  await pc.setRemoteDescription({type: "answer", sdp: await response.text()});
}
"""

WATCH = (
    """
async (url) => {
  const negotiate = """
    + NEGOTIATE
    + """;
  const pc = new RTCPeerConnection();
  pc.addTransceiver("video", {direction: "recvonly"});
  pc.addTransceiver("audio", {direction: "recvonly"});
  const video = document.querySelector("video");
  pc.ontrack = (event) => { video.srcObject = event.streams[0] || new MediaStream([event.track]); };
  await negotiate(pc, url);
  const deadline = Date.now() + 15000;
  let inbound = null, codec = null;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    const stats = await pc.getStats();
    stats.forEach((s) => { if (s.type === "inbound-rtp" && s.kind === "video") inbound = s; });
    if (inbound && inbound.codecId) codec = stats.get(inbound.codecId);
    if (inbound && inbound.framesDecoded >= 45 && video.videoWidth > 0) break;
  }
  pc.close();
  return {
    framesDecoded: inbound ? inbound.framesDecoded : 0,
    keyFramesDecoded: inbound ? inbound.keyFramesDecoded : 0,
    codec: codec ? codec.mimeType + " " + (codec.sdpFmtpLine || "") : null,
    width: video.videoWidth,
    height: video.videoHeight,
  };
}
"""
)

PUBLISH = (
    """
async (url) => {
  const negotiate = """
    + NEGOTIATE
    + """;
  const media = await navigator.mediaDevices.getUserMedia({
    video: {width: 640, height: 360}, audio: true,
  });
  const pc = new RTCPeerConnection();
  for (const track of media.getTracks()) pc.addTransceiver(track, {direction: "sendonly"});
  window.publisher = pc;
  await negotiate(pc, url);
  return pc.getTransceivers().length;
}
"""
)


@pytest.fixture
async def served_hub(tmp_path: Path) -> AsyncIterator[tuple[MediaHub, str]]:
    hub = MediaHub(tmp_path, media_timeout_s=5.0)

    async def page(_request: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html")

    async def negotiate(request: web.Request) -> web.Response:
        session = int(request.match_info["session"])
        offer = await request.text()
        try:
            if request.match_info["kind"] == "whip":
                answer, _resource = await hub.publish(session, offer)
            else:
                answer, _resource = await hub.watch(session, offer)
        except BadOffer as exc:
            return web.Response(status=400, text=exc.detail)
        return web.Response(status=201, text=answer, content_type="application/sdp")

    app = web.Application()
    app.router.add_get("/", page)
    app.router.add_post("/{kind}/{session}", negotiate)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield hub, f"http://127.0.0.1:{port}"
    await hub.close()
    await runner.cleanup()


async def test_chromium_watches_the_shared_h264(browser: Any, served_hub: tuple[MediaHub, str]) -> None:
    hub, base = served_hub
    host = await publish(hub, 1)
    page = await browser.new_page()
    await page.goto(base + "/")
    result = await page.evaluate(WATCH, base + "/whep/1")
    await page.close()
    await host.pc.close()
    assert result["codec"] and result["codec"].startswith("video/H264"), result
    assert "packetization-mode=1" in result["codec"], result
    assert result["framesDecoded"] >= 45, result
    assert (result["width"], result["height"]) == (320, 240), result


async def test_chromium_publishes(browser: Any, served_hub: tuple[MediaHub, str]) -> None:
    hub, base = served_hub
    viewer = await watch(hub, 2)
    page = await browser.new_page()
    await page.goto(base + "/")
    assert await page.evaluate(PUBLISH, base + "/whip/2") == 2
    await wait_until(lambda: len(viewer.counters) >= 45, 20, "frames from the browser")
    assert viewer.audio_frames > 20
    assert hub.stats(2)["publishing"] is True
    await wait_until(lambda: segment_count(hub.hls_dir(2)) >= 1, 10, "an HLS segment")
    await page.evaluate("() => window.publisher.close()")
    await wait_until(lambda: hub.stats(2)["reconnecting"], 10, "the reconnecting state")
    await page.close()
    recording = await hub.end(2)
    assert recording is not None and recording.duration_s > 1.0
    await viewer.close()
