"""QR codes, posters, link previews and calendar files over real HTTP; the QR decoded in Chromium."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import icalendar
import zxingcpp
from aiohttp.test_utils import TestClient
from PIL import Image

from tests.conftest import World, login
from tests.opinions.conftest import Api


async def _things(client: TestClient[Any, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    host = Api(client, await login(client, "host-a"))
    session = await host.post(
        "/api/sessions",
        {
            "community": "hexie",
            "title": "加装电梯说明会",
            "description": "请居民参加",
            "scheduled_at": "2026-12-20T19:30:00+08:00",
        },
        expect=201,
    )
    item = await host.post("/api/agenda", {"community": "hexie", "title": "3栋加装电梯"}, expect=201)
    meeting = await host.post(
        "/api/meetings",
        {
            "community": "hexie",
            "format": "stairwell",
            "title": "3单元楼道口会议",
            "starts_at": "2026-12-21T19:00:00+08:00",
            "place": "幸福里3栋3单元楼道口",
            "agenda": [item["id"]],
        },
        expect=201,
    )
    return session, item, meeting


async def test_calendar_files(client: TestClient[Any, Any], world: World) -> None:
    session, _item, meeting = await _things(client)
    response = await client.get(f"/live/{session['id']}.ics")
    assert response.status == 200 and response.content_type == "text/calendar"
    cal = icalendar.Calendar.from_ical(await response.read())
    [event] = cal.walk("VEVENT")
    assert str(event["summary"]) == "加装电梯说明会"
    assert event.decoded("dtstart") == datetime(2026, 12, 20, 11, 30, tzinfo=UTC)
    assert str(event["url"]) == str(client.make_url(f"/live/{session['id']}"))
    assert event.walk("VALARM"), "a reminder before the broadcast"

    feed = icalendar.Calendar.from_ical(await (await client.get("/communities/hexie/calendar.ics")).read())
    summaries = [str(e["summary"]) for e in feed.walk("VEVENT")]
    assert summaries == ["加装电梯说明会", "3单元楼道口会议"]
    [m] = [e for e in feed.walk("VEVENT") if str(e["summary"]) == "3单元楼道口会议"]
    assert str(m["location"]) == "幸福里3栋3单元楼道口"
    one = icalendar.Calendar.from_ical(await (await client.get(f"/meetings/{meeting['id']}.ics")).read())
    assert [str(e["summary"]) for e in one.walk("VEVENT")] == ["3单元楼道口会议"]
    assert (await client.get("/communities/nowhere/calendar.ics")).status == 404
    assert (await client.get("/live/9999.ics")).status == 404
    other = icalendar.Calendar.from_ical(await (await client.get("/communities/xingfu/calendar.ics")).read())
    assert other.walk("VEVENT") == []


async def test_qr_posters_and_previews(client: TestClient[Any, Any], world: World) -> None:
    session, item, meeting = await _things(client)
    for path in (f"/live/{session['id']}", f"/agenda/{item['id']}", f"/meetings/{meeting['id']}"):
        qr = await client.get(f"{path}/qr.svg")
        assert qr.status == 200 and qr.content_type == "image/svg+xml"
        assert (await qr.text()).lstrip().startswith("<?xml")
        poster = await client.get(f"{path}/poster")
        html = await poster.text()
        assert poster.status == 200 and f'src="{path}/qr.svg"' in html and 'data-testid="poster"' in html
        page = await (await client.get(path)).text()
        assert f'href="{path}/poster"' in page
        assert f'<meta property="og:url" content="{client.make_url(path)}">' in page
        assert 'property="og:image"' in page and 'property="og:title"' in page
    poster = await (await client.get(f"/live/{session['id']}/poster")).text()
    assert "加装电梯说明会" in poster and "2026-12-20 19:30" in poster and "和谐社区" in poster
    meeting_poster = await (await client.get(f"/meetings/{meeting['id']}/poster")).text()
    assert "幸福里3栋3单元楼道口" in meeting_poster and "2026-12-21 19:00" in meeting_poster
    for missing in ("/live/9999/qr.svg", "/agenda/9999/qr.svg", "/meetings/9999/qr.svg", "/meetings/9999"):
        assert (await client.get(missing)).status == 404


async def test_qr_decodes_to_the_page_url(
    client: TestClient[Any, Any], world: World, browser: Any, base_url: str
) -> None:
    session, item, meeting = await _things(client)
    page = await browser.new_page(viewport={"width": 600, "height": 600})
    try:
        for path in (f"/live/{session['id']}", f"/agenda/{item['id']}", f"/meetings/{meeting['id']}"):
            await page.goto(f"{base_url}{path}/qr.svg")
            shot = await page.locator("svg").screenshot()
            found = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
            assert [r.text for r in found] == [f"{base_url}{path}"]
    finally:
        await page.close()


async def test_public_url_setting_is_used(aiohttp_client: Any, settings: Any, world: World) -> None:
    from live.app import create_app
    from tests.conftest import with_settings

    client = await aiohttp_client(create_app(with_settings(settings, public_url="https://live.example.org")))
    session, _item, _meeting = await _things(client)
    cal = icalendar.Calendar.from_ical(await (await client.get(f"/live/{session['id']}.ics")).read())
    [event] = cal.walk("VEVENT")
    assert str(event["url"]) == f"https://live.example.org/live/{session['id']}"
