"""Chromium: the item page, the meeting page and the door's check-in page follow the ``vote``
and ``meeting`` socket events, so what staff or residents do on one page shows on the others
without a reload: turnout and counts, a vote's close and a new vote; registrations, the waiting
list moving up and check-ins."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient
from playwright.async_api import expect

from live.clock import FakeClock
from tests.conftest import close_context
from tests.interact.conftest import People, stairwell_meeting
from tests.interact.test_browser import sign_in
from tests.interact.test_onbehalf import hexie_units
from tests.interact.test_votes import Estate, estate  # noqa: F401
from tests.waiting import eventually

STAY = "() => { window.__stayed = true; }"
STAYED = "() => window.__stayed === true"  # false after a reload


async def test_a_ballot_entered_on_one_page_shows_on_another_in_chromium(
    client: TestClient[Any, Any],
    browser: Any,
    phone: Any,
    base_url: str,
    estate: Estate,  # noqa: F811
    people: People,
) -> None:
    mod = await people("mod-a")
    status, vote = await mod.call(
        "POST",
        f"/api/agenda/{estate.item}/votes",
        {"question": "同意加装电梯吗？", "options": ["同意", "反对"]},
    )
    assert status == 201
    resident = await sign_in(phone, base_url, "a3", f"/agenda/{estate.item}")
    card = resident.get_by_test_id("vote")
    await expect(card.get_by_test_id("vote-turnout")).to_contain_text("3 户中 0 户已投票")
    await resident.evaluate(STAY)

    staff_context = await browser.new_context()
    try:
        staff = await sign_in(staff_context, base_url, "mod-a", f"/agenda/{estate.item}")
        paper = staff.get_by_test_id("vote-paper")
        await paper.get_by_test_id("paper-unit").select_option(
            str((await hexie_units(client))["阳光小区 3栋 1单元"])
        )
        await paper.get_by_test_id("paper-room").fill("301")
        await paper.get_by_test_id("paper-resident").fill("居民a1")
        await paper.get_by_test_id("paper-option").select_option(vote["options"][1]["id"])
        await paper.get_by_test_id("paper-consent").check()
        await paper.get_by_test_id("paper-submit").click()

        await expect(card.get_by_test_id("vote-turnout")).to_contain_text("3 户中 1 户已投票")
        await expect(card.get_by_test_id("vote-count").nth(1)).to_have_text("1")
        # the resident's own ballot, then the close on the staff page: both reach the other page
        await card.get_by_test_id("vote-option").first.check()
        await card.get_by_test_id("vote-submit").click()
        await expect(staff.get_by_test_id("vote").get_by_test_id("vote-turnout")).to_contain_text(
            "3 户中 2 户已投票"
        )
        await expect(card.locator('[data-role="vote-status"]')).to_contain_text("已计入")
        await staff.get_by_test_id("vote-close").click()
        await expect(resident.get_by_test_id("vote").get_by_test_id("vote-submit")).to_be_hidden()
        await expect(card.get_by_test_id("vote-turnout")).to_have_text("3 户中 2 户已投票 · 投票已结束")
        status, _second = await mod.call(
            "POST",
            f"/api/agenda/{estate.item}/votes",
            {"question": "电梯装在哪一侧？", "options": ["东", "西"]},
        )
        assert status == 201
        await expect(resident.get_by_test_id("votes-news")).to_be_visible()
        assert await resident.evaluate(STAYED)
    finally:
        await close_context(staff_context)


async def test_registrations_waitlist_and_check_ins_show_live_in_chromium(
    browser: Any, phone: Any, base_url: str, people: People, clock: FakeClock
) -> None:
    mod = await people("mod-a")
    made = await stairwell_meeting(mod, clock)
    meeting = f"/api/meetings/{made['id']}"
    status, _ = await mod.call("PATCH", meeting, {"capacity": 1})
    assert status == 200
    first = await people()
    status, first_reg = await first.call("POST", f"{meeting}/registrations", {"name": "李大爷"})
    assert status == 201 and first_reg["status"] == "registered"

    resident = await phone.new_page()
    await resident.goto(f"{base_url}/meetings/{made['id']}")
    await resident.get_by_test_id("register-name").fill("王阿姨")
    await resident.get_by_test_id("register-submit").click()
    mine = resident.get_by_test_id("my-registrations").locator("li")
    await expect(mine).to_have_attribute("data-status", "waitlisted")
    await expect(resident.get_by_test_id("meeting-waitlisted")).to_have_text("1")
    await resident.evaluate(STAY)

    door_context = await browser.new_context()
    try:
        door = await sign_in(door_context, base_url, "mod-a", f"/meetings/{made['id']}/checkin")
        await expect(door.get_by_test_id("checkin-list")).to_contain_text("王阿姨 (候补)")
        await expect(door.get_by_test_id("checkin-counts")).to_have_text("0 / 1")
        await door.evaluate(STAY)

        # 李大爷 cancels: 王阿姨 moves up, on her page and at the door
        status, _ = await first.call("DELETE", f"{meeting}/registrations/{first_reg['id']}")
        assert status == 204
        await expect(mine).to_have_attribute("data-status", "registered")
        await expect(resident.get_by_test_id("meeting-waitlisted")).to_have_text("0")
        await expect(
            door.get_by_test_id("checkin-list").locator("li", has_text="王阿姨")
        ).not_to_contain_text("候补")

        # a registration made meanwhile shows at the door; the door's check-in shows on her page
        status, _ = await (await people()).call("POST", f"{meeting}/registrations", {"name": "赵奶奶"})
        assert status == 201
        await expect(door.get_by_test_id("checkin-list")).to_contain_text("赵奶奶 (候补)")
        await (
            door.get_by_test_id("checkin-list")
            .locator("li", has_text="王阿姨")
            .get_by_test_id("checkin-name")
            .click()
        )
        await expect(door.get_by_test_id("checkin-counts")).to_have_text("1 / 1")
        await expect(resident.get_by_test_id("meeting-attended")).to_have_text("1")
        await expect(mine).to_contain_text("已签到")
        assert await door.evaluate(STAYED)
    finally:
        await close_context(door_context)
    assert await resident.evaluate(STAYED)
    assert await resident.evaluate("() => document.documentElement.scrollWidth") <= 360


async def test_a_change_made_while_the_door_page_connects_shows_once_it_has(
    browser: Any, base_url: str, people: People, clock: FakeClock
) -> None:
    """The page is read over HTTP while its socket is still connecting (long on a weak phone);
    a change made in between reaches no socket, so once the server says the page is watching,
    the page reads its state again (before, it showed the waiting list it had loaded)."""
    mod = await people("mod-a")
    made = await stairwell_meeting(mod, clock)
    meeting = f"/api/meetings/{made['id']}"
    assert (await mod.call("PATCH", meeting, {"capacity": 1}))[0] == 200
    first = await people()
    status, first_reg = await first.call("POST", f"{meeting}/registrations", {"name": "李大爷"})
    assert status == 201
    assert (await (await people()).call("POST", f"{meeting}/registrations", {"name": "王阿姨"}))[0] == 201

    door_context = await browser.new_context()
    gate = asyncio.Event()
    held: list[Any] = []

    async def hold(ws: Any) -> None:  # the page's socket waits at the gate, then goes through
        held.append(ws)
        await gate.wait()
        ws.connect_to_server()

    try:
        door = await sign_in(door_context, base_url, "mod-a", f"/meetings/{made['id']}/checkin")
        await door_context.route_web_socket("**/socket.io/**", hold)
        await door.reload()
        await expect(door.get_by_test_id("checkin-list")).to_contain_text("王阿姨 (候补)")
        await eventually(lambda: held, 20, what="the door page's socket at the gate")
        # 李大爷 cancels while the door's socket is held: 王阿姨 moves up, and no socket hears it
        assert (await first.call("DELETE", f"{meeting}/registrations/{first_reg['id']}"))[0] == 204
        gate.set()
        await expect(
            door.get_by_test_id("checkin-list").locator("li", has_text="王阿姨")
        ).not_to_contain_text("候补")
    finally:
        gate.set()
        await close_context(door_context)
