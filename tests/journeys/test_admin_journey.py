"""A subdistrict admin on a desktop: from the home page, finds the admin pages, and the opinion
and agenda exports, through the navigation; the exports download with the demo's rows."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from playwright.async_api import expect

from .conftest import nav, open_home, shows_nothing_raw, sign_in


async def _download(page: Any, testid: str) -> str:
    async with page.expect_download() as waiting:
        await page.get_by_test_id(testid).click()
    download = await waiting.value
    path = Path(await download.path())
    return await asyncio.to_thread(path.read_text, encoding="utf-8-sig")


async def test_admin_finds_admin_pages_and_exports_from_the_navigation(
    client: TestClient[Any, Any], demo: None, desktop: Any, base_url: str
) -> None:
    admin = await open_home(desktop, base_url)
    await sign_in(admin, "admin")

    await nav(admin).get_by_role("link", name="管理").click()
    await expect(admin.locator("h1")).to_have_text("系统管理")
    for section in ("社区与地点", "用户与角色"):
        await admin.get_by_role("link", name=section).click()
        await expect(admin.get_by_role("heading", name=section)).to_be_in_viewport()
    await shows_nothing_raw(admin)

    # The agenda board's exports (every community for an admin).
    await nav(admin).get_by_role("link", name="议题").click()
    agenda_csv = await _download(admin, "export-agenda-csv")
    assert "纺织厂宿舍3号楼加装电梯" in agenda_csv and "共享单车乱停放" in agenda_csv

    # Triage, with its count of new opinions, and the community's opinion export.
    await nav(admin).get_by_test_id("nav-triage").click()
    await expect(admin.locator("h1")).to_contain_text("意见分拣")
    opinions_csv = await _download(admin, "export-opinions-csv")
    assert len(opinions_csv.strip().splitlines()) > 5
