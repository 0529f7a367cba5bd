"""The admin's users list: a paged, searchable list, one line per user with its menus folded."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from playwright.async_api import expect

from live.keys import SERVICES
from tests.conftest import PASSWORD, World, login


async def _many_residents(client: TestClient[Any, Any], n: int) -> None:
    accounts = client.app[SERVICES].accounts
    for i in range(n):
        await accounts.create_user(f"resident-{i:02d}", PASSWORD, "resident", "hexie", f"居民{i:02d}号")


def _users(html: str) -> list[str]:
    return re.findall(r'<li data-user="([^"]+)"', html)


async def test_users_are_paged_and_searchable(client: TestClient[Any, Any], world: World) -> None:
    await _many_residents(client, 30)
    await login(client, "admin")
    first = await (await client.get("/admin")).text()
    shown = _users(first)
    assert len(shown) == 25 and "host-a" in shown
    assert "<details open" not in first  # every row's menus folded
    more = re.search(r'data-testid="admin-users-more" href="([^"]+)"', first)
    assert more
    second = await (await client.get(more.group(1).replace("&amp;", "&"))).text()
    rest = _users(second)
    assert rest and not set(rest) & set(shown)
    assert 'data-testid="admin-users-all"' in second

    found = await (await client.get("/admin?users_q=居民0")).text()
    assert _users(found) == [f"resident-{i:02d}" for i in range(10)]  # by display name
    assert 'value="居民0"' in found
    by_role = await (await client.get("/admin?users_role=moderator")).text()
    assert _users(by_role) == ["mod-a"]
    both = await (await client.get("/admin?users_q=RESIDENT-2&users_role=resident")).text()
    assert _users(both) == [f"resident-{i}" for i in range(20, 30)]  # any case
    nobody = await (await client.get("/admin?users_q=%25")).text()  # a LIKE wildcard is a letter
    assert _users(nobody) == [] and 'data-testid="admin-users-none"' in nobody
    # a search's next page keeps the search
    many = await (await client.get("/admin?users_q=resident")).text()
    link = re.search(r'data-testid="admin-users-more" href="([^"]+)"', many)
    assert link and "users_q=resident" in link.group(1)


@pytest.mark.browser
async def test_an_admin_finds_a_user_and_changes_their_role(
    client: TestClient[Any, Any], world: World, browser: Any, base_url: str
) -> None:
    await _many_residents(client, 30)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto(f"{base_url}/login?next=/admin")
    await page.get_by_test_id("login-username").fill("admin")
    await page.get_by_test_id("login-password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await page.wait_for_url(f"{base_url}/admin")
    await page.get_by_test_id("admin-users-q").fill("居民17")
    await page.get_by_test_id("admin-users-find").click()
    row = page.locator('[data-user="resident-17"]')
    await row.wait_for()
    assert await page.locator("[data-user]").count() == 1
    form = row.locator("form.user-row")
    assert not await form.is_visible()  # folded until asked for
    await row.get_by_test_id("admin-user-summary").click()
    await form.locator("select[name=role]").select_option("moderator")
    await form.locator("button[type=submit]").click()
    await page.locator('[data-user="resident-17"] summary', has_text="网格员").wait_for()


@pytest.mark.browser
async def test_a_refusal_reads_in_the_page_language_not_the_api_text(
    client: TestClient[Any, Any], world: World, browser: Any, base_url: str
) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto(f"{base_url}/login?next=/admin")
    await page.get_by_test_id("login-username").fill("admin")
    await page.get_by_test_id("login-password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await page.wait_for_url(f"{base_url}/admin")
    me = page.locator('[data-user="admin"]')
    await me.get_by_test_id("admin-user-summary").click()
    await me.locator("select[name=role]").select_option("resident")
    await me.locator("button[type=submit]").click()
    error = me.locator(".form-error")
    await expect(error).to_have_text("不能停用自己或降低自己的角色。")  # not the API's English


async def test_every_page_carries_the_error_sentences_in_its_language(
    client: TestClient[Any, Any], world: World
) -> None:
    import html as html_lib
    import json

    for lang, forbidden in (("", "你没有权限进行此操作。"), ("en", "You are not allowed to do this.")):
        page = await (await client.get(f"/?lang={lang}" if lang else "/")).text()
        found = re.search(r'<body[^>]* data-errors="([^"]*)"', page)
        assert found
        texts = json.loads(html_lib.unescape(found.group(1)))
        assert texts["forbidden"] == forbidden and texts["failed"]
