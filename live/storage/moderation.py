"""Moderation: bans, mutes, the word list and the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from live.clock import Clock, aware
from live.storage.base import Base, UTCDateTime
from live.storage.db import Database


class Ban(Base):
    __tablename__ = "bans"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    person_key: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(80))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Mute(Base):
    __tablename__ = "mutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    person_key: Mapped[str] = mapped_column(String(80), index=True)
    until: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The muted person's address when muted (a fresh identity from it stays muted).
    address: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")


class Word(Base):
    """A word-list entry: chat messages containing it are held for review."""

    __tablename__ = "words"

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    actor_key: Mapped[str] = mapped_column(String(80))
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str | None] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditStore:
    """Writes audit entries for actions outside a live session (households, accounts)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def record(
        self,
        community_id: int | None,
        actor_key: str,
        actor_name: str,
        action: str,
        target: str | None,
        reason: str = "",
    ) -> None:
        async with self.db.transaction() as s:
            s.add(
                AuditEntry(
                    community_id=community_id,
                    session_id=None,
                    actor_key=actor_key,
                    actor_name=actor_name[:64],
                    action=action,
                    target=target,
                    reason=reason,
                    at=self.clock.now(),
                )
            )


async def active_sanctions(
    s: AsyncSession, community_id: int, now: datetime
) -> tuple[list[tuple[str, str | None]], dict[str, datetime]]:
    """A community's bans in force (person, address) and mutes running (person → until)."""
    bans = await s.execute(
        select(Ban.person_key, Ban.address).where(Ban.community_id == community_id, Ban.lifted_at.is_(None))
    )
    mutes = await s.execute(
        select(Mute.person_key, func.max(Mute.until))
        .where(Mute.community_id == community_id, Mute.until > now)
        .group_by(Mute.person_key)
    )
    return [(k, a) for k, a in bans.all()], {k: aware(u) for k, u in mutes.all() if u is not None}


MESSAGE_TARGET_ACTIONS = ("hide", "unhide", "approve", "delete", "pin", "to_opinion")
PERSON_TARGET_ACTIONS = ("mute", "unmute", "ban", "unban")


def add_audit_entry(s: AsyncSession, entry: AuditEntry) -> None:
    s.add(entry)


def add_sanction(s: AsyncSession, row: Mute | Ban) -> None:
    """A new mute or ban, written with the transaction."""
    s.add(row)


async def audit_target_labels(s: AsyncSession, entries: list[AuditEntry]) -> dict[int, str]:
    """A readable label for each entry's target: «name: text» of a message, a person's name."""
    from live.storage.accounts import User
    from live.storage.chat import Message

    def message_id(e: AuditEntry) -> int | None:
        target = e.target or ""
        is_id = target.isascii() and target.isdigit()
        return int(target) if e.action in MESSAGE_TARGET_ACTIONS and is_id else None

    message_ids = {i for i in map(message_id, entries) if i is not None}
    people = {e.target for e in entries if e.action in PERSON_TARGET_ACTIONS and e.target}
    messages: dict[int, tuple[str, str]] = {}
    if message_ids:
        rows = await s.execute(
            select(Message.id, Message.author_name, Message.text).where(Message.id.in_(message_ids))
        )
        messages = {int(i): (name, text) for i, name, text in rows.all()}
    names: dict[str, str] = {}
    if people:
        latest = (
            select(Message.author_key, func.max(Message.id).label("last"))
            .where(Message.author_key.in_(people))
            .group_by(Message.author_key)
            .subquery()
        )
        authors = await s.execute(
            select(Message.author_key, Message.author_name).join(latest, Message.id == latest.c.last)
        )
        names = {key: name for key, name in authors.all()}
        user_ids = {int(p[2:]) for p in people if p.startswith("u:") and p[2:].isdigit()}
        if user_ids:
            users = await s.execute(select(User.id, User.display_name).where(User.id.in_(user_ids)))
            names.update({f"u:{i}": name for i, name in users.all()})
    labels: dict[int, str] = {}
    for e in entries:
        mid = message_id(e)
        if mid is not None and mid in messages:
            name, text = messages[mid]
            labels[e.id] = f"{name}: {text if len(text) <= 60 else text[:60] + '…'}"
        elif e.target and e.target in names:
            labels[e.id] = names[e.target]
    return labels


# -- queries ------------------------------------------------------------------------------------


async def active_ban(s: AsyncSession, community_id: int, person_key: str, address: str | None) -> Ban | None:
    """The unlifted ban of the community on ``person_key``, or (when given) on ``address``."""
    match = Ban.person_key == person_key
    if address is not None:
        match = or_(match, Ban.address == address)
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


async def end_mutes(s: AsyncSession, community_id: int, person_key: str, now: datetime) -> None:
    await s.execute(
        update(Mute)
        .where(Mute.community_id == community_id, Mute.person_key == person_key, Mute.until > now)
        .values(until=now)
    )


async def lift_bans(s: AsyncSession, community_id: int, person_key: str, now: datetime) -> None:
    await s.execute(
        update(Ban)
        .where(Ban.community_id == community_id, Ban.person_key == person_key, Ban.lifted_at.is_(None))
        .values(lifted_at=now)
    )


async def audit_entries(
    s: AsyncSession,
    *,
    session_id: int | None = None,
    community_id: int | None = None,
    after: int | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """Audit entries of a session, else of a community, else all; oldest first."""
    query = select(AuditEntry)
    if session_id is not None:
        query = query.where(AuditEntry.session_id == session_id)
    elif community_id is not None:
        query = query.where(AuditEntry.community_id == community_id)
    if after is not None:
        query = query.where(AuditEntry.id > after)
    return list((await s.execute(query.order_by(AuditEntry.id).limit(limit))).scalars())


async def audit_page(
    s: AsyncSession,
    community_id: int,
    *,
    before: int | None = None,
    action: str | None = None,
    search: str = "",
    limit: int = 50,
) -> list[AuditEntry]:
    """A community's audit entries newest first, ``limit`` of them older than the id ``before``;
    ``action`` keeps one kind, ``search`` those whose moderator's name or reason contains it."""
    query = select(AuditEntry).where(AuditEntry.community_id == community_id)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    if action:
        query = query.where(AuditEntry.action == action)
    if search:
        reason = AuditEntry.reason.icontains(search, autoescape=True)
        query = query.where(AuditEntry.actor_name.icontains(search, autoescape=True) | reason)
    return list((await s.execute(query.order_by(AuditEntry.id.desc()).limit(limit))).scalars())


async def active_address_mutes(s: AsyncSession, community_id: int, now: datetime) -> dict[str, datetime]:
    """The addresses of a community's running mutes (address → until): a fresh identity from a
    muted person's address stays muted."""
    rows = await s.execute(
        select(Mute.address, func.max(Mute.until))
        .where(Mute.community_id == community_id, Mute.until > now, Mute.address.is_not(None))
        .group_by(Mute.address)
    )
    return {a: aware(u) for a, u in rows.all() if a and u is not None}
