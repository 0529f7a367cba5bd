"""Helpers for the reach browser tests: a world with one of every page, axe-core and measurements
of the rendered page (font sizes, line heights, contrast, touch targets)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import PASSWORD, login
from tests.opinions.conftest import Api

AXE = Path(__file__).resolve().parents[2] / "web" / "static" / "vendor" / "axe.min.js"

# Every visible element with text of its own, every visible target; contrast against the first
# ancestor with an opaque background (text over a video or image is left out).
# the function itself, without its leading comment line
MEASURE = Path(__file__).with_name("measure.js").read_text(encoding="utf-8").split("\n", 1)[1]


async def make_world(client: TestClient[Any, Any]) -> dict[str, str]:
    """A live session, an ended one, an item, a meeting: the paths of every kind of page."""
    host = Api(client, await login(client, "host-a"))
    live = await host.post("/api/sessions", {"community": "hexie", "title": "社区直播"}, expect=201)
    await host.post(f"/api/sessions/{live['id']}/start")
    ended = await host.post("/api/sessions", {"community": "hexie", "title": "上周的直播"}, expect=201)
    await host.post(f"/api/sessions/{ended['id']}/start")
    await host.post(f"/api/sessions/{ended['id']}/end")
    opinion = await host.post("/api/opinions", {"community": "hexie", "text": "楼道灯坏了"}, expect=201)
    item = await host.post(
        "/api/agenda", {"community": "hexie", "title": "修楼道灯", "opinions": [opinion["id"]]}, expect=201
    )
    meeting = await host.post(
        "/api/meetings",
        {
            "community": "hexie",
            "format": "stairwell",
            "title": "楼道口会议",
            "starts_at": "2026-12-21T19:00:00+08:00",
            "place": "3栋楼道口",
            "agenda": [item["id"]],
        },
        expect=201,
    )
    return {
        "live": str(live["id"]),
        "ended": str(ended["id"]),
        "item": str(item["id"]),
        "meeting": str(meeting["id"]),
    }


def public_pages(ids: dict[str, str]) -> list[str]:
    return [
        "/",
        "/login",
        f"/live/{ids['live']}",
        "/agenda",
        f"/agenda/{ids['item']}",
        "/archive",
        f"/archive/{ids['ended']}",
        "/inbox",
        f"/meetings/{ids['meeting']}",
        f"/live/{ids['live']}/poster",
        f"/agenda/{ids['item']}/poster",
        f"/meetings/{ids['meeting']}/poster",
        "/stats",
        "/stats/hexie",
        "/reports/hexie/2026-11",
    ]


def staff_pages(ids: dict[str, str]) -> list[str]:
    return [
        "/host", f"/host/{ids['live']}", f"/moderate/{ids['live']}", "/triage", "/admin",
        f"/agenda/{ids['item']}",
    ]  # fmt: skip


async def sign_in(page: Any, base_url: str, username: str) -> None:
    await page.goto(f"{base_url}/login")
    await page.get_by_test_id("login-username").fill(username)
    await page.get_by_test_id("login-password").fill(PASSWORD)
    await page.get_by_test_id("login-submit").click()
    await page.wait_for_url(f"{base_url}/")


async def axe(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page as rendered now."""
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE.read_text(encoding="utf-8"))
    result = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + n.failureSummary)}))"
    )
    return list(result)


async def measure(page: Any) -> dict[str, Any]:
    return dict(await page.evaluate(MEASURE))
