"""In Chromium on a 360 px phone: a resident registers with a mobile number and the SMS code,
then redeems the household code a moderator issued, and the watch page shows both numbers."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from live.keys import SERVICES
from tests.conftest import World
from tests.identity.conftest import signed_in

pytestmark = pytest.mark.browser


async def test_register_and_redeem_a_household_code_on_a_phone(
    client: TestClient[Any, Any], world: World, units: dict[str, str], phone: Any, base_url: str
) -> None:
    from playwright.async_api import expect

    mod = await signed_in(client, "mod-a")
    issued = await mod.post("/api/households/codes", {"unit": units["hexie"], "room": "602"}, expect=201)
    page = await phone.new_page()
    await page.goto(base_url + "/login")
    await page.get_by_test_id("register-link").click()
    await page.get_by_test_id("register-name").fill("赵奶奶")
    await page.get_by_test_id("register-phone").fill("13912345678")
    await page.get_by_test_id("register-password").fill("zhao-secret-1")
    await page.get_by_test_id("register-submit").click()
    await expect(page.get_by_test_id("register-sent")).to_be_visible()
    sent = client.app[SERVICES].sms.recent[0]
    assert sent.phone_masked == "139****5678"
    await page.get_by_test_id("register-code").fill(sent.code)
    await page.get_by_test_id("register-confirm").click()
    await page.wait_for_url("**/households/join")
    await page.get_by_test_id("household-code").fill(issued["code"].lower())
    await page.get_by_test_id("household-submit").click()
    await expect(page.get_by_test_id("household-joined")).to_contain_text("阳光小区 3栋 2单元 602")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360

    # The same code again, from the same phone: refused, in words.
    await page.goto(base_url + f"/households/join?code={issued['code']}")
    await expect(page.get_by_test_id("household-current")).to_contain_text("602")
    await page.get_by_test_id("household-submit").click()
    await expect(page.get_by_test_id("household-error")).to_contain_text("已被使用")

    # English works too.
    await page.goto(base_url + "/register?lang=en")
    await expect(page.locator("h1")).to_have_text("Register as a resident")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
