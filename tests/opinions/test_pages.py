"""The board, item, triage and inbox pages over HTTP, and the whole flow in Chromium on a phone."""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient
from playwright.async_api import expect

from live.clock import FakeClock
from tests.conftest import PASSWORD, World, login
from tests.opinions.conftest import Api, guest_api

PARKING_OLD = "小区晚上电动车乱停，消防通道被堵住了，希望划定停车位。"
PARKING_NEW = "消防通道晚上总被电动车堵住，能不能规划一下停车？"


async def test_board_shows_each_states_newest_and_pages_the_rest(
    client: TestClient[Any, Any], world: World, monkeypatch: Any
) -> None:
    """Five years of items: each column shows its newest cards and its true count, links to the
    whole state, and that page goes back in time with ``after``."""
    monkeypatch.setattr("live.http.pages.agenda.BOARD_PER_STATE", 3)
    monkeypatch.setattr("live.http.pages.agenda.STATE_PAGE", 2)
    mod = Api(client, await login(client, "mod-a"))
    ids = [
        (await mod.post("/api/agenda", {"community": "hexie", "title": f"议题{n}号"}, 201))["id"]
        for n in range(5)
    ]
    await mod.patch(f"/api/agenda/{ids[0]}", {"status": "scheduled"})
    board = await (await client.get("/agenda?community=hexie")).text()
    assert 'data-count="proposed">4<' in board and 'data-count="scheduled">1<' in board
    assert 'data-testid="board-total">5<' in board
    assert all(f"议题{n}号" in board for n in (0, 2, 3, 4)) and "议题1号" not in board  # newest 3
    assert 'data-testid="board-more-proposed"' in board and "查看此状态的全部 4 项" in board
    assert 'data-testid="board-more-scheduled"' not in board
    first = await (await client.get("/agenda?community=hexie&status=proposed")).text()
    assert "议题4号" in first and "议题3号" in first and "议题2号" not in first
    assert 'data-testid="board-column-scheduled"' not in first and 'data-count="scheduled">1<' in first
    assert f"after={ids[3]}" in first and "返回整个看板" in first
    second = await (await client.get(f"/agenda?community=hexie&status=proposed&after={ids[3]}")).text()
    assert "议题2号" in second and "议题1号" in second and "议题3号" not in second
    bad = await client.get("/agenda?status=proposed&after=yesterday")
    assert bad.status == 400


async def test_board_columns_filters_and_counts(client: TestClient[Any, Any], world: World) -> None:
    mod = Api(client, await login(client, "mod-a"))
    a = await mod.post(
        "/api/agenda",
        {"community": "hexie", "title": "规划电动车停放区", "category": "parking", "location": "幸福里"},
        201,
    )
    b = await mod.post(
        "/api/agenda", {"community": "hexie", "title": "垃圾投放点调整", "category": "garbage"}, 201
    )
    await mod.patch(f"/api/agenda/{b['id']}", {"status": "scheduled"})
    html = await (await client.get("/agenda")).text()
    assert "规划电动车停放区" in html and "垃圾投放点调整" in html
    assert 'data-testid="board-column-proposed"' in html and 'data-count="scheduled">1<' in html
    assert 'data-testid="board-total">2<' in html and "已排期" in html
    only = await (await client.get("/agenda?category=parking")).text()
    assert "规划电动车停放区" in only and "垃圾投放点调整" not in only
    place = await (await client.get("/agenda?location=幸福里")).text()
    assert "规划电动车停放区" in place and "垃圾投放点调整" not in place
    english = await (await client.get("/agenda", headers={"Cookie": "lang=en"})).text()
    assert "Agenda board" in english
    item = await (await client.get(f"/agenda/{a['id']}")).text()
    assert "规划电动车停放区" in item and 'data-testid="timeline"' in item and 'data-testid="follow"' in item
    assert (await client.get("/agenda/9999")).status == 404


