"""Offline deliberation meetings and the agenda items each discussed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, ScalarSelect, String, Text, UniqueConstraint, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from live.storage.base import Base, UTCDateTime

if TYPE_CHECKING:
    from live.storage.agenda import AgendaItem

MEETING_FORMATS = (
    "roundtable",
    "one_issue",
    "peacemaker",
    "monday_face_to_face",
    "streetlamp",
    "family",
    "stairwell",
)


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    format: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(200))
    attendance: Mapped[int | None] = mapped_column()
    minutes: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MeetingItem(Base):
    __tablename__ = "meeting_items"
    __table_args__ = (UniqueConstraint("meeting_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    decision: Mapped[str] = mapped_column(Text, default="")


class Registration(Base):
    """One person registered for a meeting (a resident may register family members by name)."""

    __tablename__ = "meeting_registrations"
    __table_args__ = (UniqueConstraint("code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    person_key: Mapped[str] = mapped_column(String(80), index=True)
    name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="registered")
    code: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_by: Mapped[str | None] = mapped_column(String(80))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RegistrationStore:
    """All SQL of meeting registrations."""

    async def add(self, s: AsyncSession, registration: Registration) -> None:
        s.add(registration)
        await s.flush()

    async def get(self, s: AsyncSession, registration_id: int) -> Registration | None:
        return await s.get(Registration, registration_id, with_for_update=True)

    async def by_code(self, s: AsyncSession, meeting_id: int, code: str) -> Registration | None:
        return await s.scalar(
            select(Registration)
            .where(Registration.meeting_id == meeting_id, Registration.code == code)
            .with_for_update()
        )

    async def code_taken(self, s: AsyncSession, code: str) -> bool:
        return await s.scalar(select(Registration.id).where(Registration.code == code)) is not None

    async def active_of(
        self, s: AsyncSession, meeting_id: int, person_key: str, name: str
    ) -> Registration | None:
        return await s.scalar(
            select(Registration).where(
                Registration.meeting_id == meeting_id,
                Registration.person_key == person_key,
                Registration.name == name,
                Registration.status != "cancelled",
            )
        )

    async def of_meeting(
        self, s: AsyncSession, meeting_id: int, person_key: str | None = None
    ) -> list[Registration]:
        query = select(Registration).where(Registration.meeting_id == meeting_id)
        if person_key is not None:
            query = query.where(Registration.person_key == person_key)
        return list(await s.scalars(query.order_by(Registration.id)))

    async def counts_of(self, s: AsyncSession, meeting_ids: list[int]) -> dict[int, dict[str, int]]:
        """Registered, waitlisted and attended counts of several meetings in two queries."""
        found: dict[int, dict[str, int]] = {
            i: {"registered": 0, "waitlisted": 0, "attended": 0} for i in meeting_ids
        }
        if not meeting_ids:
            return found
        rows = await s.execute(
            select(Registration.meeting_id, Registration.status, func.count(Registration.id))
            .where(Registration.meeting_id.in_(meeting_ids))
            .group_by(Registration.meeting_id, Registration.status)
        )
        for meeting_id, status, n in rows:
            if status in ("registered", "waitlisted"):
                found[int(meeting_id)][str(status)] = int(n)
        attended = await s.execute(
            select(Registration.meeting_id, func.count(Registration.id))
            .where(Registration.meeting_id.in_(meeting_ids), Registration.checked_in_at.is_not(None))
            .group_by(Registration.meeting_id)
        )
        for meeting_id, n in attended:
            found[int(meeting_id)]["attended"] = int(n)
        return found

    async def counts(self, s: AsyncSession, meeting_id: int) -> dict[str, int]:
        rows = await s.execute(
            select(Registration.status, func.count(Registration.id))
            .where(Registration.meeting_id == meeting_id)
            .group_by(Registration.status)
        )
        counts = {status: n for status, n in rows}
        attended = await s.scalar(
            select(func.count(Registration.id)).where(
                Registration.meeting_id == meeting_id, Registration.checked_in_at.is_not(None)
            )
        )
        return {
            "registered": counts.get("registered", 0),
            "waitlisted": counts.get("waitlisted", 0),
            "attended": int(attended or 0),
        }

    async def waitlisted(self, s: AsyncSession, meeting_id: int, limit: int) -> list[Registration]:
        rows = await s.scalars(
            select(Registration)
            .where(Registration.meeting_id == meeting_id, Registration.status == "waitlisted")
            .order_by(Registration.id)
            .limit(limit)
            .with_for_update()
        )
        return list(rows)

    async def claim_reminder(self, s: AsyncSession, registration_id: int, now: datetime) -> bool:
        """Mark a registration reminded if it is not yet: True for exactly one caller, however
        many runs race for it (a conditional UPDATE)."""
        result = await s.execute(
            update(Registration)
            .where(Registration.id == registration_id, Registration.reminded_at.is_(None))
            .values(reminded_at=now)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def to_remind(self, s: AsyncSession, start: datetime, end: datetime) -> list[Registration]:
        """Active registrations of meetings starting in [start, end) not reminded yet."""
        rows = await s.scalars(
            select(Registration)
            .join(Meeting, Meeting.id == Registration.meeting_id)
            .where(
                Meeting.starts_at >= start,
                Meeting.starts_at < end,
                Registration.status != "cancelled",
                Registration.reminded_at.is_(None),
            )
            .order_by(Registration.id)
            .with_for_update(skip_locked=True)
        )
        return list(rows)


# ---- meetings and their items (inside the caller's transaction) -------------------------------


async def add_meeting(s: AsyncSession, meeting: Meeting) -> None:
    """Stores a new meeting, flushed (its id is known)."""
    s.add(meeting)
    await s.flush()


async def get_meeting(s: AsyncSession, meeting_id: int, *, lock: bool = False) -> Meeting | None:
    return await s.get(Meeting, meeting_id, with_for_update=lock)


def add_meeting_item(s: AsyncSession, meeting_id: int, item_id: int) -> None:
    s.add(MeetingItem(meeting_id=meeting_id, item_id=item_id, decision=""))


async def meeting_item(s: AsyncSession, meeting_id: int, item_id: int) -> MeetingItem | None:
    found: MeetingItem | None = await s.scalar(
        select(MeetingItem).where(MeetingItem.meeting_id == meeting_id, MeetingItem.item_id == item_id)
    )
    return found


async def meetings_page(
    s: AsyncSession, community_id: ScalarSelect[int] | int | None, limit: int, after: int | None
) -> list[Meeting]:
    """Meetings newest first (by id), optionally of one community."""
    query = select(Meeting)
    if community_id is not None:
        query = query.where(Meeting.community_id == community_id)
    if after is not None:
        query = query.where(Meeting.id < after)
    return list((await s.execute(query.order_by(Meeting.id.desc()).limit(limit))).scalars())


async def items_of_meetings(
    s: AsyncSession, meeting_ids: list[int]
) -> dict[int, list[tuple[AgendaItem, str]]]:
    """Each meeting's agenda items with their decisions, in the order they were put on it (one
    query however many meetings)."""
    from live.storage.agenda import AgendaItem

    items: dict[int, list[tuple[AgendaItem, str]]] = {mid: [] for mid in meeting_ids}
    if meeting_ids:
        rows = await s.execute(
            select(MeetingItem.meeting_id, AgendaItem, MeetingItem.decision)
            .join(MeetingItem, MeetingItem.item_id == AgendaItem.id)
            .where(MeetingItem.meeting_id.in_(meeting_ids))
            .order_by(MeetingItem.id)
        )
        for meeting_id, item, decision in rows:
            items[meeting_id].append((item, decision))
    return items
