"""A community secretary on a laptop: from the home page, goes live, pins a resident's message,
shows a resolved item's outcome to the room ("you said, we did"), ends (confirmed), and is
offered the replay. A resident on a phone watches and sees the pin and the outcome."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from playwright.async_api import expect

from .conftest import join_chat, nav, open_home, say, shows_nothing_raw, sign_in

PREVIEW = "document.querySelector('[data-role=preview]')"
CAMERA_READY = f"() => {PREVIEW}.videoWidth > 0"
CAMERA_OFF = f"() => {PREVIEW}.srcObject === null"
RESOLVED = "电动车集中充电棚建设"  # the demo's resolved item of 和谐社区
OUTCOME = "已在2号、5号楼之间建成集中充电棚"


async def test_host_goes_live_pins_shows_an_outcome_and_ends(
    client: TestClient[Any, Any], demo: None, desktop: Any, phone: Any, base_url: str
) -> None:
    host = await open_home(desktop, base_url)
    await sign_in(host, "host-hexie")
    await nav(host).get_by_role("link", name="主播台").click()
    upcoming = host.locator(".host-sessions li", has_text="和谐社区周四直播间").filter(has_text="即将开播")
    await upcoming.get_by_role("link", name="打开直播台").click()
    await host.wait_for_function(CAMERA_READY)
    await host.get_by_test_id("go-live").click()
    await expect(host.get_by_test_id("end-live")).to_be_enabled()
    await expect(host.locator('[data-role="console-message"]')).to_have_text("正在直播。")

    # A resident finds the broadcast on the home page and says something.
    resident = await open_home(phone, base_url)
    await resident.locator(".live-now").get_by_role("link", name="和谐社区周四直播间").click()
    await join_chat(resident, "王阿姨")
    await say(resident, "充电棚用上了，谢谢书记")

    # The host pins it from the console; the console and the watch page both show it pinned.
    line = host.get_by_test_id("chat-list").locator("li", has_text="充电棚用上了")
    await line.get_by_test_id("chat-pin").click()
    await expect(host.get_by_test_id("host-status")).to_have_text("已置顶，所有观众都能看到。")
    await expect(host.get_by_test_id("host-pinned")).to_contain_text("王阿姨: 充电棚用上了，谢谢书记")
    await expect(host.get_by_test_id("chat-pinned")).to_contain_text("充电棚用上了")
    await expect(resident.get_by_test_id("chat-pinned")).to_contain_text("充电棚用上了")

    # "You said, we did": only resolved items are offered; showing one answers on both pages.
    offered = await host.get_by_test_id("host-showcase-item").locator("option").all_text_contents()
    assert RESOLVED in offered and "幸福里楼道灯维修" not in offered  # that one is still in progress
    await host.get_by_test_id("host-showcase-item").select_option(label=RESOLVED)
    await host.get_by_test_id("host-showcase-send").click()
    await expect(host.get_by_test_id("host-status")).to_have_text("已在观看页展示")
    await expect(host.get_by_test_id("showcase")).to_contain_text(OUTCOME)
    await expect(resident.get_by_test_id("showcase")).to_contain_text(RESOLVED)
    await expect(resident.get_by_test_id("showcase")).to_contain_text(OUTCOME)
    for page in (host, resident):
        await shows_nothing_raw(page)

    # Ending asks first; then the camera is let go, the chat closes and the replay is offered.
    asked: list[str] = []

    async def confirm(dialog: Any) -> None:
        asked.append(dialog.message)
        await dialog.accept()

    host.on("dialog", confirm)
    await host.get_by_test_id("end-live").click()
    await expect(host.get_by_test_id("console-replay-link")).to_be_visible()
    assert asked and "结束" in asked[0]
    await host.wait_for_function(CAMERA_OFF)
    await expect(host.locator('[data-role="chat-form"]')).to_be_hidden()
    await host.get_by_test_id("console-replay-link").click()
    await expect(host.locator("h1")).to_contain_text("和谐社区周四直播间")
    assert "/archive/" in host.url
    await shows_nothing_raw(host)
