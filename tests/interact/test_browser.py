"""Chromium: a poll opened by the host appears on a phone's watch page and counts its vote; a
question is asked there; the presenter view shows the question being answered; staff check a
registration in at the door by its typed code (the camera path needs BarcodeDetector)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from playwright.async_api import expect

from live.clock import FakeClock
from tests.conftest import PASSWORD
from tests.interact.conftest import People
from tests.realtime.conftest import Room, room  # noqa: F401
from tests.realtime.test_chat_browser import open_watch_page


async def sign_in(context: Any, base_url: str, username: str, next_path: str) -> Any:
    page = await context.new_page()
    await page.goto(f"{base_url}/login?next={next_path}")
    await page.get_by_test_id("login-username").fill(username)
    await page.get_by_test_id("login-password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await page.wait_for_url(f"{base_url}{next_path}")
    return page


async def test_poll_question_and_presenter_in_chromium(
    client: TestClient[Any, Any],
    browser: Any,
    phone: Any,
    base_url: str,
    room: Room,  # noqa: F811
    people: People,
) -> None:
    watch = await open_watch_page(phone, base_url, room, "王阿姨")
    host_context = await browser.new_context()
    try:
        host = await sign_in(host_context, base_url, "host-a", f"/host/{room.id}")
        await host.route("**/whip*", lambda route: route.abort())
        await host.get_by_test_id("poll-form").locator("xpath=..").locator("summary").click()
        await host.get_by_test_id("poll-question").fill("周末停车怎么安排？")
        await host.get_by_test_id("poll-options").fill("划线车位\n错峰停车")
        await host.get_by_test_id("poll-open").click()

        card = watch.get_by_test_id("poll")
        await expect(card).to_contain_text("周末停车怎么安排？")
        await card.get_by_test_id("poll-option").first.check()
        await card.get_by_test_id("poll-vote").click()
        await expect(card.get_by_test_id("poll-voters")).to_have_text("1")
        await expect(host.get_by_test_id("poll").get_by_test_id("poll-voters")).to_have_text("1")

        await watch.get_by_test_id("question-input").fill("充电桩装在哪里？")
        await watch.get_by_test_id("question-submit").click()
        row = host.get_by_test_id("question-list").locator("li", has_text="充电桩装在哪里？")
        await row.get_by_test_id("question-answering").click()
        await expect(watch.get_by_test_id("question-list")).to_contain_text("充电桩装在哪里？")

        presenter = await host_context.new_page()
        await presenter.goto(f"{base_url}/host/{room.id}/presenter")
        await expect(presenter.get_by_test_id("presenter-question")).to_have_text("充电桩装在哪里？")
        await row.get_by_test_id("question-answered").click()
        await expect(presenter.get_by_test_id("presenter-empty")).to_be_visible()
        assert await watch.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        await host_context.close()


async def test_check_in_by_typed_code_in_chromium(
    browser: Any, phone: Any, base_url: str, people: People, clock: FakeClock
) -> None:
    mod = await people("mod-a")
    status, made = await mod.call(
        "POST",
        "/api/meetings",
        {
            "community": "hexie",
            "format": "stairwell",
            "title": "楼道口会议",
            "starts_at": (clock.now() + timedelta(days=1)).isoformat(),
            "place": "3号楼楼道口",
            "agenda": [],
        },
    )
    assert status == 201
    resident = await people()
    status, reg = await resident.call("POST", f"/api/meetings/{made['id']}/registrations", {"name": "王阿姨"})
    assert status == 201
    page = await sign_in(phone, base_url, "mod-a", f"/meetings/{made['id']}/checkin")
    await expect(page.get_by_test_id("checkin-list")).to_contain_text("王阿姨")
    await page.get_by_test_id("checkin-code").fill(reg["code"].lower())
    await page.get_by_test_id("checkin-submit").click()
    await expect(page.get_by_test_id("checkin-result")).to_have_text("已签到：王阿姨")
    await expect(page.get_by_test_id("checkin-counts")).to_have_text("1 / 1")
    await page.get_by_test_id("checkin-code").fill(reg["code"])
    await page.get_by_test_id("checkin-submit").click()
    await expect(page.get_by_test_id("checkin-result")).to_have_text("已签到过了")
    await page.get_by_test_id("checkin-code").fill("ZZZZ2222")
    await page.get_by_test_id("checkin-submit").click()
    await expect(page.get_by_test_id("checkin-result")).to_have_text("没有这个签到码的报名")
