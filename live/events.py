"""Small event dataclasses that services publish after their write commits, and the bus that
carries them to subscribers.

One road for notifications: a service persists, then ``publish``es a typed event carrying its
actor; the bus hands it to the subscribers off the request path (a background task per
ordering key, so the events of one session's room are delivered in the order published while
rooms proceed independently). ``live/realtime/subscribers.py`` turns events into socket
emits. A subscriber that fails is logged and never undoes the write that produced the event.

A few subscribers are part of the use case itself and must finish before it answers (the media
hub keeping the recording of an ended broadcast): they subscribe with ``before_reply=True`` and
run inline, in ``publish``, still after the commit and still isolated from each other."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from live.storage.agenda import AgendaItem
    from live.storage.chat import Message

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """Base of every domain event. ``actor`` is the key (``u:…``/``g:…``) of the person whose
    action caused it, None for the system (an encoder, a timer)."""

    actor: str | None = field(default=None, kw_only=True)


@dataclass(frozen=True)
class SessionStatusChanged(Event):
    session_id: int
    community_id: int
    status: str


@dataclass(frozen=True)
class UserCreated(Event):
    user_id: int
    role: str


@dataclass(frozen=True)
class Generic(Event):
    """An event with a name and a payload, for concepts that need nothing richer."""

    name: str
    payload: dict[str, Any] = field(default_factory=dict)


Subscriber = Callable[[Event], Awaitable[None] | None]


def order_key(event: Event) -> Hashable:
    """Events with the same key are delivered in order: a session's events by its id, else a
    community's, else all others together."""
    session_id = getattr(event, "session_id", None)
    if session_id is not None:
        return ("session", session_id)
    community_id = getattr(event, "community_id", None)
    if community_id is not None:
        return ("community", community_id)
    return ("any",)


class EventBus:
    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._inline: list[Subscriber] = []
        self._queues: dict[Hashable, deque[Event]] = {}
        self._workers: dict[Hashable, asyncio.Task[None]] = {}
        self.history: list[Event] = []
        self.keep_history = False

    def subscribe(self, subscriber: Subscriber, *, before_reply: bool = False) -> Callable[[], None]:
        """Call ``subscriber(event)`` for every event published from now on; returns the
        function that unsubscribes it."""
        chosen = self._inline if before_reply else self._subscribers
        chosen.append(subscriber)
        return lambda: chosen.remove(subscriber) if subscriber in chosen else None

    async def publish(self, event: Event) -> None:
        """Hand a committed change to the subscribers: the ``before_reply`` ones now, the
        others in the background (in order per ``order_key``)."""
        for subscriber in list(self._inline):
            await _deliver(subscriber, event)
        self.post(event)

    def post(self, event: Event) -> None:
        """Queue an event for the background subscribers only (callable from sync code, e.g. the
        media hub's state listener)."""
        if self.keep_history:
            self.history.append(event)
        if not self._subscribers:
            return
        key = order_key(event)
        queue = self._queues.setdefault(key, deque())
        queue.append(event)
        if key not in self._workers:
            self._workers[key] = asyncio.get_running_loop().create_task(self._drain(key, queue))

    async def _drain(self, key: Hashable, queue: deque[Event]) -> None:
        try:
            while queue:
                event = queue.popleft()
                for subscriber in list(self._subscribers):
                    await _deliver(subscriber, event)
        finally:
            del self._workers[key]
            if not queue:
                self._queues.pop(key, None)

    async def idle(self, within_s: float = 10.0) -> None:
        """Wait until every published event was delivered (tests, shutdown), at most ``within_s``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within_s
        while self._workers and loop.time() < deadline:
            await asyncio.wait(list(self._workers.values()), timeout=max(0.0, deadline - loop.time()))

    async def close(self) -> None:
        """Deliver what is queued (for a while), then stop."""
        await self.idle()
        for task in list(self._workers.values()):
            task.cancel()
        self._queues.clear()

    def of_type(self, kind: type[Event]) -> list[Event]:
        return [e for e in self.history if isinstance(e, kind)]


async def _deliver(subscriber: Subscriber, event: Event) -> None:
    try:
        result = subscriber(event)
        if result is not None:
            await result
    except Exception:
        log.exception("event subscriber failed for %r", event)


@dataclass(frozen=True)
class OpinionCreated(Event):
    """A new opinion was stored (moderators of its community see it live)."""

    opinion_id: int
    community_id: int
    session_id: int | None


@dataclass(frozen=True)
class OpinionChanged(Event):
    """An opinion was supported, accepted, merged or rejected."""

    opinion_id: int
    community_id: int
    session_id: int | None
    change: str


@dataclass(frozen=True)
class AgendaChanged(Event):
    """An agenda item was created or changed (status, note, responsible party, outcome…)."""

    item_id: int
    community_id: int
    from_status: str | None
    to_status: str | None


@dataclass(frozen=True)
class AccountChanged(Event):
    """An admin changed a user's role or community, or disabled them."""

    user_id: int
    disabled: bool


