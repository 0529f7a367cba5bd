"""In Chromium: when WebRTC is blocked the watch page falls back to HLS by itself.

An aiortc peer publishes over WHIP; a resident on a phone opens the watch page while (a) every
WHEP request fails at the network, or (b) WHEP answers but ICE can never connect (the answer's
ICE password is wrong, as if UDP were blocked). Either way the video must end up playing over
HLS (hls.js), with the page saying so."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import World

from .peers import whip
from .test_browser import PLAYING, current_time
from .test_whip_whep import create_session

MODE = "() => document.querySelector('[data-role=player]').dataset.mode"


async def _watch_and_expect_hls(page: Any, url: str) -> None:
    hls_requests: list[str] = []
    page.on("request", lambda r: hls_requests.append(r.url) if "/hls/" in r.url else None)
    await page.goto(url)
    await page.wait_for_function(f"() => ({MODE})() === 'hls'", timeout=20_000)
    await page.wait_for_function(PLAYING, arg=[0.5], timeout=30_000)
    started = await current_time(page)
    await page.wait_for_function(PLAYING, arg=[started + 1.0], timeout=15_000)
    # it is hls.js playing (a MediaSource), not a WebRTC stream, and the page says which
    video = '[data-testid="video"]'
    assert await page.eval_on_selector(video, "v => v.srcObject === null && v.videoWidth > 0")
    assert await page.eval_on_selector(video, "v => v.currentSrc.startsWith('blob:')")
    assert await page.evaluate(MODE) == "hls"
    label = page.locator('[data-role="player-mode"]')
    assert await label.inner_text() == await label.get_attribute("data-mode-hls")
    assert any(u.endswith(".ts") for u in hls_requests), hls_requests


async def test_whep_blocked_the_page_plays_hls(
    client: TestClient[Any, Any], world: World, phone: Any, base_url: str, sqlite_only: None
) -> None:
    session, key, _ = await create_session(client)
    host = await whip(client, session, key)
    try:
        attempts: list[str] = []

        async def block(route: Any) -> None:
            attempts.append(route.request.method)
            await route.abort()

        resident = await phone.new_page()
        await resident.route("**/whep*", block)
        await _watch_and_expect_hls(resident, f"{base_url}/live/{session}")
        assert attempts == ["POST"]
    finally:
        await host.pc.close()


async def test_ice_never_connects_the_page_plays_hls(
    client: TestClient[Any, Any], world: World, phone: Any, base_url: str, sqlite_only: None
) -> None:
    session, key, _ = await create_session(client)
    host = await whip(client, session, key)
    try:
        answers: list[int] = []

        async def break_ice(route: Any) -> None:
            if route.request.method != "POST":
                await route.continue_()
                return
            response = await route.fetch()
            answers.append(response.status)
            sdp = re.sub(r"a=ice-pwd:\S+", "a=ice-pwd:" + "x" * 24, await response.text())
            await route.fulfill(response=response, body=sdp)

        resident = await phone.new_page()
        await resident.route("**/whep*", break_ice)
        await _watch_and_expect_hls(resident, f"{base_url}/live/{session}")
        assert answers == [201]  # WHEP answered; only the connection failed
    finally:
        await host.pc.close()
