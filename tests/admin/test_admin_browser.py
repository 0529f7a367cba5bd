"""The admin page in Chromium on a 360 px phone: add a community, then a host of it."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.conftest import PASSWORD, World, login

pytestmark = pytest.mark.browser


async def test_admin_adds_a_community_and_a_user_on_a_phone(
    client: TestClient[Any, Any], world: World, phone: Any, base_url: str
) -> None:
    page = await phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    await page.goto(f"{base_url}/admin")
    await page.wait_for_url(f"{base_url}/login?next=/admin")
    await page.get_by_test_id("login-username").fill("admin")
    await page.get_by_test_id("login-password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await page.wait_for_url(f"{base_url}/admin")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360

    await page.get_by_test_id("admin-community-slug").fill("minle")
    await page.get_by_test_id("admin-community-name").fill("民乐社区")
    await page.get_by_test_id("admin-community-submit").click()
    await page.locator('[data-community="minle"]').wait_for()

    await page.get_by_test_id("admin-user-username").fill("host-minle")
    await page.get_by_test_id("admin-user-name").fill("民乐书记")
    await page.get_by_test_id("admin-user-password").fill(PASSWORD)
    await page.get_by_test_id("admin-user-role").select_option("host")
    await page.get_by_test_id("admin-user-community").select_option("minle")
    await page.get_by_test_id("admin-user-submit").click()
    await page.locator('[data-user="host-minle"]').wait_for()

    # a grid of the new community, then a compound in that grid
    async def add_place(kind: str, name: str, parent: str | None = None) -> None:
        community = page.locator('[data-community="minle"]')
        await community.locator("summary").click()
        form = community.locator("form.place-form")
        await form.locator("select[name=kind]").select_option(kind)
        await form.locator("input[name=name]").fill(name)
        if parent:
            await form.locator("select[name=parent]").select_option(label=parent)
        await form.locator("button[type=submit]").click()  # the page reloads once saved

    await add_place("grid", "第1网格")
    await page.locator('[data-community="minle"]', has_text="1 个网格").wait_for()
    await add_place("compound", "梧桐苑", parent="第1网格")
    await page.locator('[data-community="minle"]', has_text="1 个网格，1 个小区").wait_for()
    # the "inside" menu offers only what can hold the chosen kind: compounds for a building
    form = page.locator('[data-community="minle"] form.place-form')
    await page.locator('[data-community="minle"] summary').click()
    await form.locator("select[name=kind]").select_option("building")
    usable = "s => [...s.querySelectorAll('optgroup:not([disabled]) option')].map(o => o.textContent)"
    assert await form.locator("select[name=parent]").evaluate(usable) == ["梧桐苑"]
    await form.locator("select[name=kind]").select_option("compound")
    assert await form.locator("select[name=parent]").evaluate(usable) == ["第1网格"]

    # the word list, through the word-list API
    await page.get_by_test_id("admin-words-input").fill("广告， 代开发票")
    await page.locator("[data-testid=admin-words-form] button[type=submit]").click()
    await page.get_by_test_id("admin-words").get_by_text("代开发票").wait_for()

    # switch a category off, through the categories API
    garbage = page.locator("form.category-row", has=page.locator("code", has_text="garbage"))
    await garbage.locator("input[name=active]").uncheck()
    await garbage.locator("button[type=submit]").click()
    await page.locator("#categories li.disabled code", has_text="garbage").wait_for()

    # a mistake is explained next to the form, in place, in the page's language (not the API's English)
    await page.get_by_test_id("admin-community-slug").fill("minle")
    await page.get_by_test_id("admin-community-name").fill("again")
    await page.get_by_test_id("admin-community-submit").click()
    error = page.get_by_test_id("admin-community-form").locator(".form-error")
    await error.wait_for()
    assert "已经存在" in await error.inner_text()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    assert errors == []

    # what the page did is in the database
    admin_csrf = await login(client, "admin")
    assert admin_csrf
    trees = await (await client.get("/api/admin/communities")).json()
    minle = next(tree for tree in trees if tree["slug"] == "minle")
    assert [g["name"] for g in minle["grids"]] == ["第1网格"]
    assert [(c["name"], c["grid"]) for c in minle["compounds"]] == [("梧桐苑", minle["grids"][0]["id"])]
    words = [w["word"] for w in await (await client.get("/api/words")).json()]
    assert "广告" in words and "代开发票" in words
    categories = await (await client.get("/api/categories?all=1")).json()
    assert next(c for c in categories if c["key"] == "garbage")["active"] is False

    # the new host really exists and belongs to the new community
    await login(client, "host-minle")
    me = await (await client.get("/api/me")).json()
    assert (me["user"]["role"], me["user"]["community"], me["user"]["name"]) == ("host", "minle", "民乐书记")
