"""The replay page of a demo session in Chromium on a 360 px phone: no recording, but the chat
replay follows the scrubber and the opinion links, and the viewer chart is drawn."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from playwright.async_api import expect

pytestmark = pytest.mark.browser


async def test_replay_of_a_demo_session_on_a_phone(
    client: TestClient[Any, Any], demo: None, phone: Any, base_url: str
) -> None:
    session_id = (await (await client.get("/api/sessions?status=ended&community=hexie")).json())[0]["id"]
    page = await phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    await page.goto(f"{base_url}/archive/{session_id}")

    assert await page.get_by_test_id("no-recording").is_visible()
    assert await page.get_by_test_id("viewer-chart").is_visible()
    chat = page.get_by_test_id("chat-list").locator("li")
    offsets = [int(v) for v in await chat.evaluate_all("els => els.map(e => e.dataset.offsetMs)")]
    assert len(offsets) == 12
    # no recording: the whole chat is shown at first
    assert await page.locator(".chat-replay li:visible").count() == 12
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360

    # drag the scrubber to 5:00: only what was said by then is shown, the chart cursor follows
    await page.get_by_test_id("replay-scrubber").evaluate(
        "el => { el.value = '300'; el.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    expected = len([o for o in offsets if o <= 300_000])
    assert 0 < expected < 12
    # (read with expect(), which waits for the page to have re-rendered, never reads once)
    await expect(page.locator(".chat-replay li:visible")).to_have_count(expected)
    await expect(page.get_by_test_id("replay-clock")).to_have_text("5:00")
    await expect(page.get_by_test_id("chart-cursor")).to_have_attribute("visibility", "visible")
    await expect(page.get_by_test_id("chart-cursor")).to_have_attribute("x1", f"{300 / 2700 * 600:.1f}")

    # an opinion's link seeks to its moment without leaving the page
    link = page.get_by_test_id("replay-opinions").locator("a.seek").last
    seconds = int(await link.get_attribute("data-seek") or "0")
    await link.click()
    await page.wait_for_url(lambda url: f"t={seconds}" in url)
    await expect(page.locator(".chat-replay li:visible")).to_have_count(
        len([o for o in offsets if o <= seconds * 1000])
    )

    # ?t= on load starts there
    await page.goto(f"{base_url}/archive/{session_id}?t=0")
    assert await page.locator(".chat-replay li:visible").count() == 0
    assert await page.get_by_test_id("chat-waiting").is_visible()
    assert errors == []


async def test_recording_plays_with_chat_in_sync(
    client: TestClient[Any, Any], ended_session: str, settings: Any, browser: Any, base_url: str
) -> None:
    """A kept recording plays through hls.js; the chat follows the video, an opinion link seeks."""
    from datetime import timedelta

    from sqlalchemy import update

    from live.keys import SERVICES
    from live.storage.chat import Message
    from live.storage.opinions import Opinion
    from live.storage.rooms import LiveSession
    from tests.archive.conftest import write_hls_recording

    sid = int(ended_session)
    duration = write_hls_recording(settings.data_dir / "hls" / ended_session)
    services = client.app[SERVICES]
    async with services.db.transaction() as s:
        session = await s.get(LiveSession, sid)
        assert session is not None and session.started_at is not None
        await s.execute(
            update(LiveSession).where(LiveSession.id == sid).values(recording_duration_s=duration)
        )
        for offset in (1000, 5000, 9000, 11000):
            s.add(
                Message(
                    session_id=sid,
                    community_id=session.community_id,
                    author_key="g:test",
                    author_name="王阿姨",
                    author_role="guest",
                    text=f"第{offset // 1000}秒的留言",
                    created_at=session.started_at + timedelta(milliseconds=offset),
                    offset_ms=offset,
                )
            )
        s.add(
            Opinion(
                community_id=session.community_id,
                text="楼道灯坏了",
                session_id=sid,
                offset_ms=9000,
                author_key="g:test",
                created_at=session.started_at + timedelta(seconds=9),
            )
        )

    context = await browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = await context.new_page()
    await page.goto(f"{base_url}/archive/{ended_session}")
    video = page.get_by_test_id("video")
    await video.evaluate("v => { v.muted = true; return v.play(); }")
    await page.wait_for_function(
        "() => document.querySelector('[data-testid=video]').currentTime > 5.5", timeout=30_000
    )
    await video.evaluate("v => v.pause()")
    now = float(await video.evaluate("v => v.currentTime"))
    expected = len([o for o in (1000, 5000, 9000, 11000) if o <= now * 1000])
    assert expected >= 2
    await page.wait_for_function(
        "n => document.querySelectorAll('.chat-replay li:not([hidden])').length === n", arg=expected
    )
    assert await page.locator(".chat-replay li:visible").count() == expected

    await page.get_by_test_id("replay-opinions").locator("a.seek").click()
    await page.wait_for_function("() => document.querySelector('[data-testid=video]').currentTime >= 8.9")
    # the list follows the video's own time once the seek lands (``seeked``), not the click alone
    await expect(page.locator(".chat-replay li:visible")).to_have_count(3)
    assert "t=9" in page.url

    # ?t= seeks on load
    await page.goto(f"{base_url}/archive/{ended_session}?t=10")
    await page.wait_for_function(
        "() => document.querySelector('[data-testid=video]').currentTime >= 9.9", timeout=20_000
    )
    await context.close()
