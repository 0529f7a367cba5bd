"""Residents register with a name, a mobile number and a password, confirmed by an SMS code sent
through the webhook backend to a real local HTTP server (the "gateway"); codes expire, are single
use and throttled; passwords are reset the same way; numbers are masked in logs."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from live.clock import FakeClock
from live.keys import SERVICES
from live.settings import Settings
from tests.conftest import World
from tests.identity.conftest import Api, signed_in

PHONE = "13812341234"


class Gateway:
    """The operator's SMS gateway: records every JSON body it is sent."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        self.sent.append(await request.json())
        self.arrived.set()
        return web.json_response({"ok": True})

    async def next_code(self, phone: str) -> str:
        async def wait() -> str:
            while True:
                for body in reversed(self.sent):
                    if body["phone"] == phone:
                        self.sent.remove(body)
                        return str(body["code"])
                self.arrived.clear()
                await self.arrived.wait()

        return await asyncio.wait_for(wait(), 10)


@pytest.fixture
async def gateway(aiohttp_server: Any) -> tuple[Gateway, TestServer]:
    gw = Gateway()
    app = web.Application()
    app.router.add_post("/sms", gw.handle)
    return gw, await aiohttp_server(app)


@pytest.fixture
def settings(settings: Settings, gateway: tuple[Gateway, TestServer]) -> Settings:
    return replace(settings, sms_backend="webhook", sms_webhook=str(gateway[1].make_url("/sms")))


async def anonymous(client: TestClient[Any, Any]) -> Api:
    return Api(client, (await (await client.get("/api/me")).json())["csrf"])


async def test_register_confirm_sign_in_by_phone_and_reset(
    client: TestClient[Any, Any],
    world: World,
    gateway: tuple[Gateway, TestServer],
    other_browser: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    gw = gateway[0]
    api = await anonymous(client)
    assert await api.post(
        "/api/auth/register",
        {"name": "张阿姨", "phone": "138 1234 1234", "password": "secret-123"},
        expect=202,
    ) == {"ok": True}
    code = await gw.next_code(PHONE)
    assert len(code) == 6 and code.isdigit()
    wrong = "000000" if code != "000000" else "111111"
    assert (await api.post("/api/auth/register/confirm", {"phone": PHONE, "code": wrong}, expect=400))[
        "error"
    ] == "bad_code"
    made = await api.post("/api/auth/register/confirm", {"phone": PHONE, "code": code}, expect=201)
    assert made["user"]["role"] == "resident" and made["user"]["name"] == "张阿姨" and made["csrf"]
    me = await (await client.get("/api/me")).json()
    assert me["user"]["id"] == made["user"]["id"]
    # The code is single use.
    reused = await Api(other_browser, (await (await other_browser.get("/api/me")).json())["csrf"]).post(
        "/api/auth/register/confirm", {"phone": PHONE, "code": code}, expect=400
    )
    assert reused["error"] == "bad_code"
    # The number is taken now.
    other = Api(other_browser, (await (await other_browser.get("/api/me")).json())["csrf"])
    taken = await other.post(
        "/api/auth/register", {"name": "冒名", "phone": PHONE, "password": "another-123"}, expect=409
    )
    assert taken["error"] == "phone_taken"
    # Residents sign in with their phone number as the username.
    by_phone = await other.post("/api/auth/login", {"username": PHONE, "password": "secret-123"})
    assert by_phone["user"]["id"] == made["user"]["id"]

    # A forgotten password: a reset code, a new password, every other sign-in ended.
    other_browser.cookie_jar.clear()
    forgetful = Api(other_browser, (await (await other_browser.get("/api/me")).json())["csrf"])
    assert await forgetful.post("/api/auth/reset", {"phone": PHONE}, expect=202) == {"ok": True}
    reset_code = await gw.next_code(PHONE)
    reset = await forgetful.post(
        "/api/auth/reset/confirm", {"phone": PHONE, "code": reset_code, "password": "new-secret-456"}
    )
    assert reset["user"]["id"] == made["user"]["id"]
    assert (await (await client.get("/api/me")).json())["user"] is None  # the first browser was signed out
    old = await client.post(
        "/api/auth/login",
        json={"username": PHONE, "password": "secret-123"},
        headers={"X-CSRF-Token": api.csrf},
    )
    assert old.status == 401
    # Unknown numbers get the same answer and no text.
    forgetful.csrf = reset["csrf"]
    assert await forgetful.post("/api/auth/reset", {"phone": "13900000000"}, expect=202) == {"ok": True}

    # The admin sees the number; nobody's log does.
    admin = await signed_in(other_browser, "admin")
    rows = await admin.get("/api/admin/users")
    assert next(r for r in rows if r["id"] == made["user"]["id"])["phone"] == PHONE
    assert PHONE not in caplog.text


async def test_bad_codes_expiry_and_throttles(
    client: TestClient[Any, Any], world: World, gateway: tuple[Gateway, TestServer], clock: FakeClock
) -> None:
    gw = gateway[0]
    api = await anonymous(client)
    phone = "13700001111"
    body = {"name": "李叔", "phone": phone, "password": "secret-123"}
    await api.post("/api/auth/register", body, expect=202)
    code = await gw.next_code(phone)
    # Expired after 10 minutes.
    clock.advance(10 * 60 + 1)
    expired = await api.post("/api/auth/register/confirm", {"phone": phone, "code": code}, expect=400)
    assert expired["error"] == "bad_code"
    # A new code; then five wrong ones, after which even the right one is refused.
    await api.post("/api/auth/register", body, expect=202)
    code = await gw.next_code(phone)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):  # the expired attempt above was the first bad code
        await api.post("/api/auth/register/confirm", {"phone": phone, "code": wrong}, expect=400)
    refused = await api.post("/api/auth/register/confirm", {"phone": phone, "code": code}, expect=429)
    assert refused["error"] == "too_many_attempts"
    # Sending is throttled per number too (5 an hour).
    for _ in range(3):
        await api.post("/api/auth/register", body, expect=202)
    throttled = await api.post("/api/auth/register", body, expect=429)
    assert throttled["error"] == "too_many_attempts"
    # Bad input is a clear 400.
    bad = await api.post(
        "/api/auth/register", {"name": "王", "phone": "12345", "password": "secret-123"}, expect=400
    )
    assert bad["error"] == "bad_phone"
    short = await api.post(
        "/api/auth/register", {"name": "王", "phone": "13600002222", "password": "short"}, expect=400
    )
    assert short["error"] == "bad_password"
    staffish = await api.post(
        "/api/auth/register",
        {"name": "社区管理员", "phone": "13600002222", "password": "secret-123"},
        expect=400,
    )
    assert staffish["error"] == "bad_name"


async def test_the_log_backend_masks_the_number(
    client: TestClient[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    from live.services.sms import LogSms, make_sender

    sender = make_sender("log", None, client.app[SERVICES].clock)
    assert isinstance(sender, LogSms)
    caplog.set_level(logging.INFO)
    await sender.send(PHONE, "123456", "text", "register")
    assert "138****1234" in caplog.text and "123456" in caplog.text and PHONE not in caplog.text
    assert sender.recent[0].phone_masked == "138****1234"
    with pytest.raises(ValueError):
        make_sender("webhook", None, client.app[SERVICES].clock)
