"""A live session of hexie and people in their own cookie jars (guests and signed-in staff)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from live.clock import FakeClock
from tests.conftest import PASSWORD, World, login


@dataclass
class Person:
    """One browser: its own cookie jar and CSRF token."""

    http: aiohttp.ClientSession
    csrf: str

    async def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        response = await self.http.request(method, path, json=body, headers={"X-CSRF-Token": self.csrf})
        text = await response.text()
        import json

        return response.status, (json.loads(text) if text else None)


People = Callable[..., Awaitable[Person]]


@pytest.fixture
async def people(client: TestClient[Any, Any], world: World) -> AsyncIterator[People]:
    """``await people()`` a new guest; ``await people("mod-a")`` signed in as that user."""
    opened: list[aiohttp.ClientSession] = []

    async def make(username: str | None = None) -> Person:
        http = aiohttp.ClientSession(
            base_url=str(client.make_url("/")), cookie_jar=aiohttp.CookieJar(unsafe=True)
        )
        opened.append(http)
        csrf = (await (await http.get("/api/me")).json())["csrf"]
        if username is not None:
            signed = await http.post(
                "/api/auth/login",
                json={"username": username, "password": PASSWORD},
                headers={"X-CSRF-Token": csrf},
            )
            assert signed.status == 200, await signed.text()
            csrf = (await signed.json())["csrf"]
        return Person(http, csrf)

    yield make
    for http in opened:
        await http.close()


@dataclass
class Live:
    id: str
    host: Person


@pytest.fixture
async def live(people: People) -> Live:
    host = await people("host-a")
    status, created = await host.call(
        "POST", "/api/sessions", {"community": "hexie", "title": "小区停车议事"}
    )
    assert status == 201, created
    status, _ = await host.call("POST", f"/api/sessions/{created['id']}/start")
    assert status == 200
    return Live(str(created["id"]), host)


__all__ = ["Live", "People", "Person", "login"]


async def stairwell_meeting(mod: Person, clock: FakeClock) -> dict[str, Any]:
    """A 楼道口会议 of hexie tomorrow, made by the moderator ``mod``; its JSON."""
    status, made = await mod.call(
        "POST",
        "/api/meetings",
        {
            "community": "hexie",
            "format": "stairwell",
            "title": "楼道口会议",
            "starts_at": (clock.now() + timedelta(days=1)).isoformat(),
            "place": "3号楼楼道口",
            "agenda": [],
        },
    )
    assert status == 201, made
    return dict(made)
