"""Codes for what the product tells people: inbox entries and agenda timeline notes.

Services never build a sentence. They store a *code* (``kind``) and its *values* (``params``, a
small JSON object of strings, numbers, lists); the transports render it in the reader's language
(``live/http/notices.py``, one function per code, through the gettext catalogues).

To add a notice:
1. add a member to ``InboxKind`` (an inbox entry) or ``TimelineKind`` (a line in an item's
   timeline) below, with a comment naming its params;
2. add its renderer in ``live/http/notices.py`` (``@inbox(InboxKind.X)`` / ``@timeline(...)``)
   and the Chinese translation of its msgid in ``web/translations/zh_CN/LC_MESSAGES/notices.po``;
3. deliver it with ``Notice(InboxKind.X, {...})``.
``tests/test_notices.py`` checks that every code has a renderer that renders its example params
in both languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Params = dict[str, Any]


class InboxKind(StrEnum):
    """What an inbox entry says. The item's id is the entry's ``item``."""

    TEXT = "text"  # {text}: a legacy entry stored as a sentence before codes existed
    OPINION_LISTED = "opinion.listed"  # {title}: your opinion became agenda item «title»
    OPINION_MERGED = "opinion.merged"  # {supporters, excerpt}: merged with a similar opinion
    ITEM_STATUS = "item.status"  # {title, status, note?, changes?}: the item moved to status
    ITEM_UPDATED = "item.updated"  # {title, note?, changes?}: the item changed without a move
    ITEM_ASSIGNED = "item.assigned"  # {title, party, response_due_at, resolve_due_at}
    ITEM_PROGRESS = "item.progress"  # {title, party?, note}: a progress note was posted
    ITEM_PART_DONE = "item.part_done"  # {title, party}: a party marked its part done
    ITEM_DUE_SOON = "item.due_soon"  # {title, due_at, which}: which = "response" | "resolve"
    ITEM_OVERDUE = "item.overdue"  # {title, due_at, which}
    ITEM_ESCALATED = "item.escalated"  # {title, party?, days, community}
    ITEM_EXTENDED = "item.extended"  # {title, due_at, reason}
    ITEM_RATE = "item.rate"  # {title, until}: please rate how it was resolved
    ITEM_REOPENED = "item.reopened"  # {title, unsatisfied, ratings}
    MEETING_REMINDER = "meeting.reminder"  # {title, starts_at, place, waitlisted}: tomorrow's meeting


class TimelineKind(StrEnum):
    """What a line of an agenda item's timeline says (besides the person's own ``note``)."""

    NOTE = "note"  # {} or {changes}: a moderator's note and/or changed fields
    CREATED = "created"  # {opinions?: n}: the item was proposed (from n opinions)
    STATUS = "status"  # {changes?, meeting?: {id, title, starts_at, place}}: a state change (from/to
    # are the event's columns); ``meeting``: the meeting that scheduled the item
    ASSIGNED = "assigned"  # {party, previous?, supporting?, response_due_at, resolve_due_at}
    PROGRESS = "progress"  # {party?, photos?: n}: a progress note (the note is the text)
    PART_DONE = "part_done"  # {party}: a party marked its part done
    DUE_SOON = "due_soon"  # {due_at, which}
    OVERDUE = "overdue"  # {due_at, which}
    ESCALATED = "escalated"  # {days}
    EXTENDED = "extended"  # {which, due_at, previous, days}; the reason is the note
    LIMITS = "limits"  # {response_days, resolve_days}
    REOPENED = "reopened"  # {unsatisfied, ratings}
    VOTE_OPENED = "vote.opened"  # {vote, question, secret}: a household vote (表决) opened
    ANNOUNCED = "announced"  # {session, title, offset_ms}: the outcome was presented on a broadcast
    VOTE_RESULT = "vote.result"  # {vote, question, eligible, turnout, results: [{text, votes}]}


class Change(StrEnum):
    """Fields named in ``changes`` (a list of ``{"field": Change, "value": str | int | None}``)."""

    TITLE = "title"
    RESPONSIBLE = "responsible"
    DUE_DATE = "due_date"
    OUTCOME = "outcome"
    MEETING = "meeting"
    OPINIONS_ADDED = "opinions_added"


@dataclass(frozen=True)
class Notice:
    """One inbox entry's code and values, before it is stored for each person."""

    kind: InboxKind
    params: Params = field(default_factory=dict)


def change(name: Change, value: str | int | None) -> dict[str, Any]:
    return {"field": str(name), "value": value}
