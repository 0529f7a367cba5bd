"""Glass-to-glass latency as a browser sees it: Chromium plays the stamped stream over WebRTC
(WHEP) and over HLS (hls.js, configured like the watch page) and reads each displayed frame's
counter from a canvas; latency = display time - capture time (same machine, same wall clock).

Usage: .venv/bin/python bench/media/browser_latency.py [--seconds 15]; merges its numbers into
bench/media/results.json under "browser"."""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import aiohttp
from aiortc import RTCPeerConnection

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

from run import exchange, free_port, pct, wait_port  # noqa: E402
from stamped import StampedCamera  # noqa: E402

from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


async def play(
    browser: object, url: str, mode: str, warmup: float, seconds: float, camera: StampedCamera
) -> list[float]:
    page = await browser.new_page()  # type: ignore[attr-defined]
    await page.goto(f"{url}/player.html?mode={mode}")
    await page.wait_for_timeout(warmup * 1000)
    await page.evaluate("window.samples = []")
    await page.wait_for_timeout(seconds * 1000)
    samples = await page.evaluate("window.samples")
    await page.close()
    latencies = []
    for shown_ms, counter in samples:
        sent = camera.sent_wall.get(counter)
        if sent is not None:
            latencies.append(shown_ms - sent * 1000)
    return latencies


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    from playwright.async_api import async_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    data = Path(tempfile.mkdtemp(prefix="bench-media-"))
    server = subprocess.Popen(  # noqa: ASYNC220 - the server under test
        [sys.executable, str(HERE / "server.py"), "--mode", "hub", "--port", str(port), "--data", str(data)]
    )
    publisher = RTCPeerConnection()
    results: dict[str, dict[str, float]] = {}
    try:
        await wait_port(port)
        camera = StampedCamera()
        publisher.addTransceiver(camera, direction="sendonly")
        async with aiohttp.ClientSession() as http:
            await exchange(http, url + "/whip", publisher)
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for mode, warmup in (("webrtc", 3.0), ("hls", 12.0)):
                latencies = await play(browser, url, mode, warmup, args.seconds, camera)
                results[mode] = {
                    "frames": len(latencies),
                    "p50_ms": pct(latencies, 0.5),
                    "p95_ms": pct(latencies, 0.95),
                }
                print(mode, results[mode], flush=True)
            await browser.close()
    finally:
        await publisher.close()
        server.terminate()
        server.wait()
    path = HERE / "results.json"
    summary = json.loads(path.read_text()) if path.exists() else {}
    summary["browser"] = results
    path.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
