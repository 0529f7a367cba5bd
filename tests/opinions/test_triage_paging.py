"""Triage is paged and searchable: the newest page first, "show more" for the next, a search
over the opinions' words and places (server-side, ``GET /api/opinions?q=``)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from playwright.async_api import expect

from live.keys import SERVICES
from live.services.actors import Actor
from tests.conftest import PASSWORD, World, login


async def _opinions(client: TestClient[Any, Any], n: int) -> None:
    opinions = client.app[SERVICES].opinions
    for i in range(n):
        text = f"{'三号楼电梯' if i % 10 == 0 else '小区停车'}问题第{i}条"
        place = "幸福里7栋" if i == 7 else None
        resident = Actor(key=f"g:resident{i}", name="居民")
        await opinions.submit(resident, community_slug="hexie", text=text, location=place)


async def test_the_opinion_list_searches_words_and_places(client: TestClient[Any, Any], world: World) -> None:
    await _opinions(client, 12)
    await login(client, "mod-a")
    found = await (await client.get("/api/opinions?community=hexie&q=电梯")).json()
    assert [o["text"] for o in found] == ["三号楼电梯问题第10条", "三号楼电梯问题第0条"]
    placed = await (await client.get("/api/opinions?community=hexie&q=幸福里")).json()
    assert [o["text"] for o in placed] == ["小区停车问题第7条"]
    assert await (await client.get("/api/opinions?community=hexie&q=%25")).json() == []


@pytest.mark.browser
async def test_a_moderator_pages_and_searches_triage(
    client: TestClient[Any, Any], world: World, browser: Any, base_url: str
) -> None:
    await _opinions(client, 35)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto(f"{base_url}/login?next=/triage")
    await page.get_by_test_id("login-username").fill("mod-a")
    await page.get_by_test_id("login-password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await page.wait_for_url(f"{base_url}/triage")
    cards = page.get_by_test_id("triage-list").locator("li[data-opinion-id]")
    await expect(cards).to_have_count(30)
    await page.get_by_test_id("triage-more").click()
    await expect(cards).to_have_count(35)
    await expect(page.get_by_test_id("triage-more")).to_be_hidden()
    await page.get_by_test_id("triage-search").fill("电梯")
    await expect(cards).to_have_count(4)
    await expect(page.get_by_test_id("triage-more")).to_be_hidden()
    await expect(cards.first).to_contain_text("三号楼电梯问题第30条")
