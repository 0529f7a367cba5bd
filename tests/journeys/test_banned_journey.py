"""A resident banned by the grid worker raises an opinion on their phone and is told, in the
page's language (Chinese, then English after the language switch), that they can't and whom to
talk to: in the error's colour, never the raw API text."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from playwright.async_api import expect

from .conftest import join_chat, nav, open_home, say, shows_nothing_raw, sign_in
from .test_moderator_journey import _go_live

ZH = "您在本社区暂时不能提意见，如有疑问请联系社区居委会。"
EN = "You can no longer raise opinions in this community. Please talk to your community committee."


async def _raise(page: Any, words: str) -> Any:
    await page.get_by_test_id("opinion-input").fill(words)
    await page.get_by_test_id("opinion-submit").click()
    return page.locator('[data-role="opinion-status"]')


async def test_a_banned_resident_is_told_in_their_language(
    client: TestClient[Any, Any], demo: None, desktop: Any, phone: Any, base_url: str
) -> None:
    await _go_live(client)
    resident = await open_home(phone, base_url)
    await resident.locator(".live-now").get_by_role("link", name="和谐社区周四直播间").click()
    await join_chat(resident, "捣乱的人")
    await say(resident, "这个社区的人都是骗子")

    moderator = await open_home(desktop, base_url)
    await sign_in(moderator, "mod-hexie")
    await nav(moderator).get_by_test_id("nav-moderate").click()
    moderator.on("dialog", lambda dialog: dialog.accept("辱骂居民"))
    line = moderator.get_by_test_id("chat-list").locator("li", has_text="都是骗子")
    await line.locator('button[data-action="ban"]').click()
    await expect(moderator.get_by_test_id("audit-log").locator("tr", has_text="辱骂居民")).to_be_visible()

    # The chat says so and takes the input away; the opinion form answers in the same words.
    await expect(resident.locator('[data-role="chat-note"]')).to_have_text(
        "你已被禁止在本社区聊天。如有疑问，请联系社区居委会。"
    )
    await expect(resident.get_by_test_id("chat-input")).to_be_disabled()
    status = await _raise(resident, "我要投诉")
    await expect(status).to_have_text(ZH)
    await expect(status).to_have_attribute("data-kind", "error")
    await shows_nothing_raw(resident)

    await nav(resident).get_by_test_id("lang-switch").click()
    await expect(resident.locator("html")).to_have_attribute("lang", "en")
    status = await _raise(resident, "I want to complain")
    await expect(status).to_have_text(EN)
    await expect(status).to_have_attribute("data-kind", "error")
    await expect(resident.locator('[data-role="chat-note"]')).to_have_text(
        "You can no longer chat in this community. Please talk to your community committee."
    )
    await shows_nothing_raw(resident)