async def test_item_page_links_to_the_moment(
    client: TestClient[Any, Any], world: World, clock: FakeClock, other_browser: aiohttp.ClientSession
) -> None:
    host = Api(client, await login(client, "host-a"))
    session = await host.post("/api/sessions", {"community": "hexie", "title": "直播"}, expect=201)
    await host.post(f"/api/sessions/{session['id']}/start")
    clock.advance(125)
    guest = await guest_api(other_browser)
    opinion = await guest.post("/api/opinions", {"session": session["id"], "text": PARKING_NEW}, expect=201)
    item = await host.post(
        "/api/agenda", {"community": "hexie", "title": "停车", "opinions": [opinion["id"]]}, 201
    )
    html = await (await client.get(f"/agenda/{item['id']}")).text()
    assert f'href="/archive/{session["id"]}?t=125"' in html and PARKING_NEW in html


async def test_triage_and_inbox_pages(client: TestClient[Any, Any], world: World) -> None:
    response = await client.get("/triage", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/login")
    await login(client, "resident")
    assert (await client.get("/triage")).status == 403
    inbox = await client.get("/inbox")
    assert inbox.status == 200 and 'data-testid="inbox"' in await inbox.text()
    await login(client, "mod-a")
    html = await (await client.get("/triage")).text()
    assert 'data-testid="triage"' in html and 'data-community="hexie"' in html
    assert (await client.get("/triage?community=xingfu")).status == 403
    await login(client, "admin")
    assert 'data-community="xingfu"' in await (await client.get("/triage?community=xingfu")).text()


async def test_places_for_tagging(client: TestClient[Any, Any], world: World) -> None:
    from live.keys import SERVICES
    from live.storage.places import Building, Compound, Unit

    services = client.app[SERVICES]
    community = await services.places.by_slug("hexie")
    async with services.db.transaction() as s:
        compound = Compound(community_id=community.id, name="幸福里")
        s.add(compound)
        await s.flush()
        building = Building(compound_id=compound.id, name="3栋")
        s.add(building)
        await s.flush()
        s.add(Unit(building_id=building.id, name="2单元"))
    labels = await (await client.get("/api/places?community=hexie")).json()
    assert labels == ["幸福里", "幸福里 3栋", "幸福里 3栋 2单元"]
    assert (await client.get("/api/places?community=nowhere")).status == 404
    assert (await client.get("/api/places")).status == 400
    api = Api(client, (await (await client.get("/api/me")).json())["csrf"])
    tagged = await api.post(
        "/api/opinions", {"community": "hexie", "text": "楼道灯坏了", "location": "幸福里 3栋 2单元"}, 201
    )
    await api.post("/api/opinions", {"community": "hexie", "text": "路灯坏了", "location": "梧桐苑"}, 201)
    from live.storage.opinions import Opinion

    async with services.db.read() as s:
        row = await s.get(Opinion, int(tagged["id"]))
        assert row is not None and row.compound_id == compound.id
    found = await api.get("/api/opinions?community=hexie&location=幸福里")
    assert [o["id"] for o in found] == [tagged["id"]]


async def test_opinion_to_outcome_in_chromium(
    client: TestClient[Any, Any], world: World, browser: Any, phone: Any, base_url: str
) -> None:
    host = Api(client, await login(client, "host-a"))
    session = await host.post("/api/sessions", {"community": "hexie", "title": "小区停车议事"}, expect=201)
    await host.post(f"/api/sessions/{session['id']}/start")
    earlier = await host.post(
        "/api/opinions", {"community": "hexie", "text": PARKING_OLD, "category": "parking"}, 201
    )
    await host.post("/api/opinions", {"community": "hexie", "text": "垃圾分类投放点太远，老人不方便。"}, 201)

    # A resident on a phone raises an opinion on the watch page.
    errors: list[str] = []
    resident = await phone.new_page()
    resident.on("pageerror", lambda err: errors.append(str(err)))
    await resident.goto(f"{base_url}/live/{session['id']}")
    await resident.get_by_test_id("opinion-category").select_option("parking")
    await resident.get_by_test_id("opinion-input").fill(PARKING_NEW)
    await resident.get_by_test_id("opinion-submit").click()
    mine = resident.get_by_test_id("session-opinions").locator("li", has_text=PARKING_NEW)
    await mine.wait_for()
    # The list can show it (pushed over the socket) a moment before the POST's answer thanks them.
    await expect(resident.locator('[data-role="opinion-status"]')).to_contain_text("谢谢")
    width = await resident.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the watch page scrolls sideways on a phone: {width}px"

    # A moderator merges it with the similar earlier one and makes an agenda item.
    desk = await browser.new_context(viewport={"width": 1024, "height": 900})
    moderator = await desk.new_page()
    moderator.on("pageerror", lambda err: errors.append(str(err)))
    await moderator.goto(f"{base_url}/login?next=/triage")
    await moderator.get_by_test_id("login-username").fill("mod-a")
    await moderator.get_by_test_id("login-password").fill(PASSWORD)
    await moderator.get_by_test_id("login-submit").click()
    await moderator.wait_for_url(f"{base_url}/triage")
    # an opinion heard on a door-knocking visit, entered by staff
    await moderator.get_by_test_id("entry-open").click()
    await moderator.get_by_test_id("entry-text").fill("入户走访：3单元楼道堆放杂物")
    await moderator.get_by_test_id("entry-submit").click()
    await moderator.get_by_test_id("triage-item").filter(has_text="入户走访：3单元楼道堆放杂物").wait_for()
    new_card = moderator.get_by_test_id("triage-item").filter(has_text=PARKING_NEW)
    await new_card.get_by_test_id("triage-find-similar").click()
    suggestion = new_card.locator(f'[data-similar-id="{earlier["id"]}"]')
    await suggestion.wait_for()
    first = new_card.get_by_test_id("triage-similar").locator("li").first
    assert await first.get_attribute("data-similar-id") == earlier["id"], "the true duplicate ranks first"
    dialogs: list[str] = []

    async def confirm(dialog: Any) -> None:
        dialogs.append(dialog.message)
        await dialog.accept()

    moderator.on("dialog", confirm)
    await suggestion.get_by_test_id("triage-merge").click()
    await new_card.wait_for(state="detached")
    assert len(dialogs) == 1 and PARKING_NEW in dialogs[0] and PARKING_OLD in dialogs[0]  # which into which
    await expect(moderator.get_by_test_id("triage-message")).to_contain_text("已合并")
    await moderator.get_by_test_id("triage-status").select_option("accepted")
    survivor = moderator.get_by_test_id("triage-item").filter(has_text=PARKING_OLD)
    await expect(survivor.locator(".meta").first).to_contain_text("2")  # the list re-renders
    await survivor.get_by_test_id("triage-select").check()
    await moderator.get_by_test_id("agenda-title").fill("规划电动车停放区，清理消防通道")
    await moderator.get_by_test_id("agenda-create").click()
    link = moderator.get_by_test_id("agenda-link")
    await link.wait_for()
    item_path = await link.get_attribute("href")
    assert item_path and item_path.startswith("/agenda/")

    # The resident sees it on the board, proposed; the moderator schedules it; it moves.
    await resident.goto(f"{base_url}/agenda?community=hexie")
    proposed = resident.get_by_test_id("board-column-proposed")
    assert "规划电动车停放区" in await proposed.inner_text()
    await moderator.goto(base_url + item_path)
    offered = moderator.get_by_test_id("item-next-status").locator("option")
    assert await offered.evaluate_all("os => os.map(o => o.value)") == ["", "scheduled", "closed"]
    await moderator.get_by_test_id("item-next-status").select_option("scheduled")
    await moderator.get_by_test_id("item-note").fill("下周一楼道口会议讨论")
    await moderator.get_by_test_id("item-save").click()
    await moderator.get_by_test_id("item-status").filter(has_text="已排期").wait_for()
    await expect(moderator.get_by_test_id("item-save-status")).to_have_text("已保存")
    await resident.reload()
    scheduled = resident.get_by_test_id("board-column-scheduled")
    assert "规划电动车停放区" in await scheduled.inner_text()
    assert "规划电动车停放区" not in await resident.get_by_test_id("board-column-proposed").inner_text()
    await resident.get_by_text("规划电动车停放区").click()
    await resident.get_by_test_id("timeline").filter(has_text="下周一楼道口会议讨论").wait_for()
    # the resident's merged opinion told them so, in their inbox
    await resident.goto(f"{base_url}/inbox")
    assert "合并" in await resident.get_by_test_id("inbox").inner_text()
    await desk.close()
    assert errors == []


async def test_moderation_console_includes_triage(client: TestClient[Any, Any], world: World) -> None:
    host = Api(client, await login(client, "host-a"))
    session = await host.post("/api/sessions", {"community": "hexie", "title": "直播"}, expect=201)
    html = await (await client.get(f"/moderate/{session['id']}")).text()
    assert 'data-testid="triage"' in html
    assert 'data-community="hexie"' in html and f'data-session="{session["id"]}"' in html


async def test_you_said_we_did_card_in_chromium(
    client: TestClient[Any, Any], world: World, browser: Any, phone: Any, base_url: str
) -> None:
    host = Api(client, await login(client, "host-a"))
    session = await host.post("/api/sessions", {"community": "hexie", "title": "你说我做"}, expect=201)
    await host.post(f"/api/sessions/{session['id']}/start")
    item = await host.post("/api/agenda", {"community": "hexie", "title": "健身器材维修"}, expect=201)
    await host.patch(
        f"/api/agenda/{item['id']}", {"outcome": "区城管局已更换全部器材", "responsible": "区城管局"}
    )
    for step in ("scheduled", "deliberating", "decided", "in_progress", "resolved"):
        await host.patch(f"/api/agenda/{item['id']}", {"status": step})
    pending = await host.post("/api/agenda", {"community": "hexie", "title": "路灯维修"}, expect=201)
    resident = await phone.new_page()
    await resident.goto(f"{base_url}/live/{session['id']}")
    await resident.locator('[data-role="opinions"][data-live="joined"]').wait_for()
    card = resident.get_by_test_id("showcase")
    assert not await card.is_visible()

    desk = await browser.new_context(viewport={"width": 1024, "height": 900})
    console = await desk.new_page()
    await console.goto(f"{base_url}/login?next=/moderate/{session['id']}")
    await console.get_by_test_id("login-username").fill("host-a")
    await console.get_by_test_id("login-password").fill(PASSWORD)
    await console.get_by_test_id("login-submit").click()
    await console.wait_for_url(f"{base_url}/moderate/{session['id']}")
    await (
        console.get_by_test_id("showcase-item")
        .locator(f'option[value="{item["id"]}"]')
        .wait_for(state="attached")
    )
    offered = console.get_by_test_id("showcase-item").locator("option")
    assert await offered.evaluate_all("os => os.map(o => o.value)") == [item["id"]]  # resolved only
    assert pending["id"] != item["id"]
    await console.get_by_test_id("showcase-item").select_option(item["id"])
    await console.get_by_test_id("showcase-send").click()
    await card.filter(has_text="区城管局已更换全部器材").wait_for()
    await expect(console.get_by_test_id("showcase-status")).to_have_text("已在观看页展示")  # the host is told
    assert "健身器材维修" in await card.inner_text() and "你说我做" in await card.inner_text()
    await desk.close()


async def test_a_banned_resident_is_told_in_their_language(
    client: TestClient[Any, Any], room: Any, staff: Any, phone: Any, base_url: str
) -> None:
    page = await phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    await page.goto(f"{base_url}/live/{room.id}")
    # the form is the page script's once it has filled the categories (before, a tap would reload)
    filled = "() => document.querySelector('[data-testid=opinion-category]').options.length > 1"
    await page.wait_for_function(filled)
    await page.get_by_test_id("opinion-input").fill("楼下的共享单车挡住了盲道")
    await page.get_by_test_id("opinion-submit").click()
    status = page.locator('[data-role="opinion-status"]')
    await expect(status).to_contain_text("谢谢", timeout=15_000)
    assert await status.get_attribute("data-kind") == "ok", errors
    listed = await (await client.get(f"/api/opinions?session={room.id}")).json()  # the host reads it
    author = listed[0]["author"]["id"]
    ban = {"session": room.id, "action": "ban", "user": author, "reason": "广告"}
    banned = await staff.call("moderate", ban)
    assert banned["ok"], banned
    await page.get_by_test_id("opinion-input").fill("再说一次共享单车的事")
    await page.get_by_test_id("opinion-submit").click()
    await expect(status).to_contain_text("不能提意见", timeout=15_000)
    assert await status.get_attribute("data-kind") == "error"
    assert "banned" not in await status.inner_text()
