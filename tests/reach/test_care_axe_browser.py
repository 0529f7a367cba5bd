"""Care mode (长辈版) measured on the rendered page at 360 px, and axe-core on every page in both
modes and both languages, in Chromium."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import World
from tests.reach.pages import axe, make_world, measure, public_pages, sign_in, staff_pages

CJK = re.compile(r"[\u3400-\u9fff]")


def _brief(problems: dict[str, Any]) -> str:
    """One line per offending element, for a readable failure."""
    lines = []
    for path, kinds in problems.items():
        for kind, found in kinds.items():
            if not isinstance(found, list):
                lines.append(f"{path} {kind}: {found}")
                continue
            for t in found[:8]:
                value = {k: t[k] for k in ("size", "lineHeight", "contrast", "w", "h") if k in t}
                lines.append(f"{path} {kind}: <{t['tag']} class={t['cls']!r}> {t['text']!r} {value}")
    return "\n".join(lines)


async def _set_mode(context: Any, base_url: str, *, care: bool, lang: str) -> None:
    host = base_url.split("://", 1)[1].split(":")[0]
    await context.add_cookies(
        [
            {"name": "care", "value": "1" if care else "0", "domain": host, "path": "/"},
            {"name": "lang", "value": lang, "domain": host, "path": "/"},
        ]
    )


async def test_care_mode_toggle_is_remembered_and_sized(
    client: TestClient[Any, Any], world: World, phone: Any, base_url: str
) -> None:
    ids = await make_world(client)
    page = await phone.new_page()
    await page.goto(f"{base_url}/agenda")
    assert "care" not in (await page.get_attribute("body", "class") or "")
    await page.get_by_test_id("care-mode").click()
    await page.wait_for_url(f"{base_url}/agenda")
    assert "care" in (await page.get_attribute("body", "class") or "")
    await page.goto(f"{base_url}/")
    assert "care" in (await page.get_attribute("body", "class") or ""), "remembered on the next page"
    problems: dict[str, Any] = {}
    for path in [*public_pages(ids)]:
        await page.goto(f"{base_url}{path}")
        found = await measure(page)
        small = [t for t in found["texts"] if t["size"] < 18]
        tight = [t for t in found["texts"] if round(t["lineHeight"], 2) < 1.3 and t["tag"] != "SELECT"]
        faint = [t for t in found["texts"] if t["contrast"] is not None and t["contrast"] < 4.5]
        tiny = [t for t in found["targets"] if t["w"] < 60 or t["h"] < 60]
        largest = max(t["size"] for t in found["texts"])
        bad = {k: v for k, v in {"small": small, "tight": tight, "faint": faint, "tiny": tiny}.items() if v}
        if largest < 30:
            bad["largest"] = largest
        if found["width"] > 360:
            bad["overflow"] = found["width"]
        if bad:
            problems[path] = bad
    assert problems == {}, _brief(problems)
    # the watch page is simpler: video, chat, one big opinion button (no category or place pickers)
    await page.goto(f"{base_url}/live/{ids['live']}")
    assert not await page.get_by_test_id("opinion-category").is_visible()
    assert (
        await page.get_by_test_id("video").is_visible()
        and await page.get_by_test_id("chat-list").is_visible()
    )
    submit = await page.get_by_test_id("opinion-submit").bounding_box()
    assert submit is not None and submit["width"] >= 260 and submit["height"] >= 72
    await page.get_by_test_id("care-mode").click()
    assert "care" not in (await page.get_attribute("body", "class") or "")


async def test_normal_mode_sizes(
    client: TestClient[Any, Any], world: World, phone: Any, base_url: str
) -> None:
    ids = await make_world(client)
    page = await phone.new_page()
    problems: dict[str, Any] = {}
    for path in public_pages(ids):
        await page.goto(f"{base_url}{path}")
        found = await measure(page)
        small = [t for t in found["texts"] if t["size"] < 16]
        tiny = [t for t in found["targets"] if t["w"] < 44 or t["h"] < 44]
        bad: dict[str, Any] = {k: v for k, v in {"small": small, "tiny": tiny}.items() if v}
        if found["width"] > 360:
            bad["overflow"] = found["width"]
        if bad:
            problems[path] = bad
    assert problems == {}, _brief(problems)


async def test_axe_on_every_page_in_both_modes_and_languages(
    client: TestClient[Any, Any], world: World, browser: Any, base_url: str
) -> None:
    ids = await make_world(client)
    problems: dict[str, Any] = {}
    chinese_in_english: dict[str, list[str]] = {}
    for user in (None, "admin"):
        context = await browser.new_context(viewport={"width": 360, "height": 740})
        page = await context.new_page()
        if user:
            await sign_in(page, base_url, user)
        paths = staff_pages(ids) if user else public_pages(ids)
        for care in (False, True):
            for lang in ("zh-CN", "en"):
                await _set_mode(context, base_url, care=care, lang=lang)
                for path in paths:
                    await page.goto(f"{base_url}{path}")
                    await page.wait_for_load_state("networkidle")
                    found = await axe(page)
                    if found:
                        problems[f"{path} care={care} {lang}"] = found
                    if lang == "en":
                        text = await page.evaluate("() => document.body.innerText + ' ' + document.title")
                        stray = sorted(set(CJK.findall(text)))
                        if stray:
                            chinese_in_english[path] = stray
        await context.close()
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())