@dataclass(frozen=True)
class HouseholdChanged(Event):
    """A resident joined, was verified into, moved out of or removed from a household."""

    user_id: int
    household_id: int | None


@dataclass(frozen=True)
class PollChanged(Event):
    """A poll was opened, voted on or closed (``change``: opened, voted, closed)."""

    poll_id: int
    session_id: int
    community_id: int
    change: str


@dataclass(frozen=True)
class VoteChanged(Event):
    """A household vote was opened, got a ballot (cast or entered by staff) or closed
    (``change``: opened, voted, closed): its turnout (and open counts) changed."""

    vote_id: int
    item_id: int
    community_id: int
    change: str


@dataclass(frozen=True)
class RegistrationsChanged(Event):
    """A meeting's registrations changed (``change``: registered, cancelled, capacity,
    checked_in): its registered / waitlisted / attended counts may have moved."""

    meeting_id: int
    community_id: int
    change: str


@dataclass(frozen=True)
class QuestionChanged(Event):
    """A question was asked, upvoted, merged or moved on (``change``: asked, upvoted, a status)."""

    question_id: int
    session_id: int
    community_id: int
    change: str


@dataclass(frozen=True)
class MessagePosted(Event):
    """A chat message was stored: visible (everyone in the room sees it) or held for review."""

    session_id: int
    community_id: int
    message: Message


@dataclass(frozen=True)
class MessagesShown(Event):
    """Moderators approved or unhid messages: they appear in the room."""

    session_id: int
    community_id: int
    messages: tuple[Message, ...]


@dataclass(frozen=True)
class MessagesHidden(Event):
    """Messages were hidden or deleted (or their author banned): they leave the room."""

    session_id: int
    community_id: int
    message_ids: tuple[int, ...]


@dataclass(frozen=True)
class PinChanged(Event):
    session_id: int
    community_id: int
    message: Message | None


@dataclass(frozen=True)
class ChatStateChanged(Event):
    """The chat was opened or closed, or slow mode changed."""

    session_id: int
    community_id: int
    open: bool
    slow_mode_s: int


@dataclass(frozen=True)
class PersonBanned(Event):
    """A person (and, when bannable, their address) was banned from a community's chat."""

    community_id: int
    person: str
    address: str | None


@dataclass(frozen=True)
class PersonMuted(Event):
    """A person was muted in a community's chat for ``seconds`` (0: their mute was lifted)."""

    community_id: int
    person: str
    seconds: int


@dataclass(frozen=True)
class ItemShowcased(Event):
    """The host shows an agenda item (its outcome) to everyone watching the session."""

    session_id: int
    community_id: int
    item: AgendaItem
    community_slug: str
    #: how many opinions it was made of, its lead party's name, its ratings by kind
    opinions: int
    party_name: str | None = None
    ratings: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ViewersChanged(Event):
    """A session's viewer numbers changed (sent at most about once a second)."""

    session_id: int
    current: int
    peak: int
    unique: int


@dataclass(frozen=True)
class StreamStateChanged(Event):
    """The media hub's broadcast state: ``live``, ``reconnecting``, ``idle`` or ``ended``."""

    session_id: int
    state: str


@dataclass(frozen=True)
class SignedOut(Event):
    """A sign-in session of a user ended (logout): their sockets re-check theirs."""

    user_id: int
