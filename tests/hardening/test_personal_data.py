"""Personal data stays out of the logs, even with SQLAlchemy's SQL echo turned up to DEBUG.

The engine is built with ``hide_parameters=True`` (bound values never appear in a logged
statement nor in the text of a database error) and the DEBUG echo of result rows is dropped
and aiosqlite's DEBUG trace of every operation with its values is dropped (``live/storage/db.py``):
rows of ``users`` and ``phone_codes`` hold mobile numbers."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from live.keys import SERVICES
from live.services.sms import LogSms
from tests.conftest import World

PHONE = "13812341234"


async def test_a_registration_logged_at_debug_shows_no_phone_digits(
    client: TestClient[Any, Any], world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    csrf = (await (await client.get("/api/me")).json())["csrf"]
    headers = {"X-CSRF-Token": csrf}
    asked = await client.post(
        "/api/auth/register",
        json={"name": "张阿姨", "phone": "138 1234 1234", "password": "secret-123"},
        headers=headers,
    )
    assert asked.status == 202, await asked.text()
    sms = client.app[SERVICES].sms
    assert isinstance(sms, LogSms)
    code = sms.recent[0].code
    made = await client.post(
        "/api/auth/register/confirm", json={"phone": PHONE, "code": code}, headers=headers
    )
    assert made.status == 201, await made.text()
    csrf = (await made.json())["csrf"]
    await client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    csrf = (await (await client.get("/api/me")).json())["csrf"]
    signed = await client.post(
        "/api/auth/login",
        json={"username": PHONE, "password": "secret-123"},
        headers={"X-CSRF-Token": csrf},
    )
    assert signed.status == 200

    echoed = [r for r in caplog.records if r.name.startswith("sqlalchemy.engine")]
    text = "\n".join(r.getMessage() for r in echoed)
    # the echo really was on: statements on users and phone_codes were logged, their values hidden
    assert re.search(r"INSERT INTO (\"?)users", text) and "phone_codes" in text
    assert "hide_parameters" in text
    everything = caplog.text + "\n" + "\n".join(r.getMessage() for r in caplog.records)
    assert PHONE not in everything and "1234 1234" not in everything
    assert "138****1234" in everything  # the SMS log line, masked


async def test_a_database_error_does_not_carry_the_values(client: TestClient[Any, Any], world: World) -> None:
    """A failing statement's error text (what a 500 would log) names no bound value."""
    from sqlalchemy import exc, text

    db = client.app[SERVICES].db
    with pytest.raises(exc.DBAPIError) as raised:
        async with db.transaction() as s:
            await s.execute(text("SELECT no_such_column FROM users WHERE phone = :p"), {"p": PHONE})
    assert PHONE not in str(raised.value)
