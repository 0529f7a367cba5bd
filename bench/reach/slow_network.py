"""Weak-network benchmark: time to first video frame and to the first chat message on the watch
page, in Chromium under CDP network emulation (a slow 3G profile: 400 kbit/s down, 400 kbit/s
up, 400 ms round trip), over WebRTC and over HLS (WHEP blocked, so the page falls back).

Starts a real server (``python -m live serve``) on a free port with a fresh SQLite database,
publishes a synthetic camera over WHIP (aiortc), posts one chat message, then loads the page
``--runs`` times per mode with an empty cache.

Usage: .venv/bin/python bench/reach/slow_network.py [--runs 3] [--modes webrtc,hls,audio]"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import socketio
from aiortc import RTCPeerConnection, RTCSessionDescription

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.media.synthetic import CounterTrack, ToneTrack  # noqa: E402

PROFILE = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
PASSWORD = "bench-password-1"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_port(port: int, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        await asyncio.sleep(0.2)
    raise RuntimeError("server did not start")


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    subprocess.run(
        [sys.executable, "-m", "live", *args], env=env, input=stdin, text=True, check=True, cwd=ROOT
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--modes", default="webrtc,hls,audio")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="bench-slow-"))
    port = free_port()
    env = dict(os.environ, DATABASE_URL=f"sqlite+aiosqlite:///{data / 'live.db'}", LIVE_DATA_DIR=str(data))
    cli(env, "db", "upgrade")
    cli(env, "communities", "add", "hexie", "--name", "和谐社区")
    cli(
        env,
        "users",
        "add",
        "host-bench",
        "--role",
        "host",
        "--community",
        "hexie",
        "--password-stdin",
        stdin=PASSWORD,
    )
    server = subprocess.Popen(  # noqa: ASYNC220 - the server under test
        [sys.executable, "-m", "live", "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=ROOT
    )
    base = f"http://127.0.0.1:{port}"
    pc = RTCPeerConnection()
    results: dict[str, list[dict[str, float]]] = {}
    try:
        await wait_port(port)
        jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
        async with aiohttp.ClientSession(base_url=base, cookie_jar=jar) as http:
            csrf = (await (await http.get("/api/me")).json())["csrf"]
            login = await http.post(
                "/api/auth/login",
                json={"username": "host-bench", "password": PASSWORD},
                headers={"X-CSRF-Token": csrf},
            )
            csrf = (await login.json())["csrf"]
            created = await (
                await http.post(
                    "/api/sessions",
                    json={"community": "hexie", "title": "弱网测试"},
                    headers={"X-CSRF-Token": csrf},
                )
            ).json()
            assert "id" in created, created
            session, key = created["id"], created["stream_key"]
            pc.addTransceiver(CounterTrack(), direction="sendonly")
            pc.addTransceiver(ToneTrack(), direction="sendonly")
            await pc.setLocalDescription(await pc.createOffer())
            answer = await http.post(
                f"/api/sessions/{session}/whip",
                data=pc.localDescription.sdp,
                headers={"Content-Type": "application/sdp", "Authorization": f"Bearer {key}"},
            )
            assert answer.status == 201, await answer.text()
            await pc.setRemoteDescription(RTCSessionDescription(sdp=await answer.text(), type="answer"))
            # one chat message, so the page's join brings it in its history
            sio = socketio.AsyncClient()
            await sio.connect(base, auth={"name": "居民甲"}, transports=["websocket"])
            await sio.call("join", {"session": session})
            await sio.call("chat", {"session": session, "text": "大家好", "nonce": "bench-1"})
            await sio.disconnect()
            await asyncio.sleep(8)  # a few HLS segments (this is a benchmark, not a test)
        from playwright.async_api import async_playwright

        async with async_playwright() as p:
            browser = await p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required", "--disable-gpu"],
            )
            for mode in args.modes.split(","):
                for _ in range(args.runs):
                    results.setdefault(mode, []).append(await one_run(browser, base, session, mode))
                    print(mode, results[mode][-1], flush=True)
            await browser.close()
    finally:
        await pc.close()
        server.terminate()
        server.wait(timeout=20)
    summary = {
        mode: {
            "first_frame_s_median": round(statistics.median(r["first_frame_s"] for r in runs), 2),
            "first_chat_s_median": round(statistics.median(r["first_chat_s"] for r in runs), 2),
            "runs": runs,
        }
        for mode, runs in results.items()
    }
    summary["profile"] = PROFILE  # type: ignore[assignment]
    summary["load"] = os.getloadavg()  # type: ignore[assignment]
    (Path(__file__).with_name("results.json")).write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    print(
        json.dumps(
            {
                m: {k: v for k, v in s.items() if k != "runs"}
                for m, s in summary.items()
                if isinstance(s, dict)
            }
        )
    )


async def one_run(browser: object, base: str, session: str, mode: str) -> dict[str, float]:
    context = await browser.new_context(viewport={"width": 360, "height": 740})  # type: ignore[attr-defined]
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    await cdp.send("Network.emulateNetworkConditions", PROFILE)
    if mode in ("hls", "audio"):
        await page.route("**/whep*", lambda route: route.abort())
    started = time.monotonic()
    await page.goto(f"{base}/live/{session}", wait_until="commit")
    if mode == "audio":
        button = page.get_by_test_id("audio-only")
        await button.wait_for(state="visible", timeout=120_000)
        await button.click()
    chat_at: list[float] = []
    chat = asyncio.ensure_future(page.wait_for_selector("[data-message-id]", timeout=180_000))
    chat.add_done_callback(lambda _f: chat_at.append(time.monotonic()))
    if mode == "audio":
        await page.wait_for_function(
            "() => { const v = document.querySelector('[data-testid=video]'); return v.currentTime > 0.2; }",
            timeout=180_000,
        )
    else:
        await page.wait_for_function(
            "() => { const v = document.querySelector('[data-testid=video]');"
            " return v.videoWidth > 0 && v.currentTime > 0; }",
            timeout=180_000,
        )
    first_frame = time.monotonic() - started
    await chat
    first_chat = chat_at[0] - started
    await context.close()
    return {"first_frame_s": round(first_frame, 2), "first_chat_s": round(first_chat, 2)}


if __name__ == "__main__":
    asyncio.run(main())
