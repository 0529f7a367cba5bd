"""The identity pages work without JavaScript, in zh-CN and English: register, the moderator's
household page (issue a code: QR + 8 characters), redeeming, and the two numbers on the board."""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from tests.conftest import World
from tests.identity.conftest import signed_in


def csrf_of(html: str) -> str:
    return html.split('name="csrf" value="')[1].split('"')[0]


async def test_pages_in_both_languages_and_the_moderators_household_page(
    client: TestClient[Any, Any], world: World, units: dict[str, str], other_browser: aiohttp.ClientSession
) -> None:
    zh = await (await client.get("/register")).text()
    assert "居民注册" in zh and 'data-testid="register-phone"' in zh
    en = await (await client.get("/register?lang=en")).text()
    assert "Register as a resident" in en
    guest_join = await (await client.get("/households/join?code=ABCD2345")).text()
    assert 'data-testid="household-register"' in guest_join

    await signed_in(client, "mod-a")
    page = await (await client.get("/households")).text()
    assert "阳光小区 3栋 2单元" in page
    issued = await client.post(
        "/households",
        data={"csrf": csrf_of(page), "action": "code", "unit": units["hexie"], "room": "301"},
    )
    assert issued.status == 201
    html = await issued.text()
    code = html.split('data-testid="household-code-issued">')[1].split("<")[0]
    assert len(code) == 8
    assert f'src="/households/qr/{code}.svg"' in html
    # Staff of another community see their own community only.
    other = await signed_in(other_browser, "host-b")
    assert "阳光小区" not in await (await other_browser.get("/households")).text()
    refused = await other.post("/api/households/codes", {"unit": units["hexie"], "room": "1"}, expect=403)
    assert refused["error"] == "forbidden"

    # A resident redeems it with the form.
    await client.post("/logout", data={"csrf": csrf_of(html)})
    await signed_in(client, "resident")
    form = await (await client.get(f"/households/join?code={code}")).text()
    assert f'value="{code}"' in form
    joined = await client.post("/households/join", data={"csrf": csrf_of(form), "code": code})
    assert "阳光小区 3栋 2单元 301" in await joined.text()

    # The board and the item page show both numbers.
    mod = await signed_in(other_browser, "mod-a")
    made = await mod.post("/api/opinions", {"community": "hexie", "text": "楼道灯不亮"}, expect=201)
    item = await mod.post(
        "/api/agenda", {"community": "hexie", "title": "修楼道灯", "opinions": [made["id"]]}, expect=201
    )
    board = await (await client.get("/agenda?community=hexie")).text()
    assert "1 人附议 · 其中 0 户已核实" in board
    page_en = await (await client.get(f"/agenda/{item['id']}?lang=en")).text()
    assert "1 supporter · of whom 0 verified households" in page_en
