"""Chromium at 360 px: a grid worker reaches the desk for residents without phones from triage,
picks the household by building, unit and room, names the resident, ticks consent and enters an
opinion, a support, a rating of a resolved item and a household vote, each tagged with its
channel; refusals read in the reader's language (zh-CN, then English); and the item page's
paper-ballot form uses the same household picker."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from playwright.async_api import expect

from tests.interact.conftest import People
from tests.interact.test_browser import sign_in
from tests.interact.test_onbehalf import hexie_units
from tests.interact.test_votes import Estate, estate  # noqa: F401


async def test_the_grid_workers_desk_in_chromium(
    client: TestClient[Any, Any],
    phone: Any,
    base_url: str,
    estate: Estate,  # noqa: F811
    people: People,
) -> None:
    unit_a = (await hexie_units(client))["阳光小区 3栋 1单元"]
    mod = await people("mod-a")
    # 赵奶奶 of 302 raised an opinion (entered for her) that became an item, now resolved
    who = {"unit": unit_a, "room": "302", "resident": "赵奶奶", "consent": True}
    status, raised = await mod.call("POST", "/api/on-behalf/opinions", {**who, "text": "路灯坏了三个月"})
    assert status == 201
    status, item = await mod.call(
        "POST", "/api/agenda", {"community": "hexie", "title": "修路灯", "opinions": [raised["id"]]}
    )
    assert status == 201
    for step in ("scheduled", "deliberating", "decided", "in_progress", "resolved"):
        status, _ = await mod.call("PATCH", f"/api/agenda/{item['id']}", {"status": step, "note": ""})
        assert status == 200, step
    status, vote = await mod.call(
        "POST",
        f"/api/agenda/{estate.item}/votes",
        {"question": "同意加装电梯吗？", "options": ["同意", "反对"]},
    )
    assert status == 201
    yes, no = (o["id"] for o in vote["options"])

    page = await sign_in(phone, base_url, "mod-a", "/triage")
    await page.get_by_test_id("open-on-behalf").click()
    await page.wait_for_url(f"{base_url}/on-behalf?community=hexie")
    status_line = page.get_by_test_id("ob-status")
    await page.get_by_test_id("ob-unit").select_option(str(unit_a))

    # an opinion, by voice, for 钱大爷 of a room new to the record; first without consent
    await page.get_by_test_id("ob-room").fill("502")
    await page.get_by_test_id("ob-resident").fill("钱大爷")
    await page.get_by_test_id("ob-channel").select_option("voice")
    await page.get_by_test_id("ob-text").fill("垃圾桶太少，晚上满出来")
    await page.get_by_test_id("ob-submit").click()
    await expect(status_line).to_have_text("请先勾选居民已同意。")
    await page.get_by_test_id("ob-consent").check()
    await page.get_by_test_id("ob-submit").click()
    await expect(status_line).to_have_text("已为阳光小区 3栋 1单元 502的钱大爷录入。")
    await expect(page.get_by_test_id("ob-entries").locator("li").first).to_contain_text(
        "录入意见 · 钱大爷 · 语音"
    )

    # the rooms on record are offered, saying which can vote
    rooms = page.get_by_test_id("ob-rooms").locator("option")
    await expect(rooms).to_have_count(3)
    assert await rooms.evaluate_all("(os) => os.map((o) => `${o.value}: ${o.label}`)") == [
        "301: 有已认证的居民",
        "302: 有已认证的居民",
        "502: 没有已认证的居民：不能投票",
    ]

    # a household vote for 302 (a3 lives there): counted, then changed
    await page.get_by_test_id("ob-kind-vote").check()
    await expect(page.get_by_test_id("ob-text")).to_be_hidden()
    await page.get_by_test_id("ob-room").fill("302")
    await page.get_by_test_id("ob-resident").fill("赵奶奶")
    await page.get_by_test_id("ob-channel").select_option("on_behalf")
    await page.get_by_test_id("ob-vote-choice").select_option(f"{vote['id']}:{yes}")
    await page.get_by_test_id("ob-submit").click()
    await expect(status_line).to_have_text("阳光小区 3栋 1单元 302的选票已计入。")
    await page.get_by_test_id("ob-vote-choice").select_option(f"{vote['id']}:{no}")
    await page.get_by_test_id("ob-submit").click()
    await expect(status_line).to_have_text("已改票：阳光小区 3栋 1单元 302之前投过票，这张选票替换了之前的。")
    # 502 has no verified member: not eligible
    await page.get_by_test_id("ob-room").fill("502")
    await page.get_by_test_id("ob-submit").click()
    await expect(status_line).to_have_text("这一户没有这次表决的资格。")

    # a support of her own item's opinion by 钱大爷, and 赵奶奶's rating of the resolved item
    await page.get_by_test_id("ob-kind-support").check()
    await page.get_by_test_id("ob-resident").fill("钱大爷")
    await page.get_by_test_id("ob-opinion").select_option(str(raised["id"]))
    await page.get_by_test_id("ob-submit").click()
    await expect(status_line).to_have_text("已为阳光小区 3栋 1单元 502的钱大爷录入。")
    await page.get_by_test_id("ob-kind-rating").check()
    await page.get_by_test_id("ob-room").fill("302")
    await page.get_by_test_id("ob-resident").fill("赵奶奶")
    await page.get_by_test_id("ob-item").select_option(str(item["id"]))
    await page.get_by_test_id("ob-rating").select_option("basically_satisfied")
    await page.get_by_test_id("ob-submit").click()
    await expect(status_line).to_have_text("已为阳光小区 3栋 1单元 302的赵奶奶录入。")
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= 360

    # in English: the vote closes meanwhile, and the desk says so
    status, _closed = await mod.call("POST", f"/api/votes/{vote['id']}/close")
    assert status == 200
    await page.get_by_test_id("lang-switch").click()
    await expect(page.get_by_test_id("ob-submit")).to_have_text("Enter")
    await expect(page.get_by_test_id("ob-entries")).to_contain_text(
        "Rating entered · 赵奶奶 · on behalf · entered by 和谐网格员"
    )
    await page.get_by_test_id("ob-unit").select_option(str(unit_a))
    await page.get_by_test_id("ob-room").fill("301")
    await page.get_by_test_id("ob-resident").fill("孙阿姨")
    await page.get_by_test_id("ob-consent").check()
    await page.get_by_test_id("ob-kind-rating").check()
    await page.get_by_test_id("ob-submit").click()
    await expect(status_line).to_have_text("Only a resident who raised or supported this item can rate it.")

    # the record: each counted once, by channel, with who entered it
    status, stats = await mod.call("GET", "/api/stats/channels?community=hexie")
    assert stats["opinions"]["voice"] == 1 and stats["opinions"]["on_behalf"] == 1
    assert stats["supports"]["on_behalf"] == 1 and stats["ratings"]["on_behalf"] == 1
    assert stats["votes"] == {"chat": 0, "form": 0, "voice": 0, "on_behalf": 1, "paper": 0}
    status, log = await mod.call("GET", "/api/on-behalf?community=hexie")
    assert [(e["kind"], e["resident"], e["channel"]) for e in log] == [
        ("opinion", "赵奶奶", "on_behalf"),
        ("opinion", "钱大爷", "voice"),
        ("vote", "赵奶奶", "on_behalf"),
        ("vote", "赵奶奶", "on_behalf"),
        ("support", "钱大爷", "on_behalf"),
        ("rating", "赵奶奶", "on_behalf"),
    ]
    assert {e["entered_by"]["name"] for e in log} == {"和谐网格员"}


async def test_the_item_pages_paper_ballot_picks_the_household_in_chromium(
    client: TestClient[Any, Any],
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
    unit_a = (await hexie_units(client))["阳光小区 3栋 1单元"]
    page = await sign_in(phone, base_url, "mod-a", f"/agenda/{estate.item}")
    card = page.get_by_test_id("vote")
    await expect(card.get_by_test_id("vote-turnout")).to_contain_text("3 户中 0 户已投票")
    paper = card.get_by_test_id("vote-paper")
    await paper.get_by_test_id("paper-unit").select_option(str(unit_a))
    await paper.get_by_test_id("paper-room").fill("301")
    await paper.get_by_test_id("paper-resident").fill("居民a1")
    await paper.get_by_test_id("paper-option").select_option(vote["options"][1]["id"])
    await paper.get_by_test_id("paper-submit").click()
    await expect(card.locator('[data-role="vote-status"]')).to_have_text("请先勾选居民已同意。")
    await paper.get_by_test_id("paper-consent").check()
    await paper.get_by_test_id("paper-submit").click()
    await expect(card.locator('[data-role="vote-status"]')).to_have_text(
        "阳光小区 3栋 1单元 301的选票已计入。"
    )
    await expect(card.get_by_test_id("vote-turnout")).to_contain_text("3 户中 1 户已投票")
    await expect(card.get_by_test_id("vote-count").nth(1)).to_have_text("1")
    await paper.get_by_test_id("paper-unit").select_option(str(unit_a))
    await paper.get_by_test_id("paper-room").fill("301")
    await paper.get_by_test_id("paper-resident").fill("居民a2")
    await paper.get_by_test_id("paper-option").select_option(vote["options"][0]["id"])
    await paper.get_by_test_id("paper-consent").check()
    await paper.get_by_test_id("paper-submit").click()
    await expect(card.locator('[data-role="vote-status"]')).to_have_text(
        "已改票：阳光小区 3栋 1单元 301之前投过票，这张选票替换了之前的。"
    )
    await expect(card.get_by_test_id("vote-count").nth(0)).to_have_text("1")
    await expect(card.get_by_test_id("vote-count").nth(1)).to_have_text("0")
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= 360
