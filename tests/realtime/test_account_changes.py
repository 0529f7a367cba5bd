"""An admin's change to an account reaches that person's open sockets at once."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

from live.keys import SERVICES
from tests.conftest import login
from tests.realtime.conftest import Connect, Peer, Room, session_cookie


async def test_demoted_moderator_is_told_to_reload_and_loses_moderation(
    client: TestClient[Any, Any], connect: Connect, room: Room, staff: Peer
) -> None:
    resident = await connect(name="王阿姨", guest="guest-alice-1")
    assert (await resident.call("join", {"session": room.id}))["ok"]
    users = {u.username: u for u in await client.app[SERVICES].accounts.list_users()}
    mod_id = users["mod-a"].id

    csrf = await login(client, "admin")
    demoted = await client.patch(
        f"/api/admin/users/{mod_id}",
        json={"role": "resident", "community": None},
        headers={"X-CSRF-Token": csrf},
    )
    assert demoted.status == 200
    assert await staff.wait_for("reload") == {}
    await asyncio.wait_for(staff.disconnected.wait(), 10)
    assert "reload" not in resident.events
    assert resident.sio.connected
    # The same account now connects as a resident, who cannot moderate.
    again = await connect(name="前网格员", headers={"Cookie": await session_cookie(client, "mod-a")})
    ack = await again.call("join", {"session": room.id})
    assert ack["you"]["role"] == "resident"
    refused = await again.call("moderate", {"session": room.id, "action": "close_chat"})
    assert refused == {"ok": False, "error": "forbidden", "detail": refused["detail"]}
