"""Accounts, sessions, CSRF, throttling and community scoping, through HTTP and the database."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from live.clock import FakeClock
from live.keys import SERVICES
from live.storage.accounts import AuthSession, User
from tests.conftest import PASSWORD, World, login


async def test_login_returns_user_and_csrf(client: TestClient[Any, Any], world: World) -> None:
    response = await client.post("/api/auth/login", json={"username": "host-a", "password": PASSWORD})
    assert response.status == 200
    body = await response.json()
    assert body["user"]["role"] == "host"
    assert body["user"]["community"] == "hexie"
    assert body["user"]["name"] == "和谐书记"
    assert isinstance(body["user"]["id"], str)
    assert body["csrf"]
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    me = await (await client.get("/api/me")).json()
    assert me["user"]["id"] == body["user"]["id"]
    assert me["csrf"] == body["csrf"]


async def test_wrong_password_is_401(client: TestClient[Any, Any], world: World) -> None:
    response = await client.post("/api/auth/login", json={"username": "host-a", "password": "nope"})
    assert response.status == 401
    assert (await response.json())["error"] == "bad_credentials"
    unknown = await client.post("/api/auth/login", json={"username": "ghost", "password": "x"})
    assert unknown.status == 401


async def test_bad_login_body_is_400(client: TestClient[Any, Any], world: World) -> None:
    for body in ("not json", "[1,2]"):
        response = await client.post(
            "/api/auth/login", data=body, headers={"Content-Type": "application/json"}
        )
        assert response.status == 400
        assert (await response.json())["error"] == "invalid_json"
    response = await client.post("/api/auth/login", json={"username": 5, "password": "x"})
    assert response.status == 400


async def test_throttle_after_ten_failures_then_recovers(
    client: TestClient[Any, Any], world: World, clock: FakeClock
) -> None:
    for _ in range(10):
        response = await client.post("/api/auth/login", json={"username": "host-a", "password": "bad"})
        assert response.status == 401
    blocked = await client.post("/api/auth/login", json={"username": "host-a", "password": PASSWORD})
    assert blocked.status == 429
    assert (await blocked.json())["error"] == "too_many_attempts"
    clock.advance(30)
    still = await client.post("/api/auth/login", json={"username": "host-a", "password": PASSWORD})
    assert still.status == 429
    clock.advance(31)
    ok = await client.post("/api/auth/login", json={"username": "host-a", "password": PASSWORD})
    assert ok.status == 200


async def test_throttle_is_per_username(client: TestClient[Any, Any], world: World) -> None:
    for _ in range(10):
        await client.post("/api/auth/login", json={"username": "host-a", "password": "bad"})
    other = await client.post("/api/auth/login", json={"username": "host-b", "password": PASSWORD})
    assert other.status == 200


async def test_cookie_write_without_csrf_is_403(client: TestClient[Any, Any], world: World) -> None:
    csrf = await login(client, "host-a")
    body = {"community": "hexie", "title": "周四直播"}
    refused = await client.post("/api/sessions", json=body)
    assert refused.status == 403
    assert (await refused.json())["error"] == "csrf"
    wrong = await client.post("/api/sessions", json=body, headers={"X-CSRF-Token": "forged"})
    assert wrong.status == 403
    ok = await client.post("/api/sessions", json=body, headers={"X-CSRF-Token": csrf})
    assert ok.status == 201


async def test_guest_cookie_write_needs_csrf(client: TestClient[Any, Any], world: World) -> None:
    await client.get("/")  # a browser's first visit gets a guest cookie
    assert "rt_guest" in {c.key for c in client.session.cookie_jar}
    refused = await client.post("/api/auth/logout")
    assert refused.status == 403
    csrf = (await (await client.get("/api/me")).json())["csrf"]
    ok = await client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})
    assert ok.status == 204


async def test_host_of_a_cannot_act_in_b(client: TestClient[Any, Any], world: World) -> None:
    csrf = await login(client, "host-a")
    response = await client.post(
        "/api/sessions", json={"community": "xingfu", "title": "越界"}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status == 403
    assert (await response.json())["error"] == "forbidden"


async def test_host_of_a_cannot_start_session_of_b(
    client: TestClient[Any, Any], world: World, other_browser: Any
) -> None:
    csrf_b = await login(client, "host-b")
    created = await client.post(
        "/api/sessions",
        json={"community": "xingfu", "title": "幸福直播"},
        headers={"X-CSRF-Token": csrf_b},
    )
    session_id = (await created.json())["id"]
    login_a = await other_browser.post("/api/auth/login", json={"username": "host-a", "password": PASSWORD})
    csrf_a = (await login_a.json())["csrf"]
    response = await other_browser.post(f"/api/sessions/{session_id}/start", headers={"X-CSRF-Token": csrf_a})
    assert response.status == 403


async def test_moderator_and_resident_cannot_create_sessions(
    client: TestClient[Any, Any], world: World
) -> None:
    for username in ("mod-a", "resident"):
        csrf = await login(client, username)
        response = await client.post(
            "/api/sessions",
            json={"community": "hexie", "title": "x"},
            headers={"X-CSRF-Token": csrf},
        )
        assert response.status == 403, username


async def test_admin_acts_everywhere(client: TestClient[Any, Any], world: World) -> None:
    csrf = await login(client, "admin")
    for community in world.communities:
        response = await client.post(
            "/api/sessions",
            json={"community": community, "title": "管理员直播"},
            headers={"X-CSRF-Token": csrf},
        )
        assert response.status == 201


async def test_logout_ends_the_session(client: TestClient[Any, Any], world: World) -> None:
    csrf = await login(client, "host-a")
    assert (await client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf})).status == 204
    me = await (await client.get("/api/me")).json()
    assert me["user"] is None
    async with client.app[SERVICES].db.read() as s:
        assert (await s.execute(select(AuthSession))).first() is None


async def test_no_plaintext_password_stored(client: TestClient[Any, Any], world: World) -> None:
    await login(client, "host-a")
    async with client.app[SERVICES].db.read() as s:
        users = list((await s.execute(select(User))).scalars())
        sessions = list((await s.execute(select(AuthSession))).scalars())
    assert users
    for user in users:
        assert PASSWORD not in user.password_hash
        assert user.password_hash.startswith("$argon2id$")
    for row in sessions:
        assert PASSWORD not in row.token_hash


async def test_production_hasher_is_argon2id_at_its_recommended_cost(
    client: TestClient[Any, Any], world: World, production_passwords: None
) -> None:
    """The suite signs in with a cheap hasher; production keeps argon2's recommended cost."""
    from argon2 import PasswordHasher

    from live.services.passwords import PRODUCTION, current_hasher

    assert current_hasher() is PRODUCTION
    recommended = PasswordHasher()
    assert (PRODUCTION.time_cost, PRODUCTION.memory_cost, PRODUCTION.parallelism) == (
        recommended.time_cost,
        recommended.memory_cost,
        recommended.parallelism,
    )
    await client.app[SERVICES].accounts.create_user("strong", PASSWORD, "resident")
    async with client.app[SERVICES].db.read() as s:
        stored = (await s.execute(select(User.password_hash).where(User.username == "strong"))).scalar_one()
    assert stored.startswith(f"$argon2id$v=19$m={recommended.memory_cost},t={recommended.time_cost},")
    assert not PasswordHasher().check_needs_rehash(stored)
    await login(client, "strong")  # and it verifies
    # a cheap test hash of the world's users still verifies under the production hasher
    await login(client, "host-a")
