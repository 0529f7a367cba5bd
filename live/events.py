"""Small event dataclasses that services publish, and the bus that carries them.

Transports subscribe to turn events into socket broadcasts; tests subscribe to assert on them.
A subscriber that fails is logged and never undoes the write that produced the event."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

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


class EventBus:
    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self.history: list[Event] = []
        self.keep_history = False

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber)

    async def publish(self, event: Event) -> None:
        if self.keep_history:
            self.history.append(event)
        for subscriber in list(self._subscribers):
            try:
                result = subscriber(event)
                if result is not None:
                    await result
            except Exception:
                log.exception("event subscriber failed for %r", event)

    def of_type(self, kind: type[Event]) -> list[Event]:
        return [e for e in self.history if isinstance(e, kind)]


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
class QuestionChanged(Event):
    """A question was asked, upvoted, merged or moved on (``change``: asked, upvoted, a status)."""

    question_id: int
    session_id: int
    community_id: int
    change: str
