"""Page states and counts: an upcoming broadcast shows no player controls and no viewer count;
English counts agree with their number ("1 broadcast", not "1 broadcasts")."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import World, login

ONE_PLURAL = re.compile(r"\b1</strong> (people|viewers|opinions|broadcasts|communities|items)\b|\b1 people\b")


async def _schedule(client: TestClient[Any, Any], csrf: str) -> str:
    response = await client.post(
        "/api/sessions",
        json={"community": "hexie", "title": "周四直播间", "scheduled_at": "2026-12-03T19:30:00+08:00"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status == 201, await response.text()
    return str((await response.json())["id"])


async def test_an_upcoming_broadcast_has_no_player_controls_and_a_calendar_file(
    client: TestClient[Any, Any], world: World
) -> None:
    csrf = await login(client, "host-a")
    sid = await _schedule(client, csrf)
    html = await (await client.get(f"/live/{sid}")).text()
    assert re.search(r'<video data-testid="video" playsinline muted autoplay>', html)  # no controls
    assert '<span data-role="watching" hidden>' in html
    assert f'href="/live/{sid}.ics" data-testid="ics-link"' in html
    ics = await client.get(f"/live/{sid}.ics")
    assert ics.status == 200 and ics.content_type == "text/calendar"
    assert "DTSTART:20261203T113000Z" in (await ics.text()).replace("\r\n", "\n")
    started = await client.post(f"/api/sessions/{sid}/start", headers={"X-CSRF-Token": csrf})
    assert started.status == 200
    html = await (await client.get(f"/live/{sid}")).text()
    assert '<video data-testid="video" playsinline muted autoplay controls>' in html


async def test_english_counts_agree_with_their_number(client: TestClient[Any, Any], world: World) -> None:
    csrf = await login(client, "host-a")
    sid = await _schedule(client, csrf)
    assert "<strong>0</strong> broadcasts</li>" in await (await client.get("/?lang=en")).text()
    for step in ("start", "end"):
        answer = await client.post(f"/api/sessions/{sid}/{step}", headers={"X-CSRF-Token": csrf})
        assert answer.status == 200
    home = await (await client.get("/?lang=en")).text()
    assert re.search(r"<strong>1</strong> broadcast</li>", home)
    assert re.search(r"<strong>2</strong> communities</li>", home)
    assert not ONE_PLURAL.search(home)
    chinese = await (await client.get("/")).text()
    assert re.search(r"<strong>1</strong> 场直播</li>", chinese)
    for path in ("/archive?lang=en", "/agenda?lang=en"):
        page = await client.get(path)
        assert page.status == 200
        assert not ONE_PLURAL.search(await page.text()), path
