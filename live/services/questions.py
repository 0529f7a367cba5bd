"""The question queue: residents ask (a channel apart from chat), others upvote, staff approve,
merge or reject, the host marks one "now answering" and then "answered" (the moment is kept)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from live.clock import Clock
from live.errors import Conflict, Invalid, NotFound, RateLimited
from live.events import EventBus, QuestionChanged
from live.services.actors import Actor, require_staff
from live.services.chat import offset_ms
from live.services.text import clean_text
from live.storage.db import Database
from live.storage.questions import Question, QuestionStore
from live.storage.rooms import get_session

TEXT_MAX = 500
PENDING_PER_PERSON = 5


class QuestionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    ANSWERING = "answering"
    ANSWERED = "answered"
    REJECTED = "rejected"
    MERGED = "merged"


#: What residents (not staff) see of a session's queue.
PUBLIC = (QuestionStatus.APPROVED, QuestionStatus.ANSWERING, QuestionStatus.ANSWERED)
#: Statuses staff may set with PATCH.
SETTABLE = (
    QuestionStatus.APPROVED,
    QuestionStatus.ANSWERING,
    QuestionStatus.ANSWERED,
    QuestionStatus.REJECTED,
)


@dataclass(frozen=True)
class Changed:
    """A question whose change is to be published (after the commit)."""

    question: Question
    change: str


class Questions:
    def __init__(self, db: Database, clock: Clock, events: EventBus) -> None:
        self.db = db
        self.clock = clock
        self.events = events
        self.store = QuestionStore()

    async def ask(self, actor: Actor, session_id: int, text: str) -> Question:
        clean = clean_text(text, "text", TEXT_MAX)
        now = self.clock.now()
        async with self.db.transaction() as s:
            session = await get_session(s, session_id)
            if session is None:
                raise NotFound("no such session")
            if session.status == "ended":
                raise Conflict("the broadcast has ended", code="session_ended")
            mine = await self.store.of_session(
                s, session.id, (QuestionStatus.PENDING,), limit=1000, after=None
            )
            if sum(1 for q in mine if q.author_key == actor.key) >= PENDING_PER_PERSON:
                raise RateLimited("wait until your earlier questions are looked at")
            question = Question(
                session_id=session.id,
                community_id=session.community_id,
                text=clean,
                author_key=actor.key,
                author_name=actor.name[:64],
                status=QuestionStatus.PENDING,
                votes=0,
                offset_ms=offset_ms(session, now),
                created_at=now,
                updated_at=now,
            )
            await self.store.add(s, question)
        await self._publish([Changed(question, "asked")], actor)
        return question

    async def upvote(self, actor: Actor, question_id: int) -> Question:
        """Once per person; a second upvote changes nothing."""
        now = self.clock.now()
        async with self.db.transaction() as s:
            question = await self.store.get(s, question_id, lock=True)
            if question is None or not self._visible(actor, question, allow_pending=True):
                raise NotFound("no such question")
            if question.status in (QuestionStatus.REJECTED, QuestionStatus.MERGED):
                raise Conflict("this question is closed", code="closed")
            added = False
            if not await self.store.has_voted(s, question.id, actor.key):
                await self.store.add_vote(s, question.id, actor.key, now)
                question.votes = await self.store.recount(s, question.id)
                added = True
        if added:
            await self._publish([Changed(question, "upvoted")], actor)
        return question

    async def set_status(self, actor: Actor, question_id: int, status: str) -> Question:
        if status not in SETTABLE:
            raise Invalid(f"status must be one of {', '.join(SETTABLE)}", code="bad_status")
        target = QuestionStatus(status)
        now = self.clock.now()
        changed: list[Changed] = []
        async with self.db.transaction() as s:
            question = await self.store.get(s, question_id, lock=True)
            if question is None:
                raise NotFound("no such question")
            require_staff(actor, "moderator", question.community_id)
            if question.status == QuestionStatus.MERGED:
                raise Conflict("this question was merged into another", code="merged")
            session = await get_session(s, question.session_id)
            assert session is not None
            at = offset_ms(session, now)
            if target == QuestionStatus.ANSWERING:
                for other in await self.store.answering_of_session(s, question.session_id):
                    if other.id != question.id:
                        self._answered(other, at, actor, now)
                        changed.append(Changed(other, QuestionStatus.ANSWERED))
                if question.status != QuestionStatus.ANSWERING:
                    question.answering_offset_ms = at
                    question.answered_offset_ms = None
            if target == QuestionStatus.ANSWERED:
                if question.status != QuestionStatus.ANSWERED:
                    self._answered(question, at, actor, now)
            else:
                question.status = target
                question.updated_at, question.updated_by = now, actor.key
            changed.append(Changed(question, target))
        await self._publish(changed, actor)
        return question

    async def merge(self, actor: Actor, question_id: int, into_id: int) -> Question:
        """The same question asked twice: its upvotes go to the one that stays."""
        if question_id == into_id:
            raise Invalid("a question cannot be merged into itself", code="bad_merge")
        now = self.clock.now()
        async with self.db.transaction() as s:
            # both locked in id order, so that two opposite merges at once wait rather than deadlock
            locked = {i: await self.store.get(s, i, lock=True) for i in sorted((question_id, into_id))}
            question, into = locked[question_id], locked[into_id]
            if question is None or into is None:
                raise NotFound("no such question")
            require_staff(actor, "moderator", question.community_id)
            if into.session_id != question.session_id:
                raise Invalid("both questions must belong to the same broadcast", code="bad_merge")
            if QuestionStatus.MERGED in (question.status, into.status):
                raise Conflict("already merged", code="merged")
            await self.store.move_votes(s, question.id, into.id, now)
            into.votes = await self.store.recount(s, into.id)
            question.status, question.merged_into_id = QuestionStatus.MERGED, into.id
            question.updated_at, question.updated_by = now, actor.key
            if into.status == QuestionStatus.PENDING:
                into.status = QuestionStatus.APPROVED
        await self._publish([Changed(question, "merged"), Changed(into, "upvoted")], actor)
        return into

    async def current(self, question_id: int) -> Question | None:
        """A question as it is now, for the subscriber that shows its change (None if gone)."""
        async with self.db.read() as s:
            return await self.store.get(s, question_id)

    async def get(self, actor: Actor, question_id: int) -> Question:
        async with self.db.read() as s:
            question = await self.store.get(s, question_id)
        if question is None or not self._visible(actor, question):
            raise NotFound("no such question")
        return question

    async def of_session(
        self, actor: Actor, session_id: int, *, limit: int = 100, after: int | None = None
    ) -> list[Question]:
        """Most votes first; pending (and rejected, merged) ones only for staff."""
        async with self.db.read() as s:
            session = await get_session(s, session_id)
            if session is None:
                raise NotFound("no such session")
            statuses = None if actor.can("moderator", session.community_id) else PUBLIC
            return await self.store.of_session(s, session.id, statuses, limit=limit, after=after)

    async def answered(self, session_id: int) -> list[Question]:
        """The answered questions of a session, in the order of the recording (for the replay)."""
        async with self.db.read() as s:
            return await self.store.answered_of_session(s, session_id)

    async def answering(self, session_id: int) -> Question | None:
        async with self.db.read() as s:
            now = await self.store.answering_of_session(s, session_id)
        return now[0] if now else None

    def _visible(self, actor: Actor, question: Question, *, allow_pending: bool = False) -> bool:
        if actor.can("moderator", question.community_id):
            return True
        if question.status in PUBLIC:
            return True
        return allow_pending and question.status == QuestionStatus.PENDING

    @staticmethod
    def _answered(question: Question, at: int, actor: Actor, now: datetime) -> None:
        question.status = QuestionStatus.ANSWERED
        if question.answering_offset_ms is None:
            question.answering_offset_ms = at
        question.answered_offset_ms = at
        question.updated_by = actor.key
        question.updated_at = now

    async def _publish(self, changed: list[Changed], actor: Actor) -> None:
        for c in changed:
            q = c.question
            event = QuestionChanged(q.id, q.session_id, q.community_id, c.change, actor=actor.key)
            await self.events.publish(event)
