"""Hostile input is a clear 4xx ``{error, detail, field}``, never a 500 (issue 9, five families).

Through the real app on SQLite and PostgreSQL; header and cookie bytes over a raw socket, since
an HTTP client library would refuse to send them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from live.errors import Invalid
from live.keys import SERVICES
from live.schemas import ChatMessage, decode_json, decode_payload
from live.services.text import clean_text
from live.storage.rooms import LiveSession
from tests.conftest import World, login


async def raw_request(client: TestClient[Any, Any], head: bytes) -> tuple[int, bytes]:
    """Send ``head`` (request line and headers, bytes as they are) and read the status and body."""
    host, port = client.server.host, client.server.port
    reader, writer = await asyncio.open_connection(str(host), int(port or 0))
    try:
        writer.write(head + b"\r\n")
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), 10)
    finally:
        writer.close()
    status = int(data.split(b" ", 2)[1])
    return status, data.split(b"\r\n\r\n", 1)[-1]


async def post(
    client: TestClient[Any, Any], path: str, body: Any, csrf: str, raw: bytes | None = None
) -> Any:
    headers = {"X-CSRF-Token": csrf, "Content-Type": "application/json"}
    if raw is not None:
        response = await client.post(path, data=raw, headers=headers)
    else:
        response = await client.post(path, json=body, headers=headers)
    return response.status, await response.json(content_type=None)


async def test_unicode_digits_are_not_ids(client: TestClient[Any, Any], world: World) -> None:
    for path in (
        "/api/sessions/%C2%B2",
        "/api/opinions/%EF%BC%91",
        "/api/agenda/%D9%A3",
        "/api/meetings/1%C2%B2",
    ):
        response = await client.get(path)
        assert response.status in (400, 404), (path, response.status)
    response = await client.get("/api/sessions/99999999999999999999999")
    assert response.status == 404
    response = await client.get("/api/opinions?session=%C2%B2")
    assert response.status == 400
    assert (await response.json())["field"] == "session"
    assert (await client.get("/api/sessions?limit=%C2%B2")).status == 400


async def test_unbounded_integers_are_400(client: TestClient[Any, Any], world: World) -> None:
    csrf = await login(client, "mod-a")
    status, answer = await post(
        client,
        "/api/opinions/bulk",
        None,
        csrf,
        raw=b'{"ids": [' + b"1" + b"0" * 30 + b'], "action": "accept"}',
    )
    assert status == 400 and answer["field"] == "ids", answer
    status, answer = await post(client, "/api/opinions/bulk", {"ids": [2**31], "action": "accept"}, csrf)
    assert status == 400
    status, answer = await post(
        client, "/api/opinions", {"community": "hexie", "text": "x", "session": 10**30}, csrf
    )
    assert status == 400 and answer["field"] == "session"
    response = await client.get(f"/api/opinions?after={10**30}")
    assert response.status == 400
    response = await client.get("/api/opinions?limit=100000000000000000000")
    assert response.status == 400


async def test_lone_surrogates_are_400(client: TestClient[Any, Any], world: World) -> None:
    csrf = (await (await client.get("/api/me")).json())["csrf"]
    status, answer = await post(
        client, "/api/opinions", None, csrf, raw=b'{"community": "hexie", "text": "\\ud800"}'
    )
    assert status == 400 and answer["error"] == "invalid_json", answer
    status, answer = await post(
        client, "/api/opinions", None, csrf, raw=b'{"community": "hexie", "text": "ok \\ud83d\\ude00"}'
    )
    assert status == 201 and answer["text"] == "ok 😀"
    with pytest.raises(Invalid):
        decode_payload({"session": "1", "text": "\ud800"}, ChatMessage)


async def test_out_of_range_dates_are_400(client: TestClient[Any, Any], world: World) -> None:
    csrf = await login(client, "host-a")
    for when in (
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T20:00:00+00:00",
        "1969-12-31T23:59:59+00:00",
        "2101-01-01T00:00:00Z",
    ):
        status, answer = await post(
            client, "/api/sessions", {"community": "hexie", "title": "t", "scheduled_at": when}, csrf
        )
        assert status == 400 and answer["field"] == "scheduled_at", (when, answer)
    status, answer = await post(
        client,
        "/api/sessions",
        {"community": "hexie", "title": "t", "scheduled_at": "2100-06-01T00:00:00Z"},
        csrf,
    )
    assert status == 201
    mod = await login(client, "mod-a")
    status, answer = await post(
        client, "/api/agenda", {"community": "hexie", "title": "t", "due_date": "0001-01-01"}, mod
    )
    assert status == 400 and answer["field"] == "due_date"
    status, answer = await post(
        client,
        "/api/meetings",
        {
            "community": "hexie",
            "format": "roundtable",
            "title": "t",
            "place": "p",
            "starts_at": "0001-01-01T00:00:00+05:00",
        },
        mod,
    )
    assert status == 400 and answer["field"] == "starts_at"


async def test_a_stored_far_date_cannot_break_the_home_page(
    client: TestClient[Any, Any], world: World
) -> None:
    """Data stored before the bounds (or by hand) renders; the page and the API still answer."""
    services = client.app[SERVICES]
    community = await services.places.by_slug("hexie")
    far = LiveSession(
        community_id=community.id,
        title="far future",
        description="",
        status="scheduled",
        stream_key="k" * 32,
        scheduled_at=datetime(9999, 12, 31, 20, 0, tzinfo=UTC),
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
    )
    async with services.db.transaction() as s:
        s.add(far)
    for path in ("/", "/?community=hexie", f"/live/{far.id}", "/archive"):
        page = await client.get(path, headers={"Accept": "text/html"})
        assert page.status == 200, path
    assert "far future" in await (await client.get(f"/live/{far.id}", headers={"Accept": "text/html"})).text()
    listed = await client.get("/api/sessions?status=scheduled")
    assert listed.status == 200


async def test_non_ascii_headers_and_cookies(client: TestClient[Any, Any], world: World) -> None:
    guest = await client.get("/api/me")
    assert guest.status == 200
    head = (
        "POST /api/opinions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
        "Content-Length: 2\r\nCookie: rt_guest=abc.def\r\nX-CSRF-Token: тест\r\n\r\n{}"
    ).encode()
    status, _ = await raw_request(client, head[:-2])
    assert 400 <= status < 500, status
    # a guest cookie with a byte above 0x7f is no cookie: the request is served as a new visitor
    for cookie in (
        b"rt_guest=\xff\xfe.abc",
        b"rt_session=\xc3\xa9t\xc3\xa9",
        b"rt_guest=caf\xc3\xa9.x",
        b"lang=\xff",
    ):
        status, body = await raw_request(
            client, b"GET /api/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: " + cookie + b"\r\n"
        )
        assert status == 200, (cookie, status, body)
        status, _ = await raw_request(
            client,
            b"GET / HTTP/1.1\r\nHost: x\r\nAccept: text/html\r\nConnection: close\r\nCookie: "
            + cookie
            + b"\r\n",
        )
        assert status == 200, (cookie, status)
    status, _ = await raw_request(
        client, b"GET /api/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccept-Language: \xff\xfe\r\n"
    )
    assert status == 200


async def test_text_is_cleaned_everywhere(client: TestClient[Any, Any], world: World) -> None:
    assert clean_text("  a\u202eb\u2066c\x00d\x1b[31m \n", "text", 100) == "abcd[31m"
    assert clean_text("e\u0301", "text", 10) == "\u00e9"  # NFC
    for blank in ("\u200b\u200b", "\u202e", "\x00\x01", " \u3000\ufeff ", "\u2066\u200d\u2069"):
        with pytest.raises(Invalid) as caught:
            clean_text(blank, "text", 100)
        assert caught.value.code == "empty"
    csrf = (await (await client.get("/api/me")).json())["csrf"]
    status, answer = await post(
        client, "/api/opinions", {"community": "hexie", "text": "\u200b\u200c\u200d"}, csrf
    )
    assert status == 400 and answer["error"] == "empty" and answer["field"] == "text"
    status, answer = await post(
        client,
        "/api/opinions",
        {"community": "hexie", "text": "路灯\u202e坏了\x00", "location": "\x1b[2J1栋"},
        csrf,
    )
    assert status == 201
    assert answer["text"] == "路灯坏了" and answer["location"] == "[2J1栋"
    host = await login(client, "host-a")
    status, answer = await post(
        client, "/api/sessions", {"community": "hexie", "title": "\u202e直播\x07"}, host
    )
    assert status == 201 and answer["title"] == "直播"


async def test_errors_carry_error_detail_field(client: TestClient[Any, Any], world: World) -> None:
    csrf = (await (await client.get("/api/me")).json())["csrf"]
    status, answer = await post(client, "/api/opinions", {"community": "hexie"}, csrf)
    assert status == 400
    assert answer == {"error": "missing_field", "detail": "text is required", "field": "text"}
    status, answer = await post(client, "/api/opinions", {"community": "hexie", "text": ["x"]}, csrf)
    assert status == 400 and answer["field"] == "text" and answer["error"] == "invalid"
    assert set(answer) == {"error", "detail", "field"}


def test_decode_json_shapes() -> None:
    from live.schemas import BulkOpinions

    form = decode_json(b'{"ids": ["12", 13], "action": "accept"}', BulkOpinions)
    assert form.ids == [12, 13]
    for bad in (
        b'{"ids": ["\xc2\xb2"], "action": "a"}',
        b'{"ids": ["0012"], "action": "a"}',
        b'{"ids": [true], "action": "a"}',
    ):
        with pytest.raises(Invalid):
            decode_json(bad, BulkOpinions)
