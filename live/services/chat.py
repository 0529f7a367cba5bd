"""Chat: posting under the room's rules (limits, slow mode, mutes, bans, word list) and history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from live.clock import Clock
from live.errors import Invalid, NotFound
from live.events import EventBus, MessagePosted
from live.services.actors import Actor
from live.services.chat_rules import ChatRefused, ChatRules, MutedRefused, SessionRules
from live.services.chat_writer import GroupWriter, Posted, SlowModeRefused
from live.services.limits import PersonLimit
from live.services.presence import Counts, Presence
from live.services.signals import Signals
from live.services.text import clean_text as shared_clean_text
from live.services.wordfilter import WordFilter
from live.statuses import MessageStatus, SessionStatus
from live.storage import chat as store
from live.storage import rooms as rooms_store
from live.storage.chat import Message
from live.storage.db import Database, Tx
from live.storage.rooms import LiveSession

TEXT_MAX = 500
NONCE_MAX = 64
HISTORY = 50
VISIBLE = MessageStatus.VISIBLE
HELD = MessageStatus.HELD
HIDDEN = MessageStatus.HIDDEN
DELETED = MessageStatus.DELETED


__all__ = ["ChatRefused", "Posted", "SlowModeRefused"]


@dataclass(frozen=True)
class Welcome:
    """What a person who joins a session's room is shown: its chat so far, its numbers, the
    pinned message and the session itself (status, chat open, slow mode)."""

    session: LiveSession
    history: list[Message]
    counts: Counts
    pinned: Message | None
    muted: MutedRefused | None = None


#: The transport's half of joining: put the connection into the session's rooms; True when it
#: was not in them yet (a second ``join`` of the same connection counts once).
Enter = Callable[[LiveSession], Awaitable[bool]]


def clean_text(raw: object) -> str:
    """The shared text rules (``live.services.text``): NFC, no control/bidi characters, not empty."""
    return shared_clean_text(raw, "text", TEXT_MAX)


def clean_nonce(raw: object) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str | int) or isinstance(raw, bool) or len(str(raw)) > NONCE_MAX:
        raise Invalid(f"nonce: a string of at most {NONCE_MAX} characters", code="bad_nonce")
    return str(raw)


def offset_ms(session: LiveSession | SessionRules, now: datetime) -> int:
    """Milliseconds since the session went live (0 before it did), for the replay."""
    if session.started_at is None:
        return 0
    return max(0, int((now - session.started_at).total_seconds() * 1000))


class Chat:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        words: WordFilter,
        bucket: PersonLimit,
        presence: Presence,
        events: EventBus,
        rules: ChatRules | None = None,
        writer: GroupWriter | None = None,
    ) -> None:
        self.events = events
        self.db = db
        self.clock = clock
        self.words = words
        self.bucket = bucket
        self.presence = presence
        self.rules = rules or ChatRules(db, clock, Signals())
        self.writer = writer or GroupWriter(db, clock)

    async def join(self, actor: Actor, session_id: int, enter: Enter) -> Welcome:
        """``actor`` joins a session's room: refused when banned from its community; else the
        transport ``enter``s its rooms, the person counts as a viewer (not on a replay of an
        ended broadcast) and is welcomed with the history, the numbers and the pinned message."""
        async with self.db.read() as s:
            session = await rooms_store.get_session(s, session_id)
        if session is None:
            raise NotFound("no such session")
        await self._refuse_banned(actor, session.community_id)
        muted = None
        if not actor.can("moderator", session.community_id):
            now = self.clock.now()
            until = (await self.rules.sanctions(session.community_id)).muted_until(actor, now)
            muted = MutedRefused(until, now) if until is not None else None
        if await enter(session) and session.status != SessionStatus.ENDED:
            await self.presence.join(session.id, actor.key)
        async with self.db.read() as s:
            history = await store.recent_visible(s, session.id, HISTORY)
            pinned = await self._pinned(s, session)
        return Welcome(session, history, await self.presence.counts(session.id), pinned, muted)

    async def _refuse_banned(self, actor: Actor, community_id: int) -> None:
        """The one ban check of the chat (joining and posting), on the cached sanctions."""
        if (await self.rules.sanctions(community_id)).bans(actor):
            raise ChatRefused("you are banned from this community's chat", code="banned")

    async def _pinned(self, s: Tx, session: LiveSession) -> Message | None:
        if session.pinned_message_id is None:
            return None
        message = await store.get_message(s, session.pinned_message_id)
        return message if message is not None and message.status == MessageStatus.VISIBLE else None

    async def post(
        self, actor: Actor, session_id: int, raw_text: object, raw_nonce: object = None
    ) -> Message:
        """Check every rule, then persist; the returned message is committed."""
        return (await self.submit(actor, session_id, raw_text, raw_nonce)).message

    async def submit(
        self, actor: Actor, session_id: int, raw_text: object, raw_nonce: object = None
    ) -> Posted:
        """:meth:`post`, also saying whether the message is the first copy of a resent nonce
        (then it was already broadcast and must not be again)."""
        text = clean_text(raw_text)
        nonce = clean_nonce(raw_nonce)
        now = self.clock.now()
        session = await self.rules.session(session_id)
        staff = actor.can("moderator", session.community_id)
        await self._refuse_banned(actor, session.community_id)
        sanctions = await self.rules.sanctions(session.community_id)
        if not staff:
            if not session.chat_open or session.status == SessionStatus.ENDED:
                raise ChatRefused("the chat is closed", code="chat_closed")
            until = sanctions.muted_until(actor, now)
            if until is not None:
                raise MutedRefused(until, now)
        if not await self.bucket.take(actor):
            raise ChatRefused("you are sending too fast", code="rate_limited")
        held = not staff and bool(await self.words.matches(text))
        message = Message(
            session_id=session_id,
            community_id=session.community_id,
            author_key=actor.key,
            author_name=actor.name[:64],
            author_role=actor.role,
            text=text,
            nonce=nonce,
            created_at=now,
            offset_ms=offset_ms(session, now),
            status=HELD if held else VISIBLE,
            address=(actor.address or "")[:64] or None,
        )
        posted = await self.writer.write(message, 0 if staff else session.slow_mode_s)
        if not posted.replayed:  # a resent nonce's first copy was published already
            await self.events.publish(
                MessagePosted(session_id, session.community_id, posted.message, actor=actor.key)
            )
        return posted

    async def close(self) -> None:
        await self.writer.close()

    async def history(self, session_id: int, limit: int = HISTORY) -> list[Message]:
        """The last ``limit`` visible messages, oldest first."""
        async with self.db.read() as s:
            return await store.recent_visible(s, session_id, limit)

    async def list(
        self,
        session_id: int,
        *,
        moderator: bool,
        after: int | None = None,
        limit: int = 100,
        from_ms: int | None = None,
        to_ms: int | None = None,
    ) -> list[Message]:
        """Messages in order; moderators also see held and hidden ones. ``from_ms``/``to_ms``
        keep those sent in that stretch of the broadcast (offsets since it went live)."""
        async with self.db.read() as s:
            return await store.session_messages(
                s, session_id, moderator=moderator, after=after, limit=limit, from_ms=from_ms, to_ms=to_ms
            )

    async def get(self, message_id: int) -> Message:
        async with self.db.read() as s:
            message = await store.get_message(s, message_id)
        if message is None:
            raise NotFound("no such message")
        return message
