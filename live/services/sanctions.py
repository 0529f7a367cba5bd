"""Who may not speak: bans (by person, and by address) and timed mutes in a community.

The rules live here; the queries in ``live.storage.moderation``."""

from __future__ import annotations

import ipaddress
from datetime import datetime

from live.services.actors import Actor
from live.storage import moderation as store
from live.storage.db import Tx
from live.storage.moderation import Ban, Mute


def address_bannable(address: str | None) -> bool:
    """Address bans never apply to loopback (or unknown) addresses."""
    if not address:
        return False
    try:
        return not ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def address_applies(actor: Actor) -> bool:
    return address_bannable(actor.address) and not actor.is_staff


async def active_ban(s: Tx, community_id: int, actor: Actor) -> Ban | None:
    """The ban that refuses ``actor`` in the community, by person key or by address."""
    return await store.active_ban(
        s, community_id, actor.key, actor.address if address_applies(actor) else None
    )


async def active_mute(s: Tx, community_id: int, person_key: str, now: datetime) -> Mute | None:
    return await store.active_mute(s, community_id, person_key, now)
