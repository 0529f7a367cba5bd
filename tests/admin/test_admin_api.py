"""The admin page and its /api/admin endpoints, through real HTTP on both databases."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import update

from live.keys import SERVICES
from live.storage.rooms import LiveSession
from tests.conftest import PASSWORD, World, login


async def test_admin_page_is_for_admins_only(client: TestClient[Any, Any], world: World) -> None:
    signed_out = await client.get("/admin", allow_redirects=False)
    assert signed_out.status == 303
    assert signed_out.headers["Location"] == "/login?next=/admin"
    await login(client, "host-a")
    forbidden = await client.get("/admin")
    assert forbidden.status == 403
    assert "仅限管理员" in await forbidden.text()
    assert (await client.get("/api/admin/users")).status == 403


async def test_admin_page_shows_every_section(client: TestClient[Any, Any], world: World) -> None:
    await login(client, "admin")
    response = await client.get("/admin")
    assert response.status == 200
    html = await response.text()
    for part in (
        "和谐社区",
        "幸福社区",
        'data-user="host-a"',
        'data-user="resident"',
        "词库",
        "意见分类",
        "录像",
    ):
        assert part in html, part


async def test_signed_out_and_non_admin_writes_are_refused(
    client: TestClient[Any, Any], world: World
) -> None:
    anonymous = await client.post("/api/admin/communities", json={"slug": "x", "name": "X"})
    assert anonymous.status == 401
    csrf = await login(client, "mod-a")
    refused = await client.post(
        "/api/admin/communities", json={"slug": "x", "name": "X"}, headers={"X-CSRF-Token": csrf}
    )
    assert refused.status == 403
    assert (await refused.json())["error"] == "forbidden"


async def test_admin_adds_a_community_and_its_places(client: TestClient[Any, Any], world: World) -> None:
    csrf = await login(client, "admin")
    h = {"X-CSRF-Token": csrf}
    created = await client.post(
        "/api/admin/communities", json={"slug": "minle", "name": "民乐社区"}, headers=h
    )
    assert created.status == 201
    assert await created.json() == {"slug": "minle", "name": "民乐社区"}
    again = await client.post("/api/admin/communities", json={"slug": "minle", "name": "民乐社区"}, headers=h)
    assert again.status == 409

    async def add(kind: str, name: str, parent: str | None = None, community: str = "minle") -> Any:
        body = {"kind": kind, "community": community, "name": name, "parent": parent}
        return await client.post("/api/admin/places", json=body, headers=h)

    grid = await (await add("grid", "第1网格")).json()
    compound = await (await add("compound", "梧桐苑", grid["id"])).json()
    building = await (await add("building", "3号楼", compound["id"])).json()
    unit = await add("unit", "2单元", building["id"])
    assert unit.status == 201
    assert (await unit.json())["parent"] == building["id"]
    assert (await add("unit", "2单元", building["id"])).status == 409
    assert (await add("building", "4号楼")).status == 400
    assert (await add("building", "4号楼", compound["id"], community="hexie")).status == 404
    assert (await add("castle", "城堡")).status == 400
    assert (await add("grid", "")).status == 400
    bad_parent = await client.post(
        "/api/admin/places",
        json={"kind": "unit", "community": "minle", "name": "1", "parent": "x"},
        headers=h,
    )
    assert bad_parent.status == 400

    trees = await (await client.get("/api/admin/communities")).json()
    minle = next(t for t in trees if t["slug"] == "minle")
    assert minle["grids"] == [{"id": grid["id"], "name": "第1网格"}]
    assert minle["compounds"] == [
        {
            "id": compound["id"],
            "name": "梧桐苑",
            "grid": grid["id"],
            "buildings": [
                {
                    "id": building["id"],
                    "name": "3号楼",
                    "units": [{"id": (await unit.json())["id"], "name": "2单元"}],
                }
            ],
        }
    ]
    communities = await (await client.get("/api/communities")).json()
    assert {"slug": "minle", "name": "民乐社区"} in communities


async def test_admin_creates_changes_and_disables_users(
    client: TestClient[Any, Any], world: World, other_browser: Any
) -> None:
    csrf = await login(client, "admin")
    h = {"X-CSRF-Token": csrf}
    body = {"username": "host-c", "password": PASSWORD, "role": "host", "name": "王书记"}
    assert (await client.post("/api/admin/users", json=body, headers=h)).status == 400  # no community
    created = await client.post("/api/admin/users", json={**body, "community": "hexie"}, headers=h)
    assert created.status == 201
    user = await created.json()
    assert (user["username"], user["name"], user["role"], user["community"], user["disabled"]) == (
        "host-c",
        "王书记",
        "host",
        "hexie",
        False,
    )
    assert (
        await client.post("/api/admin/users", json={**body, "community": "hexie"}, headers=h)
    ).status == 409

    # host-c signs in in another browser and can act in hexie
    me = await (await other_browser.get("/api/me")).json()
    signed = await other_browser.post(
        "/api/auth/login",
        json={"username": "host-c", "password": PASSWORD},
        headers={"X-CSRF-Token": me["csrf"]},
    )
    their_csrf = (await signed.json())["csrf"]

    moved = await client.patch(f"/api/admin/users/{user['id']}", json={"community": "xingfu"}, headers=h)
    assert moved.status == 200 and (await moved.json())["community"] == "xingfu"
    refused = await other_browser.post(
        "/api/sessions", json={"community": "hexie", "title": "t"}, headers={"X-CSRF-Token": their_csrf}
    )
    assert refused.status == 403
    demoted = await client.patch(
        f"/api/admin/users/{user['id']}", json={"role": "resident", "community": None}, headers=h
    )
    assert (await demoted.json())["role"] == "resident" and (await demoted.json())["community"] is None
    needs_community = await client.patch(
        f"/api/admin/users/{user['id']}", json={"role": "moderator"}, headers=h
    )
    assert needs_community.status == 400

    disabled = await client.patch(f"/api/admin/users/{user['id']}", json={"disabled": True}, headers=h)
    assert (await disabled.json())["disabled"] is True
    assert (await (await other_browser.get("/api/me")).json())["user"] is None  # signed out everywhere
    relogin = await other_browser.post(
        "/api/auth/login",
        json={"username": "host-c", "password": PASSWORD},
        headers={"X-CSRF-Token": (await (await other_browser.get("/api/me")).json())["csrf"]},
    )
    assert relogin.status == 401

    users = await (await client.get("/api/admin/users")).json()
    assert next(u for u in users if u["username"] == "host-c")["disabled"] is True
    admin_id = next(u for u in users if u["username"] == "admin")["id"]
    itself = await client.patch(f"/api/admin/users/{admin_id}", json={"disabled": True}, headers=h)
    assert itself.status == 409
    assert (
        await client.patch(f"/api/admin/users/{admin_id}", json={"disabled": "yes"}, headers=h)
    ).status == 400
    assert (await client.patch("/api/admin/users/999999", json={"role": "host"}, headers=h)).status == 404
    assert (
        await client.patch(f"/api/admin/users/{user['id']}", json={"disabled": False})
    ).status == 403  # csrf


async def test_recordings_disk_use_and_delete(
    client: TestClient[Any, Any], world: World, settings: Any
) -> None:
    host_csrf = await login(client, "host-a")
    hh = {"X-CSRF-Token": host_csrf}
    session = await (
        await client.post("/api/sessions", json={"community": "hexie", "title": "录像"}, headers=hh)
    ).json()
    sid = session["id"]
    await client.post(f"/api/sessions/{sid}/start", headers=hh)
    folder = settings.data_dir / "hls" / sid
    folder.mkdir(parents=True)
    (folder / "index.m3u8").write_text("#EXTM3U\n")
    (folder / "seg0.ts").write_bytes(b"\0" * 5000)
    mp4 = settings.data_dir / "recordings" / f"{sid}.mp4"
    mp4.parent.mkdir(parents=True)
    mp4.write_bytes(b"\0" * 700)
    await client.post("/api/auth/logout", headers=hh)

    csrf = await login(client, "admin")
    h = {"X-CSRF-Token": csrf}
    live_delete = await client.delete(f"/api/admin/recordings/{sid}", headers=h)
    assert live_delete.status == 409
    async with client.app[SERVICES].db.transaction() as s:
        await s.execute(
            update(LiveSession)
            .where(LiveSession.id == int(sid))
            .values(
                status="ended", recording_bytes=5008, recording_duration_s=12.5, recording_path=str(folder)
            )
        )
    listing = await (await client.get("/api/admin/recordings")).json()
    row = next(r for r in listing["recordings"] if r["session"] == sid)
    assert row["recording_bytes"] == 5008
    assert row["disk_bytes"] == 5000 + len("#EXTM3U\n") + 700
    assert row["duration_s"] == 12.5
    assert listing["hls_bytes"] == row["disk_bytes"]
    assert listing["disk_total_bytes"] >= listing["disk_free_bytes"] > 0
    page = await (await client.get("/admin")).text()
    assert f'data-session="{sid}"' in page

    deleted = await client.delete(f"/api/admin/recordings/{sid}", headers=h)
    assert deleted.status == 204
    assert not folder.exists() and not mp4.exists()
    assert (await (await client.get(f"/api/sessions/{sid}")).json())["recording"] is None
    assert all(
        r["session"] != sid for r in (await (await client.get("/api/admin/recordings")).json())["recordings"]
    )
    assert (await client.delete("/api/admin/recordings/999999", headers=h)).status == 404
