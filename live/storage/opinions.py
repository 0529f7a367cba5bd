"""Opinions residents raise, their categories and "me too" supports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from live.statuses import OpinionStatus
from live.storage.base import Base, UTCDateTime


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    response_days: Mapped[int] = mapped_column(default=2)  # working days to respond
    resolve_days: Mapped[int] = mapped_column(default=15)  # working days to resolve


class Opinion(Base):
    __tablename__ = "opinions"
    __table_args__ = (
        Index("ix_opinions_community_id_id", "community_id", "id"),
        Index("ix_opinions_community_id_status_id", "community_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(32), default="other")
    location: Mapped[str | None] = mapped_column(String(200))
    compound_id: Mapped[int | None] = mapped_column(ForeignKey("compounds.id"))
    source: Mapped[str] = mapped_column(String(16), default="web")
    session_id: Mapped[int | None] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    offset_ms: Mapped[int | None] = mapped_column()
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    author_key: Mapped[str] = mapped_column(String(80))
    author_name: Mapped[str] = mapped_column(String(64), default="")
    contact: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("opinions.id"))
    reject_reason: Mapped[str | None] = mapped_column(String(32))
    reject_note: Mapped[str | None] = mapped_column(Text)
    supporters: Mapped[int] = mapped_column(default=1)
    #: Distinct households with a verified member among the supporters (live/storage/support_counts.py).
    verified_households: Mapped[int] = mapped_column(default=0, server_default="0")
    public: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # a voice message (file name under LIVE_DATA_DIR/uploads/) and its length; photos as
    # [{"file": name, "thumb": name}]: see live/services/uploads.py
    voice_file: Mapped[str | None] = mapped_column(String(80))
    voice_duration_s: Mapped[float | None] = mapped_column(Float())  # as migration 0006 made it
    photos: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)


class OpinionSupport(Base):
    __tablename__ = "opinion_supports"
    __table_args__ = (UniqueConstraint("opinion_id", "person_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opinion_id: Mapped[int] = mapped_column(ForeignKey("opinions.id"), index=True)
    person_key: Mapped[str] = mapped_column(String(80))
    #: The supporter's account when they were signed in (how verified households are counted).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


# -- the one rule of what the public sees ------------------------------------------------------

#: Statuses of opinions the public never sees (a moderator turned it down).
NOT_PUBLIC_STATUSES = (OpinionStatus.REJECTED,)


def is_public(opinion: Opinion) -> bool:
    """What anyone may see: an opinion left public by its author that was not rejected.
    ``public_clause`` is the same rule as SQL."""
    return opinion.public and opinion.status not in NOT_PUBLIC_STATUSES


def public_clause() -> ColumnElement[bool]:
    """``is_public`` as a SQL condition."""
    return Opinion.public.is_(True) & Opinion.status.not_in(NOT_PUBLIC_STATUSES)


@dataclass(frozen=True)
class Scope:
    """Which opinions a listing shows: everything, or the public ones plus (when given) every
    opinion of one community."""

    everything: bool = False
    community_id: int | None = None


# -- queries ------------------------------------------------------------------------------------


async def get_opinion(s: AsyncSession, opinion_id: int, *, lock: bool = False) -> Opinion | None:
    return await s.get(Opinion, opinion_id, with_for_update=lock)


async def lock_opinions(s: AsyncSession, ids: list[int]) -> dict[int, Opinion]:
    """The opinions of ``ids`` locked for update, in id order (so that concurrent triage never
    deadlocks); missing ids are absent from the result."""
    found: dict[int, Opinion] = {}
    for opinion_id in sorted(set(ids)):
        opinion = await s.get(Opinion, opinion_id, with_for_update=True)
        if opinion is not None:
            found[opinion_id] = opinion
    return found


async def opinion_of_message(s: AsyncSession, message_id: int) -> Opinion | None:
    return await s.scalar(select(Opinion).where(Opinion.message_id == message_id))


async def list_opinions(
    s: AsyncSession,
    scope: Scope,
    *,
    community_slug: str | None = None,
    status: str | None = None,
    category: str | None = None,
    session_id: int | None = None,
    location: str | None = None,
    search: str | None = None,
    limit: int = 100,
    after: int | None = None,
) -> list[Opinion]:
    """Opinions newest first, filtered (``search``: the text or place contains it), within ``scope``."""
    from live.storage.places import community_id_of

    query = select(Opinion)
    if community_slug:  # by id (a subquery): the (community, id) index, not a walk of every row
        query = query.where(Opinion.community_id == community_id_of(community_slug))
    if status:
        query = query.where(Opinion.status == status)
    if category:
        query = query.where(Opinion.category == category)
    if location:
        query = query.where(Opinion.location.contains(location, autoescape=True))
    if search:
        placed = Opinion.location.icontains(search, autoescape=True)
        query = query.where(Opinion.text.icontains(search, autoescape=True) | placed)
    if session_id is not None:
        query = query.where(Opinion.session_id == session_id)
    if after is not None:
        query = query.where(Opinion.id < after)
    if not scope.everything:
        if scope.community_id is not None:
            query = query.where(public_clause() | (Opinion.community_id == scope.community_id))
        else:
            query = query.where(public_clause())
    rows = await s.execute(query.order_by(Opinion.id.desc()).limit(limit))
    return list(rows.scalars())


async def open_pool(s: AsyncSession, community_id: int, limit: int) -> list[Opinion]:
    """A community's new and accepted opinions, newest first (to compare a new one with)."""
    rows = await s.execute(
        select(Opinion)
        .where(
            Opinion.community_id == community_id,
            Opinion.status.in_((OpinionStatus.NEW, OpinionStatus.ACCEPTED)),
        )
        .order_by(Opinion.id.desc())
        .limit(limit)
    )
    return list(rows.scalars())


