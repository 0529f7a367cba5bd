"""The navigation follows the person: inbox for everyone, triage and the live console for staff."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import World, login


async def _page(client: TestClient[Any, Any], path: str) -> str:
    response = await client.get(path)
    assert response.status == 200, path
    return await response.text()


async def _schedule(client: TestClient[Any, Any], csrf: str) -> str:
    response = await client.post(
        "/api/sessions",
        json={"community": "hexie", "title": "周四直播间", "scheduled_at": "2026-12-03T19:30:00+08:00"},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status == 201, await response.text()
    return str((await response.json())["id"])


async def test_guest_sees_inbox_but_no_staff_links(client: TestClient[Any, Any], world: World) -> None:
    html = await _page(client, "/")
    assert 'data-testid="nav-inbox"' in html
    assert 'data-testid="nav-triage"' not in html and 'data-testid="nav-moderate"' not in html


async def test_staff_find_triage_count_and_the_live_console(
    client: TestClient[Any, Any], world: World, other_browser: Any
) -> None:
    host_csrf = await login(client, "host-a")
    sid = await _schedule(client, host_csrf)
    # An upcoming session's watch page says when it starts, in the community's time zone.
    watch = await _page(client, f"/live/{sid}")
    starts = r'<time data-testid="starts-at" datetime="2026-12-03T19:30:00\+08:00">2026-12-03 19:30</time>'
    assert re.search(starts, watch)
    assert "（还有 6 天 3 小时）</span>" in watch  # the countdown, by the fake clock
    nobody_yet = r'<span data-role="watching" hidden>· [^<]*<strong data-testid="viewer-count">'
    assert re.search(nobody_yet, watch)  # nobody watches yet
    html = await _page(client, "/agenda")
    assert 'href="/triage" data-testid="nav-triage"' in html
    assert 'data-testid="nav-moderate"' not in html  # nothing live yet
    console = await _page(client, f"/host/{sid}")
    assert f'href="/moderate/{sid}" data-testid="open-moderation"' in console

    # A resident's opinion shows up as a count beside triage.
    me = await (await other_browser.get("/api/me")).json()
    posted = await other_browser.post(
        "/api/opinions",
        json={"community": "hexie", "text": "楼下电动车充电太乱"},
        headers={"X-CSRF-Token": me["csrf"]},
    )
    assert posted.status == 201
    started = await client.post(f"/api/sessions/{sid}/start", headers={"X-CSRF-Token": host_csrf})
    assert started.status == 200
    html = await _page(client, "/")
    assert f'href="/moderate/{sid}" data-testid="nav-moderate"' in html
    assert re.search(r'data-testid="nav-triage">[^<]*<span class="count"[^>]*>1</span>', html)


async def test_staff_of_another_community_get_no_console_link(
    client: TestClient[Any, Any], world: World, other_browser: Any
) -> None:
    host_csrf = await login(client, "host-a")
    sid = await _schedule(client, host_csrf)
    started = await client.post(f"/api/sessions/{sid}/start", headers={"X-CSRF-Token": host_csrf})
    assert started.status == 200
    me = await (await other_browser.get("/api/me")).json()
    signed = await other_browser.post(
        "/api/auth/login",
        json={"username": "host-b", "password": world.password},
        headers={"X-CSRF-Token": me["csrf"]},
    )
    assert signed.status == 200
    html = await (await other_browser.get("/")).text()
    assert 'data-testid="nav-triage"' in html and 'data-testid="nav-moderate"' not in html


async def test_favicon(client: TestClient[Any, Any]) -> None:
    response = await client.get("/favicon.ico")
    assert response.status == 200
    assert response.content_type == "image/x-icon"
    assert (await response.read())[:4] == b"\x00\x00\x01\x00"


async def test_an_ended_broadcast_closes_its_chat_and_links_to_the_replay(
    client: TestClient[Any, Any], world: World
) -> None:
    csrf = await login(client, "host-a")
    sid = await _schedule(client, csrf)
    live = await _page(client, f"/live/{sid}")
    assert 'data-testid="replay-link"' not in live
    assert 'data-testid="chat-ended" data-role="chat-ended" hidden>' in live
    for step in ("start", "end"):
        answer = await client.post(f"/api/sessions/{sid}/{step}", headers={"X-CSRF-Token": csrf})
        assert answer.status == 200
    ended = await _page(client, f"/live/{sid}")
    assert f'href="/archive/{sid}" data-testid="replay-link"' in ended
    assert 'data-testid="chat-ended" data-role="chat-ended">' in ended
    assert '<form class="stack" data-role="question-form" hidden>' in ended  # no new questions
    assert re.search(r'data-testid="viewers-total">· \d+ 人观看', ended)
    assert re.search(r'<form class="chat-form" data-role="chat-form" hidden>', ended)


async def test_staff_find_the_exports_on_the_board_and_in_triage(
    client: TestClient[Any, Any], world: World
) -> None:
    assert 'data-testid="agenda-exports"' not in await _page(client, "/agenda")  # residents: none
    await login(client, "mod-a")
    board = await _page(client, "/agenda?category=parking")
    links = re.findall(r'href="([^"]+)" data-testid="export-agenda-(?:csv|xlsx)"', board)
    assert links == [
        "/api/agenda.csv?category=parking&amp;community=hexie",
        "/api/agenda.xlsx?category=parking&amp;community=hexie",
    ]
    triage = await _page(client, "/triage")
    assert 'href="/audit?community=hexie" data-testid="open-audit"' in triage  # no broadcast needed
    links += re.findall(r'href="([^"]+)" data-testid="export-opinions-(?:csv|xlsx)"', triage)
    assert len(links) == 4
    for link in links:
        response = await client.get(link.replace("&amp;", "&"))
        assert response.status == 200, link


async def test_home_remembers_the_chosen_community(client: TestClient[Any, Any], world: World) -> None:
    first = await _page(client, "/")
    assert 'data-testid="my-community"' not in first and 'data-testid="community-choice"' in first
    assert "网格" not in first  # figures that mean nothing to a resident
    chosen = await _page(client, "/?community=xingfu")
    mine = chosen.split('data-testid="my-community"')[1].split("</section>")[0]
    assert "幸福社区" in mine and "和谐社区" not in mine
    again = await _page(client, "/")  # remembered
    assert "幸福社区" in again.split('data-testid="my-community"')[1].split("</section>")[0]
    board = await _page(client, "/agenda")
    assert re.search(r'<option value="xingfu" selected>', board)
    everything = await _page(client, "/agenda?community=")
    assert not re.search(r'<option value="xingfu" selected>', everything)


async def test_staff_start_on_their_own_community(client: TestClient[Any, Any], world: World) -> None:
    await login(client, "host-b")
    home = await _page(client, "/")
    assert "幸福社区" in home.split('data-testid="my-community"')[1].split("</section>")[0]
