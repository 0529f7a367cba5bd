"""Scheduling, starting, ending and listing sessions over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import World, login


async def _create(client: TestClient[Any, Any], csrf: str, title: str = "周四直播间") -> dict[str, Any]:
    response = await client.post(
        "/api/sessions",
        json={
            "community": "hexie",
            "title": title,
            "description": "停车问题",
            "scheduled_at": "2026-12-03T19:30:00+08:00",
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status == 201, await response.text()
    return dict(await response.json())


async def test_lifecycle(client: TestClient[Any, Any], world: World) -> None:
    csrf = await login(client, "host-a")
    session = await _create(client, csrf)
    assert session["status"] == "scheduled"
    assert session["community"] == "hexie"
    assert session["stream_key"]
    assert session["scheduled_at"] == "2026-12-03T11:30:00+00:00"
    sid = session["id"]
    live = await client.post(f"/api/sessions/{sid}/start", headers={"X-CSRF-Token": csrf})
    assert live.status == 200
    assert (await live.json())["status"] == "live"
    listed = await (await client.get("/api/sessions?status=live")).json()
    assert [s["id"] for s in listed] == [sid]
    assert "stream_key" not in listed[0]
    ended = await client.post(f"/api/sessions/{sid}/end", headers={"X-CSRF-Token": csrf})
    body = await ended.json()
    assert body["status"] == "ended" and body["ended_at"]
    one = await (await client.get(f"/api/sessions/{sid}")).json()
    assert set(one["stats"]) >= {"current_viewers", "peak_viewers", "unique_viewers", "messages", "opinions"}
    assert one["recording"] is None
    restart = await client.post(f"/api/sessions/{sid}/start", headers={"X-CSRF-Token": csrf})
    assert restart.status == 409


async def test_chinese_round_trips(client: TestClient[Any, Any], world: World) -> None:
    csrf = await login(client, "host-a")
    title = "老旧小区改造：加装电梯🛗 与「停车」"
    session = await _create(client, csrf, title)
    fetched = await (await client.get(f"/api/sessions/{session['id']}")).read()
    assert title.encode() in fetched.decode("utf-8").encode("utf-8")
    assert (await (await client.get(f"/api/sessions/{session['id']}")).json())["title"] == title


async def test_paging_and_filters(client: TestClient[Any, Any], world: World) -> None:
    csrf = await login(client, "host-a")
    ids = [(await _create(client, csrf, f"第{n}期"))["id"] for n in range(5)]
    first = await (await client.get("/api/sessions?limit=2")).json()
    assert [s["id"] for s in first] == ids[::-1][:2]
    rest = await (await client.get(f"/api/sessions?limit=10&after={first[-1]['id']}")).json()
    assert [s["id"] for s in rest] == ids[::-1][2:]
    other = await (await client.get("/api/sessions?community=xingfu")).json()
    assert other == []


async def test_bad_input_is_4xx(client: TestClient[Any, Any], world: World) -> None:
    csrf = await login(client, "host-a")
    headers = {"X-CSRF-Token": csrf}
    cases = [
        ({"community": "hexie"}, 400),
        ({"community": "hexie", "title": ""}, 400),
        ({"community": "hexie", "title": "x" * 201}, 400),
        ({"community": "nowhere", "title": "x"}, 404),
        ({"community": "hexie", "title": "x", "scheduled_at": "tomorrow"}, 400),
        ({"community": ["hexie"], "title": "x"}, 400),
    ]
    for body, status in cases:
        response = await client.post("/api/sessions", json=body, headers=headers)
        assert response.status == status, (body, await response.text())
        assert "error" in await response.json()
    for query in ("limit=0", "limit=1001", "limit=abc", "after=xyz", "status=paused"):
        response = await client.get(f"/api/sessions?{query}")
        assert response.status == 400, query
    assert (await client.get("/api/sessions/999999")).status == 404
    assert (await client.get("/api/sessions/abc")).status == 404
    assert (await client.post("/api/sessions/999/start", headers=headers)).status == 404


async def test_anonymous_cannot_create(client: TestClient[Any, Any], world: World) -> None:
    response = await client.post("/api/sessions", json={"community": "hexie", "title": "x"})
    assert response.status == 401


async def test_communities_and_health(client: TestClient[Any, Any], world: World) -> None:
    communities = await (await client.get("/api/communities")).json()
    assert {"slug": "hexie", "name": "和谐社区"} in communities
    assert await (await client.get("/healthz")).json() == {"ok": True}
    metrics = await client.get("/metrics")
    assert metrics.status == 200
    assert "python_info" in await metrics.text()
