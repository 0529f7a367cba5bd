"""The home and sign-in pages, in Chinese by default with English available."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from playwright.async_api import expect

from live.keys import SERVICES
from tests.conftest import PASSWORD, World


async def test_home_is_chinese_by_default(client: TestClient[Any, Any], world: World) -> None:
    response = await client.get("/")
    assert response.status == 200
    html = await response.text()
    assert '<html lang="zh-CN">' in html
    assert "社区直播间" in html
    assert "和谐社区" in html
    assert 'data-testid="lang-switch"' in html
    assert "Content-Security-Policy" in response.headers


async def test_language_switch_to_english_and_back(client: TestClient[Any, Any], world: World) -> None:
    switched = await client.get("/lang?to=en&next=/", allow_redirects=True)
    html = await switched.text()
    assert '<html lang="en">' in html
    assert "Community livestream room" in html
    back = await (await client.get("/lang?to=zh-CN&next=/")).text()
    assert "社区直播间" in back


async def test_lang_switch_refuses_offsite_next(client: TestClient[Any, Any], world: World) -> None:
    response = await client.get("/lang?to=en&next=//evil.example", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/"


async def test_home_lists_sessions_per_community(client: TestClient[Any, Any], world: World) -> None:
    from tests.conftest import login

    csrf = await login(client, "host-a")
    created = await client.post(
        "/api/sessions",
        json={"community": "hexie", "title": "本周直播：停车难", "scheduled_at": "2026-12-01T11:00:00Z"},
        headers={"X-CSRF-Token": csrf},
    )
    assert created.status == 201
    html = await (await client.get("/")).text()
    assert "本周直播：停车难" in html
    assert "即将开播" in html


async def test_login_form_signs_in(client: TestClient[Any, Any], world: World) -> None:
    page = await client.get("/login")
    html = await page.text()
    for hook in ("login-username", "login-password", "login-submit"):
        assert f'data-testid="{hook}"' in html
    csrf = html.split('name="csrf" value="')[1].split('"')[0]
    response = await client.post(
        "/login",
        data={"csrf": csrf, "username": "host-a", "password": PASSWORD, "next": "/"},
        allow_redirects=False,
    )
    assert response.status == 303
    me = await (await client.get("/api/me")).json()
    assert me["user"]["role"] == "host"


async def test_login_form_wrong_password(client: TestClient[Any, Any], world: World) -> None:
    html = await (await client.get("/login")).text()
    csrf = html.split('name="csrf" value="')[1].split('"')[0]
    response = await client.post("/login", data={"csrf": csrf, "username": "host-a", "password": "x"})
    assert response.status == 401
    assert "用户名或密码错误" in await response.text()
    forged = await client.post("/login", data={"username": "host-a", "password": PASSWORD})
    assert forged.status == 403


def test_every_template_string_has_a_chinese_translation() -> None:
    """Every string marked in templates, Python and JS is translated in some zh_CN catalogue."""
    from babel.messages.extract import extract_from_dir

    from live.http.i18n import read_catalogues

    root = Path(__file__).resolve().parents[1]
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for c in read_catalogues("zh_CN")
        for m in c
        if m.id and (m.string if isinstance(m.string, str) else all(m.string))
    }
    method_map = [("web/templates/**.html", "jinja2"), ("live/**.py", "python")]
    options = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    marked = {
        message[2] if isinstance(message[2], str) else message[2][0]
        for message in extract_from_dir(
            str(root), method_map, options, keywords={"_": None, "gettext": None, "ngettext": (1, 2)}
        )
    }
    assert sorted(marked - translated) == []


async def test_demo_seed_is_lively_and_idempotent(client: TestClient[Any, Any]) -> None:
    from live.services.demo import seed_demo

    services = client.app[SERVICES]
    assert await seed_demo(services.db, services.clock) is True
    assert await seed_demo(services.db, services.clock) is False
    counts = await services.places.counts()
    assert counts == {"communities": 10, "compounds": 89, "grids": 119}
    html = await (await client.get("/")).text()
    assert "丰乐社区" in html
    login = await client.post(
        "/api/auth/login",
        json={"username": "host-hexie", "password": "roundtable"},
        headers={"X-CSRF-Token": (await (await client.get("/api/me")).json())["csrf"]},
    )
    assert login.status == 200
    ended = await (await client.get("/api/sessions?status=ended&community=hexie")).json()
    assert len(ended) == 3


async def test_home_renders_on_a_phone_in_chromium(phone: Any, base_url: str, world: World) -> None:
    page = await phone.new_page()
    await page.goto(base_url + "/")
    assert await page.locator("h1").inner_text() == "社区直播间"
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    await page.get_by_test_id("lang-switch").click()
    await expect(page.locator("h1")).to_have_text("Community livestream room")


async def test_sign_in_in_chromium(phone: Any, base_url: str, world: World) -> None:
    page = await phone.new_page()
    await page.goto(base_url + "/login")
    await page.get_by_test_id("login-username").fill("host-a")
    await page.get_by_test_id("login-password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await page.wait_for_url(base_url + "/")
    assert "退出" in await page.content()


async def test_browsers_get_html_error_pages_and_scripts_json(
    client: TestClient[Any, Any], world: World
) -> None:
    from tests.conftest import login

    html = {"Accept": "text/html,application/xhtml+xml"}
    missing = await client.get("/live/999999", headers=html)
    assert missing.status == 404
    assert "找不到这个页面" in await missing.text()
    assert (await client.get("/no/such/page", headers=html)).status == 404
    api = await client.get("/api/sessions/999999", headers=html)
    assert api.status == 404
    assert (await api.json())["error"] == "not_found"
    csrf = await login(client, "host-b")
    created = await client.post(
        "/api/sessions", json={"community": "xingfu", "title": "幸福直播"}, headers={"X-CSRF-Token": csrf}
    )
    session_id = (await created.json())["id"]
    await login(client, "host-a")
    forbidden = await client.get(f"/host/{session_id}", headers=html)
    assert forbidden.status == 403
    assert "没有权限" in await forbidden.text()
    script = await client.get(f"/host/{session_id}")
    assert script.status == 403
