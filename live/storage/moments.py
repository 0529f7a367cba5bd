"""Where an agenda item lives in the recordings: the moment it was first raised (its earliest
opinion made during a broadcast) and the moments its outcome was announced (all SQL here)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from live.storage.agenda import AgendaEvent, AgendaOpinion
from live.storage.opinions import Opinion
from live.storage.rooms import LiveSession


class MomentStore:
    async def first_raised(self, s: AsyncSession, item_id: int) -> tuple[Opinion, LiveSession] | None:
        linked = select(AgendaOpinion.opinion_id).where(AgendaOpinion.item_id == item_id)
        row = (
            await s.execute(
                select(Opinion, LiveSession)
                .join(LiveSession, LiveSession.id == Opinion.session_id)
                .where(
                    or_(Opinion.id.in_(linked), Opinion.merged_into_id.in_(linked)),
                    Opinion.offset_ms.is_not(None),
                    LiveSession.status == "ended",
                )
                .order_by(Opinion.created_at, Opinion.id)
                .limit(1)
            )
        ).first()
        return (row[0], row[1]) if row is not None else None

    async def announcements(self, s: AsyncSession, item_id: int, kind: str) -> list[AgendaEvent]:
        rows = await s.scalars(
            select(AgendaEvent)
            .where(AgendaEvent.item_id == item_id, AgendaEvent.kind == kind)
            .order_by(AgendaEvent.at, AgendaEvent.id)
        )
        return list(rows)

    async def session(self, s: AsyncSession, session_id: int) -> LiveSession | None:
        return await s.get(LiveSession, session_id)
