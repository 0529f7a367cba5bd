"""Households: codes issued by a moderator, redeemed once by a resident, expiring after 14 days;
staff verify, move and revoke; every step in the audit log. Real HTTP, both databases."""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from live.clock import FakeClock
from live.keys import SERVICES
from tests.conftest import World
from tests.identity.conftest import guest_api, signed_in


async def test_a_code_is_redeemed_once_and_refused_after(
    client: TestClient[Any, Any],
    world: World,
    units: dict[str, str],
    other_browser: aiohttp.ClientSession,
) -> None:
    mod = await signed_in(client, "mod-a")
    issued = await mod.post("/api/households/codes", {"unit": units["hexie"], "room": "301"}, expect=201)
    code = issued["code"]
    assert len(code) == 8 and code.isalnum() and code.upper() == code
    assert issued["household"]["label"] == "阳光小区 3栋 2单元 301"
    assert issued["qr"].endswith(".svg")
    qr = await client.get(issued["qr"])
    assert qr.status == 200 and qr.content_type == "image/svg+xml"
    assert "<svg" in await qr.text()

    resident = await signed_in(other_browser, "resident")
    joined = await resident.post("/api/households/join", {"code": code.lower()[:4] + "-" + code[4:]})
    assert joined["household"] == issued["household"]
    mine = await resident.get("/api/households/mine")
    assert mine["household"]["id"] == issued["household"]["id"]

    # The same code again, by someone else: refused.
    await client.post("/api/auth/logout", headers={"X-CSRF-Token": mod.csrf})
    client.session.cookie_jar.clear()
    services = client.app[SERVICES]
    await services.accounts.create_user("neighbour", World.password, "resident", None, "李叔")
    neighbour = await signed_in(client, "neighbour")
    reused = await neighbour.post("/api/households/join", {"code": code}, expect=409)
    assert reused["error"] == "code_used"
    unknown = await neighbour.post("/api/households/join", {"code": "ZZZZZZZZ"}, expect=404)
    assert unknown["error"] == "unknown_code"
    assert await services.households.household_of(int((await neighbour.get("/api/me"))["user"]["id"])) is None

    log = await services.moderation.audit_log(
        (await services.accounts.login("admin", World.password, "127.0.0.1")).actor,
        community_id=(await services.places.by_slug("hexie")).id,
    )
    assert [e.action for e in log] == ["household_code", "household_join"]


async def test_an_expired_code_is_refused(
    client: TestClient[Any, Any], world: World, units: dict[str, str], clock: FakeClock
) -> None:
    mod = await signed_in(client, "mod-a")
    issued = await mod.post("/api/households/codes", {"unit": units["hexie"], "room": "502"}, expect=201)
    await client.post("/api/auth/logout", headers={"X-CSRF-Token": mod.csrf})
    clock.advance(14 * 86400 + 1)
    resident = await signed_in(client, "resident")
    expired = await resident.post("/api/households/join", {"code": issued["code"]}, expect=410)
    assert expired["error"] == "code_expired"
    assert (await resident.get("/api/households/mine"))["household"] is None


async def test_only_staff_of_the_unit_community_issue_codes_and_guests_cannot_join(
    client: TestClient[Any, Any], world: World, units: dict[str, str], other_browser: aiohttp.ClientSession
) -> None:
    host_b = await signed_in(client, "host-b")
    refused = await host_b.post("/api/households/codes", {"unit": units["hexie"], "room": "301"}, expect=403)
    assert refused["error"] == "forbidden"
    bad_room = await host_b.post(
        "/api/households/codes", {"unit": units["xingfu"], "room": "<b>"}, expect=400
    )
    assert bad_room["error"] == "bad_room"
    missing = await host_b.post("/api/households/codes", {"unit": "999999", "room": "1"}, expect=404)
    assert missing["error"] == "unknown_unit"
    code = (
        await host_b.post("/api/households/codes", {"unit": units["xingfu"], "room": "1-101"}, expect=201)
    )["code"]
    guest = await guest_api(other_browser)
    assert (await guest.post("/api/households/join", {"code": code}, expect=401))[
        "error"
    ] == "unauthenticated"
    resident = await signed_in(other_browser, "resident")
    wrong = await resident.post("/api/households/codes", {"unit": units["xingfu"], "room": "2"}, expect=403)
    assert wrong["error"] == "forbidden"


async def test_staff_verify_move_and_revoke_on_the_spot(
    client: TestClient[Any, Any], world: World, units: dict[str, str]
) -> None:
    services = client.app[SERVICES]
    resident_id = next(u.id for u in await services.accounts.list_users() if u.username == "resident")
    mod = await signed_in(client, "mod-a")
    verified = await mod.post(
        "/api/households/verify", {"user": str(resident_id), "unit": units["hexie"], "room": "301"}
    )
    assert verified["household"]["room"] == "301"
    moved = await mod.post(
        "/api/households/move", {"user": str(resident_id), "unit": units["hexie"], "room": "402"}
    )
    assert moved["household"]["room"] == "402"
    assert await services.households.household_of(resident_id) == int(moved["household"]["id"])
    members = await mod.get("/api/households/members?community=hexie")
    assert [m["household"]["room"] for m in members] == ["402"]
    revoked = await mod.post("/api/households/revoke", {"user": str(resident_id)})
    assert revoked["household"]["room"] == "402"
    assert await services.households.household_of(resident_id) is None
    again = await mod.post("/api/households/revoke", {"user": str(resident_id)}, expect=404)
    assert again["error"] == "not_a_member"
    await client.post("/api/auth/logout", headers={"X-CSRF-Token": mod.csrf})
    host_b = await signed_in(client, "host-b")
    await host_b.post(
        "/api/households/verify", {"user": str(resident_id), "unit": units["hexie"], "room": "1"}, expect=403
    )
    actor = (await services.accounts.login("admin", World.password, "127.0.0.1")).actor
    log = await services.moderation.audit_log(actor, community_id=(await services.places.by_slug("hexie")).id)
    assert [(e.action, e.target) for e in log] == [
        ("household_verify", f"u:{resident_id}"),
        ("household_move", f"u:{resident_id}"),
        ("household_revoke", f"u:{resident_id}"),
    ]


async def test_only_resident_accounts_are_verified_into_a_household(
    client: TestClient[Any, Any], world: World, units: dict[str, str]
) -> None:
    """A household is one voice of its residents: staff may not verify a moderator, host or admin
    account into one (``/move`` goes through the same check); the refusal is 409 ``not_a_resident``."""
    services = client.app[SERVICES]
    ids = {u.username: u.id for u in await services.accounts.list_users()}
    mod = await signed_in(client, "mod-a")
    for username in ("mod-a", "host-a", "host-b", "admin"):
        refused = await mod.post(
            "/api/households/verify",
            {"user": str(ids[username]), "unit": units["hexie"], "room": "301"},
            expect=409,
        )
        assert refused["error"] == "not_a_resident" and refused["detail"], (username, refused)
        assert await services.households.household_of(ids[username]) is None
    assert (await mod.post(
        "/api/households/verify", {"user": "999999", "unit": units["hexie"], "room": "301"}, expect=404
    ))["error"] == "unknown_user"  # fmt: skip
    verified = await mod.post(
        "/api/households/verify", {"user": str(ids["resident"]), "unit": units["hexie"], "room": "301"}
    )
    assert verified["household"]["room"] == "301"
