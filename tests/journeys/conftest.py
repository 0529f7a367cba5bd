"""Browser journeys (issue 15): each person, in Chromium, from the home page to the finished task,
clicking only what the pages show (typing only into form fields, never a URL but the home page).

They run on the demo subdistrict (``python -m live demo``), once, on SQLite: the journeys are
about pages and clicks; the rules under them are tested on both databases elsewhere."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from playwright.async_api import expect

from live.keys import SERVICES

DEMO_PASSWORD = "roundtable"
DESKTOP = {"width": 1280, "height": 900}
#: every wait of a journey's page actions: long enough for a loaded 2-core machine, short enough
#: to fail (expect() waits are the browser fixture's, tests/conftest.py)
WAIT_MS = 30_000


@pytest.fixture
def sqlite_only(db_backend: str) -> None:
    if db_backend != "sqlite":
        pytest.skip("browser journeys run once, on SQLite; the rules run on both databases elsewhere")


@pytest.fixture
async def demo(client: TestClient[Any, Any], sqlite_only: None) -> None:
    """The demo subdistrict of ``python -m live demo`` (password ``roundtable`` for every account)."""
    from live.services.demo import seed_demo

    services = client.app[SERVICES]
    assert await seed_demo(services.db, services.clock)


@pytest.fixture
async def desktop(browser: Any) -> AsyncIterator[Any]:
    """A desktop browser context in its own cookie jar."""
    context = await browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(WAIT_MS)
    yield context
    await context.close()


async def open_home(context: Any, base_url: str) -> Any:
    """The only address a journey types: the home page."""
    context.set_default_timeout(WAIT_MS)
    page = await context.new_page()
    await page.goto(f"{base_url}/")
    return page


async def sign_in(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    """From any page: the navigation's sign-in link, the form, and back to that page."""
    before = page.url
    await page.locator("nav.topnav").get_by_role("link", name="登录").click()
    await page.get_by_test_id("login-username").fill(username)
    await page.get_by_test_id("login-password").fill(password)
    await page.get_by_test_id("login-submit").click()
    await page.wait_for_url(before)
    await expect(page.locator("nav.topnav").get_by_role("button", name="退出")).to_be_visible()


def nav(page: Any) -> Any:
    return page.locator("nav.topnav")


async def api(client: TestClient[Any, Any], username: str) -> dict[str, str]:
    """Staff acting outside the browser (the journey's other people): a signed-in client's headers."""
    csrf = (await (await client.get("/api/me")).json())["csrf"]
    answer = await client.post(
        "/api/auth/login",
        json={"username": username, "password": DEMO_PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert answer.status == 200, await answer.text()
    return {"X-CSRF-Token": str((await answer.json())["csrf"])}


def text(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


async def join_chat(page: Any, name: str) -> None:
    """On a watch page: choose a chat name; the socket reconnects under it. Waits for that join:
    saving the name drops the connection at once (``data-live`` goes offline in the click) and
    the opinions part marks the page joined again on the new join's ack."""
    await page.get_by_test_id("chat-name-input").fill(name)
    await page.get_by_test_id("chat-name-save").click()
    await page.locator('[data-role="opinions"][data-live="joined"]').wait_for()


async def say(page: Any, words: str) -> None:
    """Send a chat line and wait until it is in the sender's own chat (the server took it)."""
    await page.get_by_test_id("chat-input").fill(words)
    await page.get_by_test_id("chat-send").click()
    await expect(page.get_by_test_id("chat-list").locator("li", has_text=words)).to_be_visible()


#: What a person should never read on a page: person keys and raw ids of the API ("g:3f9a…",
#: "u:12"), English API sentences on a Chinese page, server errors.
RAW = re.compile(r"\b[gu]:[0-9A-Za-z_-]{1,}|Traceback|Internal Server Error|\{\s*\"?ok\"?\s*:")
API_SENTENCES = ("you are banned", "not found", "forbidden", "is not allowed", "no such ")


async def shows_nothing_raw(page: Any) -> None:
    """The page's visible text has no raw id or API error (and, on a Chinese page, no API English)."""
    shown: str = await page.locator("body").inner_text()
    assert not RAW.search(shown), (page.url, RAW.search(shown))
    if await page.locator("html").get_attribute("lang") == "zh-CN":
        lowered = shown.lower()
        assert not [s for s in API_SENTENCES if s in lowered], (page.url, shown[:500])
