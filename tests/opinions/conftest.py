"""Helpers for the opinions, agenda and meetings tests."""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

# The live room's socket fixtures (real socket.io clients, a live session), for test_socket.py.
from tests.realtime.conftest import connect, room, staff  # noqa: F401


class Api:
    """A JSON client that sends its CSRF token with every write."""

    def __init__(self, http: TestClient[Any, Any] | aiohttp.ClientSession, csrf: str) -> None:
        self.http = http
        self.csrf = csrf

    async def call(self, method: str, path: str, body: Any = None, expect: int | None = None) -> Any:
        headers = {"X-CSRF-Token": self.csrf}
        response = await self.http.request(method, path, json=body, headers=headers)
        payload = await response.json(content_type=None) if response.content_length != 0 else None
        if expect is not None:
            assert response.status == expect, (response.status, payload)
        return payload

    async def get(self, path: str, expect: int = 200) -> Any:
        return await self.call("GET", path, expect=expect)

    async def post(self, path: str, body: Any = None, expect: int = 200) -> Any:
        return await self.call("POST", path, body, expect=expect)

    async def patch(self, path: str, body: Any = None, expect: int = 200) -> Any:
        return await self.call("PATCH", path, body, expect=expect)


async def guest_api(session: aiohttp.ClientSession) -> Api:
    """A cookie-holding guest browser's API (first visit sets the guest cookie)."""
    me = await (await session.get("/api/me")).json()
    return Api(session, me["csrf"])
