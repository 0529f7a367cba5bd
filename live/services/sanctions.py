"""Who may not speak: bans (by person, and by address) and timed mutes in a community."""

from __future__ import annotations

import ipaddress
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from live.services.actors import Actor
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


async def active_ban(s: AsyncSession, community_id: int, actor: Actor) -> Ban | None:
    """The ban that refuses ``actor`` in the community, by person key or by address."""
    match = Ban.person_key == actor.key
    if address_applies(actor):
        match = or_(match, Ban.address == actor.address)
    query = select(Ban).where(Ban.community_id == community_id, Ban.lifted_at.is_(None), match).limit(1)
    return (await s.execute(query)).scalar_one_or_none()


async def active_mute(s: AsyncSession, community_id: int, person_key: str, now: datetime) -> Mute | None:
    query = (
        select(Mute)
        .where(Mute.community_id == community_id, Mute.person_key == person_key, Mute.until > now)
        .order_by(Mute.until.desc())
        .limit(1)
    )
    return (await s.execute(query)).scalar_one_or_none()
