"""XSS payloads in every field people type stay inert text in Chromium, on every page showing them.

The payload goes (through the real API and real socket clients) into session titles and
descriptions, guest names, chat messages, opinions (text, location), agenda items (title, summary,
responsible, notes), meetings, community names and user names. Each page that shows them is
opened in Debian's Chromium, as the person who would see them: the watch page (chat, opinions),
the archive replay, the agenda item, the home page, the moderation console, triage and admin.
On each: the payload's text is shown as text, no element of it exists in the DOM, no script of it
ran, and the Content-Security-Policy reported no violation (nothing even tried)."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from playwright.async_api import expect

from tests.conftest import PASSWORD, World, login
from tests.realtime.conftest import Connect, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MARK = "XSS-MARK"
PAYLOAD = (
    f"{MARK}<img data-xss src=x onerror=window.__xss=1><svg data-xss onload=window.__xss=1>"
    "<script data-xss>window.__xss=1</script>\"'><a data-xss href=javascript:window.__xss=1>x</a>"
)
MID = f"{MARK}<img data-xss src=x onerror=window.__xss=1><svg data-xss onload=window.__xss=1>"
NAME = f"{MARK}<img data-xss src=x onerror=alert(1)>"  # for names of at most 64 characters
SHORT = "<b data-xss>x</b>"  # for guest names (at most 24 characters)
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective));
"""


async def seed(client: TestClient[Any, Any], connect: Connect) -> dict[str, str]:
    host = await login(client, "host-a")

    async def call(method: str, path: str, body: Any = None, csrf: str = host, status: int = 200) -> Any:
        response = await client.request(method, path, json=body, headers={"X-CSRF-Token": csrf})
        assert response.status == status, (path, await response.text())
        return await response.json()

    live = await call(
        "POST", "/api/sessions", {"community": "hexie", "title": PAYLOAD, "description": PAYLOAD}, status=201
    )
    ended = await call("POST", "/api/sessions", {"community": "hexie", "title": PAYLOAD}, status=201)
    for session in (live, ended):
        await call("POST", f"/api/sessions/{session['id']}/start")
    guest = await connect(name=SHORT, guest="xss-guest-1")
    for session in (live, ended):
        assert (await guest.sio.call("join", {"session": session["id"]}, timeout=30))["ok"]
        assert (await guest.sio.call("chat", {"session": session["id"], "text": PAYLOAD}, timeout=30))["ok"]
        opinion = {"session": session["id"], "text": PAYLOAD, "location": PAYLOAD}
        ack = await guest.sio.call("opinion", opinion, timeout=30)
        assert ack["ok"], ack
    await call("POST", f"/api/sessions/{ended['id']}/end")
    mod = await login(client, "mod-a")
    item = await call(
        "POST",
        "/api/agenda",
        {
            "community": "hexie",
            "title": PAYLOAD,
            "summary": PAYLOAD,
            "responsible": MID,
            "opinions": ["1"],
        },
        csrf=mod,
        status=201,
    )
    await call("PATCH", f"/api/agenda/{item['id']}", {"status": "scheduled", "note": PAYLOAD}, csrf=mod)
    await call(
        "POST",
        "/api/meetings",
        {
            "community": "hexie",
            "format": "roundtable",
            "title": PAYLOAD,
            "place": PAYLOAD,
            "starts_at": "2026-12-05T19:00:00+08:00",
            "agenda": [item["id"]],
        },
        csrf=mod,
        status=201,
    )
    admin = await login(client, "admin")
    await call("POST", "/api/admin/communities", {"slug": "xssville", "name": MID}, csrf=admin, status=201)
    await call(
        "POST",
        "/api/admin/users",
        {"username": "xss-user", "password": PASSWORD, "role": "resident", "name": NAME},
        csrf=admin,
        status=201,
    )
    return {"live": live["id"], "ended": ended["id"], "item": item["id"]}


async def signed_in(browser: Any, client: TestClient[Any, Any], username: str | None) -> Any:
    context = await browser.new_context(viewport={"width": 360, "height": 740})
    await context.add_init_script(WATCH)
    if username is not None:
        name, _, value = (await session_cookie(client, username)).partition("=")
        url = str(client.make_url("/"))
        await context.add_cookies([{"name": name, "value": value, "url": url}])
    return context


async def check(context: Any, url: str) -> None:
    page = await context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    await page.route("**/whep*", lambda route: route.abort())
    response = await page.goto(url)
    assert response is not None and response.status == 200, url
    await expect(page.get_by_text(MARK).first).to_be_attached()
    if "/live/" in url or "/moderate/" in url:  # the chat, rendered by the page's script
        await expect(page.get_by_test_id("chat-list").get_by_text(MARK).first).to_be_attached()
    assert await page.locator("[data-xss]").count() == 0, url
    assert await page.evaluate("window.__xss") is None, url
    assert await page.evaluate("window.__violations") == [], url
    assert dialogs == []
    await page.close()


async def test_payloads_are_inert_text_on_every_page(
    browser: Any, client: TestClient[Any, Any], world: World, connect: Connect, base_url: str
) -> None:
    ids = await seed(client, connect)
    pages = {
        None: ["/", f"/live/{ids['live']}", f"/archive/{ids['ended']}", f"/agenda/{ids['item']}"],
        "mod-a": [f"/moderate/{ids['live']}", "/triage", f"/agenda/{ids['item']}"],
        "admin": ["/admin"],
    }
    for username, paths in pages.items():
        context = await signed_in(browser, client, username)
        try:
            for path in paths:
                await check(context, base_url + path)
        finally:
            await context.close()
