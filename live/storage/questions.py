"""The question queue of a broadcast: questions, their upvotes (all SQL of questions lives here)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from live.storage.base import Base, UTCDateTime


class Question(Base):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_key: Mapped[str] = mapped_column(String(80))
    author_name: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    votes: Mapped[int] = mapped_column(default=0)
    offset_ms: Mapped[int] = mapped_column(default=0)
    answering_offset_ms: Mapped[int | None] = mapped_column()
    answered_offset_ms: Mapped[int | None] = mapped_column()
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str | None] = mapped_column(String(80))


class QuestionVote(Base):
    __tablename__ = "question_votes"
    __table_args__ = (UniqueConstraint("question_id", "person_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    person_key: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class QuestionStore:
    async def add(self, s: AsyncSession, question: Question) -> None:
        s.add(question)
        await s.flush()

    async def get(self, s: AsyncSession, question_id: int, *, lock: bool = False) -> Question | None:
        return await s.get(Question, question_id, with_for_update=lock)

    async def has_voted(self, s: AsyncSession, question_id: int, person_key: str) -> bool:
        found = await s.scalar(
            select(QuestionVote.id).where(
                QuestionVote.question_id == question_id, QuestionVote.person_key == person_key
            )
        )
        return found is not None

    async def add_vote(self, s: AsyncSession, question_id: int, person_key: str, now: datetime) -> None:
        s.add(QuestionVote(question_id=question_id, person_key=person_key, created_at=now))
        await s.flush()

    async def recount(self, s: AsyncSession, question_id: int) -> int:
        count = int(
            await s.scalar(select(func.count(QuestionVote.id)).where(QuestionVote.question_id == question_id))
            or 0
        )
        await s.execute(update(Question).where(Question.id == question_id).values(votes=count))
        return count

    async def move_votes(self, s: AsyncSession, from_id: int, into_id: int, now: datetime) -> None:
        """A merged question's upvotes count for the survivor (once per person)."""
        theirs = set(
            await s.scalars(select(QuestionVote.person_key).where(QuestionVote.question_id == from_id))
        )
        mine = set(
            await s.scalars(select(QuestionVote.person_key).where(QuestionVote.question_id == into_id))
        )
        for key in sorted(theirs - mine):
            s.add(QuestionVote(question_id=into_id, person_key=key, created_at=now))
        await s.flush()

    async def of_session(
        self,
        s: AsyncSession,
        session_id: int,
        statuses: Collection[str] | None,
        *,
        limit: int,
        after: int | None,
    ) -> list[Question]:
        """Most votes first, then oldest first; ``after`` pages on in that order."""
        query = select(Question).where(Question.session_id == session_id)
        if statuses is not None:
            query = query.where(Question.status.in_(list(statuses)))
        if after is not None:
            anchor = await s.get(Question, after)
            if anchor is not None:
                query = query.where(
                    (Question.votes < anchor.votes)
                    | ((Question.votes == anchor.votes) & (Question.id > anchor.id))
                )
        query = query.order_by(Question.votes.desc(), Question.id).limit(limit)
        return list(await s.scalars(query))

    async def answering_of_session(self, s: AsyncSession, session_id: int) -> list[Question]:
        rows = await s.scalars(
            select(Question).where(Question.session_id == session_id, Question.status == "answering")
        )
        return list(rows)

    async def answered_of_session(self, s: AsyncSession, session_id: int) -> list[Question]:
        rows = await s.scalars(
            select(Question)
            .where(Question.session_id == session_id, Question.status == "answered")
            .order_by(Question.answered_offset_ms, Question.id)
        )
        return list(rows)
