"""Live sessions (broadcasts) and their room state."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from live.statuses import SessionStatus
from live.storage.base import Base, UTCDateTime

if TYPE_CHECKING:
    from live.storage.agenda import AgendaItem
    from live.storage.presence import ViewerSample


class LiveSession(Base):
    __tablename__ = "live_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=SessionStatus.SCHEDULED.value, index=True)
    stream_key: Mapped[str] = mapped_column(String(64), unique=True)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    chat_open: Mapped[bool] = mapped_column(default=True)
    slow_mode_s: Mapped[int] = mapped_column(default=0)
    pinned_message_id: Mapped[int | None] = mapped_column()
    peak_viewers: Mapped[int] = mapped_column(default=0)
    unique_viewers: Mapped[int] = mapped_column(default=0)
    recording_path: Mapped[str | None] = mapped_column(String(255))
    recording_duration_s: Mapped[float | None] = mapped_column()
    recording_bytes: Mapped[int | None] = mapped_column()


class SessionAgendaItem(Base):
    """An agenda item the host means to report on during a session."""

    __tablename__ = "session_agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"))


# -- queries ------------------------------------------------------------------------------------


async def get_session(s: AsyncSession, session_id: int, *, lock: bool = False) -> LiveSession | None:
    return await s.get(LiveSession, session_id, with_for_update=lock)


async def list_sessions(
    s: AsyncSession, status: str | None, community_slug: str | None, limit: int, after: int | None
) -> list[LiveSession]:
    """Sessions newest first (by id), optionally of one status and one community."""
    from live.storage.places import community_id_of

    query = select(LiveSession)
    if status:
        query = query.where(LiveSession.status == status)
    if community_slug:
        query = query.where(LiveSession.community_id == community_id_of(community_slug))
    if after is not None:
        query = query.where(LiveSession.id < after)
    query = query.order_by(LiveSession.id.desc()).limit(limit)
    return list((await s.execute(query)).scalars())


async def sessions_with_recordings(s: AsyncSession, on_disk: Collection[int]) -> list[LiveSession]:
    """Sessions that have gone live with a recording in the database or one of ``on_disk``
    (their ids), newest first: the others are not read."""
    kept = or_(LiveSession.recording_bytes.is_not(None), LiveSession.recording_path.is_not(None))
    if on_disk:
        kept = or_(kept, LiveSession.id.in_(sorted(on_disk)))
    query = select(LiveSession).where(LiveSession.status != SessionStatus.SCHEDULED, kept)
    return list((await s.execute(query.order_by(LiveSession.id.desc()))).scalars())


async def live_session_ids(s: AsyncSession) -> list[int]:
    query = select(LiveSession.id).where(LiveSession.status == SessionStatus.LIVE)
    return list((await s.execute(query)).scalars())


async def replace_session_agenda(s: AsyncSession, session_id: int, item_ids: list[int]) -> None:
    await s.execute(delete(SessionAgendaItem).where(SessionAgendaItem.session_id == session_id))
    s.add_all(SessionAgendaItem(session_id=session_id, item_id=i) for i in item_ids)


async def session_agenda(s: AsyncSession, session_id: int) -> list[AgendaItem]:
    """The agenda items a session reports on, by id."""
    from live.storage.agenda import AgendaItem

    query = (
        select(AgendaItem)
        .join(SessionAgendaItem, SessionAgendaItem.item_id == AgendaItem.id)
        .where(SessionAgendaItem.session_id == session_id)
        .order_by(AgendaItem.id)
    )
    return list((await s.execute(query)).scalars())


async def viewer_numbers(s: AsyncSession, session_id: int) -> tuple[int, int]:
    """The stored (peak, unique) viewers of a session ((0, 0) if there is none)."""
    row = (
        await s.execute(
            select(LiveSession.peak_viewers, LiveSession.unique_viewers).where(LiveSession.id == session_id)
        )
    ).one_or_none()
    return (int(row[0]), int(row[1])) if row else (0, 0)


async def raise_peak(s: AsyncSession, session_id: int, current: int) -> None:
    await s.execute(
        update(LiveSession)
        .where(LiveSession.id == session_id, LiveSession.peak_viewers < current)
        .values(peak_viewers=current)
    )


async def count_unique_viewer(s: AsyncSession, session_id: int, person: str, now: datetime) -> bool:
    """Record ``person`` as a viewer of the session; False if they already were one.
    Raises ``Duplicate`` when another process records the same person at the same time."""
    from live.storage.presence import SessionViewer

    exists = await s.scalar(
        select(func.count(SessionViewer.id)).where(
            SessionViewer.session_id == session_id, SessionViewer.person_key == person
        )
    )
    if exists:
        return False
    s.add(SessionViewer(session_id=session_id, person_key=person, first_seen=now))
    await s.flush()
    await s.execute(
        update(LiveSession)
        .where(LiveSession.id == session_id)
        .values(unique_viewers=LiveSession.unique_viewers + 1)
    )
    return True


async def add_session(s: AsyncSession, session: LiveSession) -> None:
    """Stores a new session, flushed (its id is known)."""
    s.add(session)
    await s.flush()


async def add_viewer_sample(s: AsyncSession, session_id: int, at: datetime, viewers: int) -> None:
    from live.storage.presence import ViewerSample

    s.add(ViewerSample(session_id=session_id, at=at, viewers=viewers))


async def viewer_samples_page(
    s: AsyncSession, session_id: int, limit: int, after: int | None
) -> list[ViewerSample]:
    from live.storage.presence import ViewerSample

    query = select(ViewerSample).where(ViewerSample.session_id == session_id)
    if after is not None:
        query = query.where(ViewerSample.id > after)
    return list((await s.execute(query.order_by(ViewerSample.id).limit(limit))).scalars())
