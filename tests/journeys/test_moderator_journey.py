"""A grid worker on a desktop: from the home page, finds the live moderation console and triage
through the navigation, bans a resident with a reason, merges two opinions (confirmed), and moves
an agenda item to an allowed next state, seeing the success note."""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient
from playwright.async_api import expect

from .conftest import api, join_chat, nav, open_home, say, shows_nothing_raw, sign_in

FIRST = "小区南门电动车乱停，把消防通道都堵住了"
SECOND = "南门的电动车乱停乱放，消防通道被堵住了"
ITEM = "纺织厂宿舍3号楼加装电梯"  # deliberating in the demo


async def _go_live(client: TestClient[Any, Any]) -> str:
    headers = await api(client, "host-hexie")
    upcoming = await (await client.get("/api/sessions?status=scheduled&community=hexie")).json()
    session = str(upcoming[0]["id"])
    started = await client.post(f"/api/sessions/{session}/start", headers=headers)
    assert started.status == 200, await started.text()
    await client.post("/api/auth/logout", headers=headers)
    return session


async def _raise(base_url: str, text: str) -> None:
    """A resident raises an opinion from their own phone (a separate cookie jar)."""
    async with aiohttp.ClientSession(base_url=base_url, cookie_jar=aiohttp.CookieJar(unsafe=True)) as person:
        csrf = (await (await person.get("/api/me")).json())["csrf"]
        raised = await person.post(
            "/api/opinions",
            json={"community": "hexie", "text": text, "category": "parking"},
            headers={"X-CSRF-Token": csrf},
        )
        assert raised.status == 201, await raised.text()


async def test_moderator_finds_console_and_triage_bans_merges_and_moves_an_item(
    client: TestClient[Any, Any], demo: None, desktop: Any, phone: Any, base_url: str
) -> None:
    await _go_live(client)
    await _raise(base_url, FIRST)
    await _raise(base_url, SECOND)

    # A resident on a phone writes something that gets them banned.
    resident = await open_home(phone, base_url)
    await resident.locator(".live-now").get_by_role("link", name="和谐社区周四直播间").click()
    await join_chat(resident, "卖房小张")
    await say(resident, "低价卖房，加我微信")

    moderator = await open_home(desktop, base_url)
    await sign_in(moderator, "mod-hexie")
    await nav(moderator).get_by_test_id("nav-moderate").click()
    await expect(moderator.locator("h1")).to_contain_text("和谐社区周四直播间")

    # Ban, asked first, with a reason that lands in the audit log next to the person's name.
    asked: list[str] = []

    async def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        await dialog.accept("发广告" if dialog.type == "prompt" else None)

    moderator.on("dialog", answer)
    line = moderator.get_by_test_id("chat-list").locator("li", has_text="低价卖房")
    await line.locator('button[data-action="ban"]').click()
    await expect(moderator.locator('[data-role="status"]').first).to_have_text("已完成。")
    assert asked and "卖房小张" in asked[0]
    entry = moderator.get_by_test_id("audit-log").locator("tr", has_text="发广告")
    await expect(entry).to_contain_text("卖房小张")
    await shows_nothing_raw(moderator)  # the audit log names people, not their keys

    # Triage from the navigation, with its count of new opinions; merge one card into the other.
    await expect(nav(moderator).get_by_test_id("nav-triage").locator(".count")).to_have_text("3")
    await nav(moderator).get_by_test_id("nav-triage").click()
    card = moderator.get_by_test_id("triage-item").filter(has_text=SECOND)
    await card.get_by_test_id("triage-find-similar").click()
    asked.clear()
    similar = card.get_by_test_id("triage-similar").locator("li", has_text=FIRST)
    await similar.get_by_test_id("triage-merge").click()
    await expect(moderator.get_by_test_id("triage-message")).to_contain_text(f"已合并。「{FIRST}」")
    assert asked and SECOND in asked[0] and FIRST in asked[0]
    await shows_nothing_raw(moderator)
    await expect(moderator.get_by_test_id("triage-item").filter(has_text=SECOND)).to_have_count(0)

    # The agenda: the item's form offers only the steps allowed from here; saving says so.
    await nav(moderator).get_by_role("link", name="议题").click()
    await moderator.locator(".board-card").get_by_role("link", name=ITEM).click()
    await expect(moderator.get_by_test_id("item-status")).to_have_attribute("data-state", "deliberating")
    offered = (
        await moderator.get_by_test_id("item-next-status")
        .locator("option")
        .evaluate_all("(options) => options.map((o) => o.value)")
    )
    assert offered[0] == "" and "proposed" not in offered and "resolved" not in offered
    assert "decided" in offered
    await moderator.get_by_test_id("item-next-status").select_option("decided")
    await moderator.get_by_test_id("item-save").click()
    await expect(moderator.get_by_test_id("item-save-status")).to_have_text("已保存")
    await expect(moderator.get_by_test_id("item-status")).to_have_attribute("data-state", "decided")
    await shows_nothing_raw(moderator)