async def has_support(s: AsyncSession, opinion_id: int, person_key: str) -> bool:
    found = await s.scalar(
        select(OpinionSupport.id).where(
            OpinionSupport.opinion_id == opinion_id, OpinionSupport.person_key == person_key
        )
    )
    return found is not None


async def add_opinion(s: AsyncSession, opinion: Opinion) -> None:
    """Stores a new opinion, flushed (its id is known)."""
    s.add(opinion)
    await s.flush()


def add_support(s: AsyncSession, opinion_id: int, person_key: str, at: datetime) -> None:
    s.add(OpinionSupport(opinion_id=opinion_id, person_key=person_key, created_at=at))


async def support_of(s: AsyncSession, opinion_id: int, person_key: str) -> int | None:
    """The id of ``person_key``'s support of an opinion, if they gave one."""
    return await s.scalar(
        select(OpinionSupport.id).where(
            OpinionSupport.opinion_id == opinion_id, OpinionSupport.person_key == person_key
        )
    )


async def supporter_keys(s: AsyncSession, opinion_id: int) -> set[str]:
    rows = await s.execute(select(OpinionSupport.person_key).where(OpinionSupport.opinion_id == opinion_id))
    return set(rows.scalars())


async def count_supports(s: AsyncSession, opinion_id: int) -> int:
    count = await s.scalar(
        select(func.count(OpinionSupport.id)).where(OpinionSupport.opinion_id == opinion_id)
    )
    return count or 0


async def recount(s: AsyncSession, opinion_id: int) -> None:
    """Store an opinion's supporters from its supports (at least its author). The opinion is
    locked first: two concurrent "me too"s would otherwise each count only their own new row
    under READ COMMITTED (PostgreSQL) and the second update would lose the first."""
    from live.storage.support_counts import recount as recount_both  # both numbers, and its items

    await recount_both(s, [opinion_id])


async def repoint_merged(s: AsyncSession, from_id: int, to_id: int) -> None:
    """Opinions merged into ``from_id`` now point at ``to_id``."""
    await s.execute(update(Opinion).where(Opinion.merged_into_id == from_id).values(merged_into_id=to_id))


async def opinions_by_ids(s: AsyncSession, ids: list[int]) -> dict[int, Opinion]:
    if not ids:
        return {}
    rows = await s.execute(select(Opinion).where(Opinion.id.in_(ids)))
    return {o.id: o for o in rows.scalars()}
