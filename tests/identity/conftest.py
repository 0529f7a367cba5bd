"""Helpers for the identity tests: places down to units, JSON clients with their CSRF token."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from tests.conftest import World, login
from tests.opinions.conftest import Api, guest_api

# The live room's socket fixtures (real socket.io clients, a live session).
from tests.realtime.conftest import connect, room, staff  # noqa: F401


async def signed_in(http: TestClient[Any, Any] | aiohttp.ClientSession, username: str) -> Api:
    if isinstance(http, TestClient):
        return Api(http, await login(http, username))
    me = await (await http.get("/api/me")).json()
    response = await http.post(
        "/api/auth/login",
        json={"username": username, "password": World.password},
        headers={"X-CSRF-Token": me["csrf"]},
    )
    assert response.status == 200, await response.text()
    return Api(http, (await response.json())["csrf"])


async def add_unit(admin: Api, community: str, compound: str = "阳光小区") -> str:
    """A compound, building and unit in ``community``; returns the unit's id."""
    c = await admin.post(
        "/api/admin/places", {"kind": "compound", "community": community, "name": compound}, expect=201
    )
    b = await admin.post(
        "/api/admin/places",
        {"kind": "building", "community": community, "name": "3栋", "parent": c["id"]},
        expect=201,
    )
    u = await admin.post(
        "/api/admin/places",
        {"kind": "unit", "community": community, "name": "2单元", "parent": b["id"]},
        expect=201,
    )
    return str(u["id"])


@pytest.fixture
async def units(
    client: TestClient[Any, Any], world: World, other_browser: aiohttp.ClientSession
) -> dict[str, str]:
    """A unit in each community (made by the admin in a browser of its own)."""
    admin = await signed_in(other_browser, "admin")
    found = {"hexie": await add_unit(admin, "hexie"), "xingfu": await add_unit(admin, "xingfu", "幸福里")}
    await other_browser.post("/api/auth/logout", headers={"X-CSRF-Token": admin.csrf})
    other_browser.cookie_jar.clear()
    return found


__all__ = ["Api", "add_unit", "guest_api", "signed_in"]
