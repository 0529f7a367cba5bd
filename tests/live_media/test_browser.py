"""In Chromium with a fake camera: a host goes live from the console, a resident on a phone
watches over WebRTC, the host ends, and the recording plays back over HLS (hls.js)."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from playwright.async_api import expect

from tests.conftest import PASSWORD, World
from tests.waiting import eventually

from .test_whip_whep import create_session

PLAYING = """([min]) => {
  const v = document.querySelector('[data-testid="video"]');
  return v && v.videoWidth > 0 && v.currentTime > min && !v.paused;
}"""


DECODED = """() => document.querySelector('[data-testid="video"]')
  .getVideoPlaybackQuality().totalVideoFrames"""


async def current_time(page: Any) -> float:
    return float(await page.eval_on_selector('[data-testid="video"]', "v => v.currentTime"))


async def test_host_goes_live_resident_watches_then_replays(
    client: TestClient[Any, Any], world: World, browser: Any, phone: Any, base_url: str
) -> None:
    session, _, _ = await create_session(client)
    host_context = await browser.new_context()
    host = await host_context.new_page()
    await host.goto(f"{base_url}/login?next=/host/{session}")
    await host.fill('[data-testid="login-username"]', "host-a")
    await host.fill('[data-testid="login-password"]', PASSWORD)
    await host.click('[data-testid="login-submit"]')
    await host.wait_for_url(f"{base_url}/host/{session}")
    # the fake camera shows in the preview before going live
    await host.wait_for_function(
        "() => document.querySelector('[data-role=preview]').videoWidth > 0", timeout=15_000
    )
    await host.click('[data-testid="go-live"]')
    await host.wait_for_function(
        "() => document.querySelector('[data-testid=end-live]').disabled === false", timeout=15_000
    )

    resident = await phone.new_page()
    await resident.goto(f"{base_url}/live/{session}")
    await resident.wait_for_function(PLAYING, arg=[0.5], timeout=30_000)
    assert await resident.get_attribute('[data-role="player"]', "data-mode") == "webrtc"
    started = await current_time(resident)
    await resident.wait_for_function(PLAYING, arg=[started + 1.0], timeout=15_000)
    await host.wait_for_function(
        "() => document.querySelector('[data-testid=health-viewers]').textContent === '1'",
        timeout=15_000,
    )

    # let HLS cut a few segments, then end from the console
    async def hls_segments() -> bool:
        response = await client.get(f"/hls/{session}/index.m3u8")
        text = await response.text() if response.status == 200 else ""
        return sum(1 for line in text.splitlines() if line.endswith(".ts")) >= 2

    await eventually(hls_segments, 30, what="two HLS segments")
    asked: list[str] = []

    async def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        await (dialog.dismiss() if len(asked) == 1 else dialog.accept())

    host.on("dialog", answer)
    await host.click('[data-testid="end-live"]')  # asked first; "cancel" keeps it live
    await host.wait_for_function("() => document.querySelector('[data-testid=end-live]').disabled === false")
    still = await (await client.get(f"/api/sessions/{session}")).json()
    assert len(asked) == 1 and still["status"] == "live"
    await host.click('[data-testid="end-live"]')
    await host.wait_for_selector('[data-role="console-status"].status-ended', timeout=15_000)
    # the camera is let go, the chat box closes, the replay is one tap away
    await host.wait_for_function("() => document.querySelector('[data-role=preview]').srcObject === null")
    await host.locator('[data-role="chat-form"]').wait_for(state="hidden")
    await host.get_by_test_id("console-replay-link").wait_for()
    detail = await (await client.get(f"/api/sessions/{session}")).json()
    assert detail["status"] == "ended" and detail["recording"]["duration_s"] > 0

    # the open watch page notices the end by itself and plays the recording with hls.js
    await resident.wait_for_function(
        "() => document.querySelector('[data-role=player]').dataset.mode === 'hls'", timeout=15_000
    )
    await resident.wait_for_function(PLAYING, arg=[0.5], timeout=30_000)
    replay = await current_time(resident)
    await resident.wait_for_function(PLAYING, arg=[replay + 0.5], timeout=15_000)
    await host_context.close()


async def test_over_the_viewer_cap_the_page_plays_hls(
    client: TestClient[Any, Any], world: World, phone: Any, base_url: str, sqlite_only: None
) -> None:
    from live.keys import MEDIA_HUB

    from .peers import whip

    session, key, _ = await create_session(client)
    client.app[MEDIA_HUB].max_viewers = 0  # every WHEP offer is now answered 503
    host = await whip(client, session, key)
    try:
        resident = await phone.new_page()
        await resident.goto(f"{base_url}/live/{session}")
        await resident.wait_for_function(
            "() => document.querySelector('[data-role=player]').dataset.mode === 'hls'", timeout=15_000
        )
        await resident.wait_for_function(PLAYING, arg=[0.5], timeout=40_000)
        started = await current_time(resident)
        await resident.wait_for_function(PLAYING, arg=[started + 1.0], timeout=20_000)
    finally:
        await host.pc.close()


async def test_watch_page_waits_then_shows_reconnecting_and_resumes(
    client: TestClient[Any, Any], world: World, phone: Any, base_url: str, sqlite_only: None
) -> None:
    from .peers import whip

    session, key, _ = await create_session(client)
    resident = await phone.new_page()
    await resident.goto(f"{base_url}/live/{session}")
    state = "() => document.querySelector('[data-role=player]').dataset.state"
    await resident.wait_for_function(f"() => ({state})() === 'waiting'", timeout=15_000)
    await expect(resident.locator('[data-role="player-state"]')).to_contain_text("等待直播开始")

    host = await whip(client, session, key)  # OBS-style: publishing starts the session
    await resident.wait_for_function(PLAYING, arg=[0.5], timeout=30_000)
    assert await resident.get_attribute('[data-role="player"]', "data-mode") == "webrtc"

    dropped = await client.delete(host.location, headers={"Authorization": f"Bearer {key}"})
    assert dropped.status == 200
    await host.pc.close()
    await resident.wait_for_function(f"() => ({state})() === 'reconnecting'", timeout=15_000)
    await expect(resident.locator('[data-role="player-state"]')).to_contain_text("重新连接")

    again = await whip(client, session, key)
    try:
        await resident.wait_for_function(f"() => ({state})() !== 'reconnecting'", timeout=15_000)
        # new frames are decoded again (not just the clock of a frozen stream moving on)
        before = await resident.evaluate(DECODED)
        await resident.wait_for_function(f"() => ({DECODED})() > {before + 15}", timeout=20_000)
    finally:
        await again.pc.close()
