"""The community's audit log page: newest first, paged, by action and words, targets named."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from tests.conftest import guest_key, login
from tests.realtime.conftest import Connect, Peer, Room


async def moderate(peer: Peer, room: Room, action: str, **kw: Any) -> Any:
    ack = await peer.call("moderate", {"session": room.id, "action": action, **kw})
    assert ack["ok"], ack
    return ack


async def test_the_audit_log_page_is_paged_searchable_and_names_its_targets(
    client: TestClient[Any, Any], connect: Connect, room: Room, staff: Peer
) -> None:
    alice = await connect(name="王阿姨", guest="guest-alice-1")
    assert (await alice.call("join", {"session": room.id}))["ok"]
    posted = await alice.chat(room.id, "楼下的车谁的")
    await moderate(staff, room, "pin", message=posted["message"]["id"])
    await moderate(staff, room, "mute", user=guest_key("guest-alice-1"), seconds=60, reason="刷屏")
    for i in range(55):
        await moderate(staff, room, "slow_mode", seconds=i % 5, reason=f"第{i}次")
    await login(client, "mod-a")
    first = await (await client.get("/audit")).text()
    rows = re.findall(r'<tr data-entry="(\d+)">', first)
    assert len(rows) == 50 and rows == sorted(rows, key=int, reverse=True)  # newest first
    older = re.search(r'href="/audit\?([^"]+)" data-testid="audit-older"', first)
    assert older
    rest = await (await client.get("/audit?" + older.group(1).replace("&amp;", "&"))).text()
    assert len(re.findall(r'<tr data-entry="', rest)) == 7
    assert "王阿姨: 楼下的车谁的" in rest and "g:" not in rest  # names, not keys or ids
    muted = await (await client.get("/audit?action=mute")).text()
    assert len(re.findall(r'<tr data-entry="', muted)) == 1 and "王阿姨" in muted and "刷屏" in muted
    found = await (await client.get("/audit?q=第5次")).text()
    assert len(re.findall(r'<tr data-entry="', found)) == 1
    assert 'data-testid="audit-none"' in await (await client.get("/audit?q=%25")).text()
    console = await (await client.get(f"/moderate/{room.id}")).text()
    assert 'href="/audit?community=hexie" data-testid="open-audit"' in console
    await login(client, "host-b")
    assert (await client.get("/audit?community=hexie")).status == 403
