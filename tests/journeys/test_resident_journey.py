"""A resident on a 360 px phone: picks their community on the home page (remembered), follows an
item of theirs; staff move the item on; the resident finds the step in their inbox through the
navigation, and the item page shows it."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from playwright.async_api import expect

from .conftest import api, nav, open_home, shows_nothing_raw

ITEM = "幸福里楼道灯维修"  # in progress in the demo
OUTCOME = "三盏楼道灯已换成声控LED灯，物业每月巡查一次。"


async def _move(client: TestClient[Any, Any], status: str) -> None:
    """The grid worker moves the item on (from their own desk, outside the resident's phone)."""
    headers = await api(client, "mod-hexie")
    items = await (await client.get("/api/agenda?community=hexie&limit=100")).json()
    item = next(i for i in items if i["title"] == ITEM)
    moved = await client.patch(
        f"/api/agenda/{item['id']}", json={"status": status, "outcome": OUTCOME}, headers=headers
    )
    assert moved.status == 200, await moved.text()


async def test_resident_follows_an_item_and_reads_its_next_step_in_the_inbox(
    client: TestClient[Any, Any], demo: None, phone: Any, base_url: str
) -> None:
    resident = await open_home(phone, base_url)
    await resident.get_by_test_id("community-choice").get_by_role("link", name="和谐社区").click()
    mine = resident.get_by_test_id("my-community")
    await expect(mine.locator("h2")).to_have_text("和谐社区")
    await mine.get_by_role("link", name="我们社区在办的事").click()
    await resident.locator(".board-card").get_by_role("link", name=ITEM).click()
    follow = resident.get_by_test_id("follow")
    await follow.click()
    await expect(follow).to_have_attribute("data-following", "true")
    await shows_nothing_raw(resident)

    await _move(client, "resolved")

    # The home page remembers the community; the inbox is one tap away in the navigation.
    await resident.locator("header .brand").click()
    await expect(resident.get_by_test_id("my-community").locator("h2")).to_have_text("和谐社区")
    await nav(resident).get_by_test_id("nav-inbox").click()
    entry = resident.get_by_test_id("inbox").locator("li", has_text=ITEM)
    await expect(entry).to_contain_text("已解决")
    await entry.get_by_role("link").click()
    await expect(resident.get_by_test_id("item-status")).to_have_attribute("data-state", "resolved")
    await expect(resident.get_by_test_id("item-outcome")).to_have_text(OUTCOME)
    await shows_nothing_raw(resident)
