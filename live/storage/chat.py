"""Chat messages of a session's room."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from live.clock import aware
from live.statuses import MessageStatus
from live.storage.base import Base, UTCDateTime


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_session_id_id", "session_id", "id"),
        Index("ix_messages_session_id_status", "session_id", "status"),
        Index("ix_messages_session_id_offset_ms", "session_id", "offset_ms"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    author_key: Mapped[str] = mapped_column(String(80), index=True)
    author_name: Mapped[str] = mapped_column(String(64))
    author_role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    nonce: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    offset_ms: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="visible")
    address: Mapped[str | None] = mapped_column(String(64))


NONCE_WINDOW_S = 300


async def recent_by_nonce(
    s: AsyncSession, pairs: Sequence[tuple[str, str]], since: datetime
) -> dict[tuple[str, str], Message]:
    """Messages sent since ``since`` whose (author, nonce) is one of ``pairs``; one query."""
    if not pairs:
        return {}
    authors = sorted({a for a, _ in pairs})
    nonces = sorted({n for _, n in pairs})
    query = select(Message).where(
        Message.author_key.in_(authors), Message.nonce.in_(nonces), Message.created_at >= since
    )
    wanted = set(pairs)
    found: dict[tuple[str, str], Message] = {}
    for message in (await s.execute(query.order_by(Message.id))).scalars():
        key = (message.author_key, message.nonce or "")
        if key in wanted and key not in found:
            found[key] = message
    return found


async def last_posts(s: AsyncSession, session_id: int, authors: Sequence[str]) -> dict[str, datetime]:
    """When each of ``authors`` last posted in the session (slow mode); one query."""
    if not authors:
        return {}
    query = (
        select(Message.author_key, func.max(Message.created_at))
        .where(Message.session_id == session_id, Message.author_key.in_(sorted(set(authors))))
        .group_by(Message.author_key)
    )
    return {key: aware(at) for key, at in (await s.execute(query)).all() if at is not None}


def lock_key(person_key: str) -> int:
    """A stable signed 64-bit advisory-lock key for a person."""
    return int.from_bytes(hashlib.blake2b(person_key.encode(), digest_size=8).digest(), "big", signed=True)


async def lock_people(s: AsyncSession, person_keys: Sequence[str]) -> None:
    """PostgreSQL: hold a transaction-scoped advisory lock per person (sorted, so two groups
    never deadlock), making "check, then insert" atomic across processes. SQLite has one writer
    process and the group writer serialises within it, so there is nothing to lock."""
    if not person_keys or s.get_bind().dialect.name != "postgresql":
        return
    keys = sorted({lock_key(k) for k in person_keys})
    await s.execute(
        text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k"), {"keys": keys}
    )


def insert_messages(s: AsyncSession, messages: Sequence[Message]) -> None:
    s.add_all(messages)


async def session_messages(
    s: AsyncSession,
    session_id: int,
    *,
    moderator: bool,
    after: int | None,
    limit: int,
    from_ms: int | None = None,
    to_ms: int | None = None,
) -> list[Message]:
    """One page of a session's messages in id order (index on session and id, or on session and
    offset for a stretch of the broadcast); moderators also get held and hidden ones."""
    query = select(Message).where(Message.session_id == session_id)
    query = query.where(Message.status != "deleted" if moderator else Message.status == "visible")
    if after is not None:
        query = query.where(Message.id > after)
    if from_ms is not None:
        query = query.where(Message.offset_ms >= from_ms)
    if to_ms is not None:
        query = query.where(Message.offset_ms < to_ms)
    return list((await s.execute(query.order_by(Message.id).limit(limit))).scalars())


# -- queries ------------------------------------------------------------------------------------


async def get_message(s: AsyncSession, message_id: int, *, lock: bool = False) -> Message | None:
    return await s.get(Message, message_id, with_for_update=lock)


async def last_message_at(s: AsyncSession, session_id: int, author_key: str) -> datetime | None:
    """When ``author_key`` last wrote in the session (for slow mode)."""
    return await s.scalar(
        select(func.max(Message.created_at)).where(
            Message.session_id == session_id, Message.author_key == author_key
        )
    )


async def recent_visible(s: AsyncSession, session_id: int, limit: int) -> list[Message]:
    """The last ``limit`` visible messages of a session, oldest first."""
    query = (
        select(Message)
        .where(Message.session_id == session_id, Message.status == MessageStatus.VISIBLE)
        .order_by(Message.id.desc())
        .limit(limit)
    )
    return list(reversed((await s.execute(query)).scalars().all()))


async def shown_messages_of(s: AsyncSession, community_id: int, author_key: str) -> list[Message]:
    """A person's visible and held messages in a community, locked (to hide them on a ban)."""
    query = (
        select(Message)
        .where(
            Message.community_id == community_id,
            Message.author_key == author_key,
            Message.status.in_((MessageStatus.VISIBLE, MessageStatus.HELD)),
        )
        .with_for_update()
    )
    return list((await s.execute(query)).scalars())


async def last_address_of(s: AsyncSession, community_id: int, author_key: str) -> str | None:
    """The address a person last wrote from in a community."""
    return await s.scalar(
        select(Message.address)
        .where(
            Message.community_id == community_id,
            Message.author_key == author_key,
            Message.address.is_not(None),
        )
        .order_by(Message.id.desc())
        .limit(1)
    )
