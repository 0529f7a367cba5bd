"""The domain's vocabulary of states: one ``StrEnum`` per concept.

Members are ``str`` subclasses, so they compare equal to the stored strings, serialise to JSON
as their value and can be assigned to ``Mapped[str]`` columns. Services and storage import them
from here (storage may not import services); transports may use them to compare."""

from __future__ import annotations

from enum import StrEnum


class SessionStatus(StrEnum):
    """A broadcast: scheduled → live → ended."""

    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"


class MessageStatus(StrEnum):
    """A chat message: visible to all, held for review, hidden or deleted by a moderator."""

    VISIBLE = "visible"
    HELD = "held"
    HIDDEN = "hidden"
    DELETED = "deleted"


class OpinionStatus(StrEnum):
    NEW = "new"
    ACCEPTED = "accepted"
    MERGED = "merged"
    REJECTED = "rejected"


class AgendaStatus(StrEnum):
    """An agenda item's state machine: the flow in order, and ``closed`` beside it."""

    PROPOSED = "proposed"
    SCHEDULED = "scheduled"
    DELIBERATING = "deliberating"
    DECIDED = "decided"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"


#: The agenda flow, one step at a time (``closed`` is reached from any unfinished state).
AGENDA_FLOW: tuple[AgendaStatus, ...] = (
    AgendaStatus.PROPOSED,
    AgendaStatus.SCHEDULED,
    AgendaStatus.DELIBERATING,
    AgendaStatus.DECIDED,
    AgendaStatus.IN_PROGRESS,
    AgendaStatus.RESOLVED,
)
#: Agenda items that are finished (not reported on, not open).
AGENDA_FINISHED: tuple[AgendaStatus, ...] = (AgendaStatus.RESOLVED, AgendaStatus.CLOSED)


class OpinionSource(StrEnum):
    """Where an opinion was raised."""

    LIVE_CHAT = "live_chat"
    WATCH_FORM = "watch_form"
    WEB = "web"
    DOOR_VISIT = "door_visit"
    MEETING = "meeting"
    ON_BEHALF = "on_behalf"
    PAPER = "paper"
    VOICE = "voice"  # a grid worker types in what a resident said on the phone or a voice message


#: Sources only staff may record (they type in what a resident said).
STAFF_SOURCES: tuple[OpinionSource, ...] = (
    OpinionSource.LIVE_CHAT,
    OpinionSource.DOOR_VISIT,
    OpinionSource.MEETING,
    OpinionSource.ON_BEHALF,
    OpinionSource.PAPER,
    OpinionSource.VOICE,
)


def values(kind: type[StrEnum]) -> tuple[str, ...]:
    """The stored values of an enum, in order (for error messages and checks)."""
    return tuple(member.value for member in kind)
