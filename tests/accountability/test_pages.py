"""The accountability pages over HTTP, and the whole journey in Chromium on a phone and a desktop:
a moderator assigns → the party posts progress with a photo and marks it done → a resident
rates it → the statistics page shows the rate."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from playwright.async_api import expect

from tests.accountability.conftest import Desk, walk_to
from tests.accountability.test_api import jpeg_with_gps
from tests.conftest import PASSWORD, World


async def test_pages_answer_in_both_languages(client: TestClient[Any, Any], world: World, desk: Desk) -> None:
    await desk.mod.patch(f"/api/agenda/{desk.item['id']}", {"party": desk.property["id"]})
    page = await desk.residents[0].http.get(f"/agenda/{desk.item['id']}")  # type: ignore[union-attr]
    html = await page.text()
    assert page.status == 200 and 'data-testid="accountability"' in html and "幸福物业" in html
    assert "谁负责、何时办结" in html and "还剩 15 个工作日" in html
    english = await desk.residents[0].http.get(f"/agenda/{desk.item['id']}?lang=en")  # type: ignore[union-attr]
    assert "Who owes what by when" in await english.text()
    for path in ("/stats", "/stats/hexie", "/stats/hexie?month=2026-11", "/reports/hexie/2026-11"):
        answer = await client.get(path)
        body = await answer.text()
        assert answer.status == 200, (path, body[:300])
        assert "<script>" not in body and " style=" not in body
    assert (await client.get("/reports/hexie/2026-13")).status == 400
    assert (await client.get("/stats/nowhere")).status == 404
    desk_page = await desk.prop_account.http.get("/party")  # type: ignore[union-attr]
    assert desk_page.status == 200 and "3号楼电梯维修" in await desk_page.text()
    assert (await desk.residents[0].http.get("/party")).status in (401, 403)  # type: ignore[union-attr]


async def sign_in(page: Any, base_url: str, username: str, next_path: str) -> None:
    await page.goto(f"{base_url}/login?next={next_path}")
    await page.get_by_test_id("login-username").fill(username)
    await page.get_by_test_id("login-password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await page.wait_for_url(f"{base_url}{next_path}")


async def no_sideways_scroll(page: Any) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    wide = await page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 361)"
        ".slice(0, 5).map(e => e.tagName + '.' + e.className + ':' + e.getBoundingClientRect().right)"
    )
    assert width <= 360, f"{page.url} scrolls sideways on a phone: {width}px ({wide})"


async def test_assign_progress_done_rate_and_stats_in_chromium(
    browser: Any,
    phone: Any,
    base_url: str,
    client: TestClient[Any, Any],
    world: World,
    desk: Desk,
    tmp_path: Path,
) -> None:
    errors: list[str] = []
    # a resident on a phone raises the opinion (as a guest, in the phone's cookie jar)
    resident = await phone.new_page()
    resident.on("pageerror", lambda err: errors.append(str(err)))
    await resident.goto(f"{base_url}/agenda")
    me = await (await phone.request.get(f"{base_url}/api/me")).json()
    made = await phone.request.post(
        f"{base_url}/api/opinions",
        data={"community": "hexie", "text": "小区东门路灯不亮"},
        headers={"X-CSRF-Token": me["csrf"]},
    )
    assert made.status == 201
    opinion = await made.json()
    item = await desk.mod.post(
        "/api/agenda",
        {"community": "hexie", "title": "东门路灯维修", "opinions": [opinion["id"]]},
        expect=201,
    )
    path = f"/agenda/{item['id']}"

    # the moderator assigns it on a phone
    mod_context = await browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    moderator = await mod_context.new_page()
    moderator.on("pageerror", lambda err: errors.append(str(err)))
    await sign_in(moderator, base_url, "mod-a", path)
    await moderator.get_by_test_id("assign-party").select_option(desk.property["id"])
    await moderator.get_by_test_id("assign-submit").click()
    await expect(moderator.get_by_test_id("lead-party")).to_contain_text("幸福物业")
    await expect(moderator.get_by_test_id("countdown")).to_contain_text("15")
    await no_sideways_scroll(moderator)
    await walk_to(desk.mod, item["id"], "in_progress")

    # the property company, on a desktop, posts progress with a photo and marks its part done
    party_context = await browser.new_context(viewport={"width": 1280, "height": 900})
    party = await party_context.new_page()
    party.on("pageerror", lambda err: errors.append(str(err)))
    await sign_in(party, base_url, "prop", "/party")
    await party.get_by_test_id("party-item").filter(has_text="东门路灯维修").click()
    await party.get_by_test_id("progress-note").fill("已更换灯泡，正在检查线路")
    photo = tmp_path / "lamp.jpg"
    photo.write_bytes(jpeg_with_gps(1200, 900))
    await party.get_by_test_id("progress-photo").set_input_files(str(photo))
    await party.get_by_test_id("progress-submit").click()
    notes = party.get_by_test_id("progress-notes")
    await expect(notes).to_contain_text("已更换灯泡，正在检查线路")
    await expect(notes.locator("img")).to_have_count(1)
    await party.get_by_test_id("done-outcome").fill("路灯已全部修复")
    await party.get_by_test_id("done-submit").click()
    await expect(party.get_by_test_id("item-status")).to_have_attribute("data-state", "resolved")

    # the resident rates it on the phone
    await resident.goto(base_url + path)
    await resident.get_by_test_id("rate-satisfied").check()
    await resident.get_by_test_id("rate-submit").click()
    await expect(resident.get_by_test_id("rating-satisfied")).to_have_text("1")
    await no_sideways_scroll(resident)

    # the statistics page shows the satisfaction rate, readable on the phone
    await resident.goto(f"{base_url}/stats/hexie")
    await expect(resident.get_by_test_id("satisfaction-rate")).to_have_text("100%")
    await expect(resident.get_by_test_id("chart-satisfaction_rate")).to_contain_text("100%")
    await no_sideways_scroll(resident)
    await resident.goto(f"{base_url}/stats")
    await expect(resident.get_by_test_id("table-communities")).to_contain_text("和谐社区")
    await no_sideways_scroll(resident)
    # the monthly report, printed
    await party.goto(f"{base_url}/reports/hexie/2026-11")
    await expect(party.get_by_test_id("report-resolved")).to_contain_text("路灯已全部修复")
    await party.emulate_media(media="print")
    assert await party.locator(".topbar").is_hidden()
    pdf = await party.pdf(format="A4")
    assert pdf[:4] == b"%PDF"
    assert not [e for e in errors if not re.search("favicon", e)], errors
    await mod_context.close()
    await party_context.close()
