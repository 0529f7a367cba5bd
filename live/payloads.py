"""The JSON shapes of the public interface, shared by the HTTP API and the socket.

Ids are strings in every payload; HTTP times are ISO 8601 with an offset."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from live.clock import to_ms
from live.services.actors import Actor
from live.storage.accounts import User
from live.storage.chat import Message
from live.storage.places import Community
from live.storage.rooms import LiveSession


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with its offset."""
    if value is None:
        return None
    try:
        return value.astimezone(UTC).isoformat()
    except (OverflowError, ValueError):  # stored out of range: as it is, never a 500
        return value.isoformat()


def user_payload(actor: Actor) -> dict[str, Any] | None:
    if not actor.is_user:
        return None
    return {
        "id": str(actor.user_id),
        "name": actor.name,
        "role": actor.role,
        "community": actor.community_slug,
    }


def user_row_payload(user: User, community: Community | None) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "username": user.username,
        "name": user.display_name,
        "role": user.role,
        "community": community.slug if community else None,
        "phone": user.phone,  # admins only: this shape is the admin's user list
    }


def message_payload(message: Message) -> dict[str, Any]:
    """A chat message as the socket and the HTTP API show it (ids are strings)."""
    return {
        "id": str(message.id),
        "session": str(message.session_id),
        "author": {"id": message.author_key, "name": message.author_name, "role": message.author_role},
        "text": message.text,
        "nonce": message.nonce,
        "ts": to_ms(message.created_at),
        "offset_ms": message.offset_ms,
        "status": message.status,
    }


def community_payload(community: Community) -> dict[str, Any]:
    return {"slug": community.slug, "name": community.name}


def session_payload(
    session: LiveSession,
    community_slug: str,
    *,
    with_key: bool = False,
    stats: dict[str, int] | None = None,
    recording: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(session.id),
        "title": session.title,
        "description": session.description,
        "community": community_slug,
        "status": session.status,
        "scheduled_at": iso(session.scheduled_at),
        "started_at": iso(session.started_at),
        "ended_at": iso(session.ended_at),
        "created_at": iso(session.created_at),
        "host": str(session.host_id) if session.host_id is not None else None,
        "stats": stats
        or {
            "current_viewers": 0,
            "peak_viewers": session.peak_viewers,
            "unique_viewers": session.unique_viewers,
            "messages": 0,
            "opinions": 0,
        },
        "recording": recording,
    }
    if with_key:
        body["stream_key"] = session.stream_key
    return body


def opinion_payload(opinion: Any, community_slug: str, *, staff: bool = False) -> dict[str, Any]:
    """An opinion (``live.storage.opinions.Opinion``); contact and author key only for staff."""
    body: dict[str, Any] = {
        "id": str(opinion.id),
        "community": community_slug,
        "text": opinion.text,
        "category": opinion.category,
        "location": opinion.location,
        "status": opinion.status,
        "supporters": opinion.supporters,
        "verified_households": opinion.verified_households,
        "session": str(opinion.session_id) if opinion.session_id is not None else None,
        "offset_ms": opinion.offset_ms,
        "created_at": iso(opinion.created_at),
        "source": opinion.source,
        "message": str(opinion.message_id) if opinion.message_id is not None else None,
        "merged_into": str(opinion.merged_into_id) if opinion.merged_into_id is not None else None,
        "author": {"name": opinion.author_name},
        "voice": (
            {"url": f"/uploads/{opinion.voice_file}", "duration_s": opinion.voice_duration_s}
            if opinion.voice_file
            else None
        ),
        "photos": [
            {"url": f"/uploads/{p['file']}", "thumb": f"/uploads/{p['thumb']}"} for p in opinion.photos or []
        ],
    }
    if opinion.status == "rejected":
        body["reject_reason"] = opinion.reject_reason
        body["reject_note"] = opinion.reject_note if staff else None
    if staff:
        body["contact"] = opinion.contact
        body["author"]["id"] = opinion.author_key
    return body


def agenda_event_payload(event: Any, note: str | None = None) -> dict[str, Any]:
    """One step of an agenda item's timeline (``live.storage.agenda.AgendaEvent``).

    ``note`` is the line rendered in the reader's language (the code's text, then the person's
    own words); ``kind`` and ``params`` are the stored code and values for scripts."""
    return {
        "at": iso(event.at),
        "actor": event.actor,
        "from": event.from_status,
        "to": event.to_status,
        "note": event.note if note is None else note,
        "kind": event.kind,
        "params": event.params or {},
    }


def agenda_payload(
    item: Any,
    community_slug: str,
    *,
    opinions: list[dict[str, Any]] | None = None,
    events: list[Any] | None = None,
    event_note: Callable[[Any], str] | None = None,
    party_name: str | None = None,
    overdue: bool | None = None,
) -> dict[str, Any]:
    """An agenda item (``live.storage.agenda.AgendaItem``); opinions and events when given.
    ``overdue``: the service's reading of the limit now (``Accountability.overdue``); without it,
    the overdue job's mark."""
    body: dict[str, Any] = {
        "id": str(item.id),
        "community": community_slug,
        "title": item.title,
        "summary": item.summary,
        "category": item.category,
        "location": item.location,
        "status": item.status,
        "responsible": item.responsible,
        "due_date": item.due_date.isoformat() if item.due_date else None,
        "outcome": item.outcome,
        "meeting": str(item.meeting_id) if item.meeting_id is not None else None,
        "supporters": item.supporters,
        "verified_households": item.verified_households,
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
        **accountability_fields(item, party_name, overdue),
    }
    if opinions is not None:
        body["opinions"] = opinions
    if events is not None:
        body["events"] = [agenda_event_payload(e, event_note(e) if event_note else None) for e in events]
    return body


def accountability_fields(item: Any, party_name: str | None, overdue: bool | None) -> dict[str, Any]:
    """Who owes what by when (CONTRACT §7): the lead party, the limits and the job's marks."""
    open_ = item.status not in ("resolved", "closed")
    due = item.resolve_due_at
    if overdue is None:
        overdue = bool(open_ and due is not None and item.overdue_at is not None)
    return {
        "party": {"id": str(item.party_id), "name": party_name or ""} if item.party_id is not None else None,
        "assigned_at": iso(item.assigned_at),
        "response_days": item.response_days,
        "resolve_days": item.resolve_days,
        "response_due_at": iso(item.response_due_at),
        "resolve_due_at": iso(due),
        "responded_at": iso(item.responded_at),
        "resolved_at": iso(item.resolved_at),
        "due_soon": bool(open_ and item.due_soon_at is not None),
        "overdue": overdue,
        "escalated": item.escalated_at is not None,
        "extensions": item.extensions,
    }


def party_payload(party: Any, community_slug: str | None) -> dict[str, Any]:
    return {
        "id": str(party.id),
        "community": community_slug,
        "name": party.name,
        "kind": party.kind,
        "contact": party.contact,
    }


def meeting_payload(
    meeting: Any,
    community_slug: str,
    items: list[tuple[Any, str]],
    counts: dict[str, int] | None = None,
) -> dict[str, Any]:
    """A meeting (``live.storage.meetings.Meeting``) with its items and their decisions, its
    capacity and its ``registered``, ``waitlisted`` and ``attended`` counts."""
    return {
        "capacity": meeting.capacity,
        **(counts or {"registered": 0, "waitlisted": 0, "attended": 0}),
        "id": str(meeting.id),
        "community": community_slug,
        "format": meeting.format,
        "title": meeting.title,
        "starts_at": iso(meeting.starts_at),
        "place": meeting.place,
        "attendance": meeting.attendance,
        "minutes": meeting.minutes,
        "agenda": [
            {"item": str(item.id), "title": item.title, "status": item.status, "decision": decision}
            for item, decision in items
        ],
        "created_at": iso(meeting.created_at),
    }


def inbox_payload(entry: Any, text: str) -> dict[str, Any]:
    """An inbox entry with ``text`` rendered in the reader's language from its ``kind``/``params``."""
    return {
        "id": str(entry.id),
        "text": text,
        "kind": entry.kind,
        "params": entry.params or {},
        "item": str(entry.item_id) if entry.item_id is not None else None,
        "created_at": iso(entry.created_at),
        "read": entry.read,
    }


def poll_payload(view: Any) -> dict[str, Any]:
    """A poll (``live.services.polls.PollView``) with its current counts; ``mine`` when known."""
    poll = view.poll
    body: dict[str, Any] = {
        "id": str(poll.id),
        "session": str(poll.session_id),
        "question": poll.question,
        "multiple": poll.multiple,
        "options": [{"id": str(o.id), "text": o.text, "votes": votes} for o, votes in view.options],
        "voters": view.voters,
        "open": view.is_open,
        "closes_at": iso(poll.closes_at),
        "offset_ms": poll.offset_ms,
        "closed_offset_ms": poll.closed_offset_ms,
        "created_at": iso(poll.created_at),
    }
    if view.mine is not None:
        body["mine"] = [str(o) for o in view.mine]
    return body


def question_payload(question: Any) -> dict[str, Any]:
    """A question of the queue (``live.storage.questions.Question``)."""
    return {
        "id": str(question.id),
        "session": str(question.session_id),
        "text": question.text,
        "author": {"name": question.author_name},
        "votes": question.votes,
        "status": question.status,
        "offset_ms": question.offset_ms,
        "answering_offset_ms": question.answering_offset_ms,
        "answered_offset_ms": question.answered_offset_ms,
        "merged_into": str(question.merged_into_id) if question.merged_into_id else None,
        "created_at": iso(question.created_at),
    }


def registration_payload(registration: Any, *, with_code: bool = True) -> dict[str, Any]:
    """A meeting registration (``live.storage.meetings.Registration``); the code only for its
    registrant and staff."""
    body: dict[str, Any] = {
        "id": str(registration.id),
        "meeting": str(registration.meeting_id),
        "name": registration.name,
        "status": registration.status,
        "created_at": iso(registration.created_at),
        "checked_in_at": iso(registration.checked_in_at),
        "qr": f"/api/meetings/{registration.meeting_id}/registrations/{registration.id}/qr.svg",
    }
    if with_code:
        body["code"] = registration.code
    return body


def vote_payload(view: Any) -> dict[str, Any]:
    """A household vote (``live.services.votes.VoteView``). Counts of a secret vote are shown
    only once it has closed; no payload ever names a household's choice (but your own)."""
    vote = view.vote
    show_counts = not vote.secret or not view.is_open
    return {
        "id": str(vote.id),
        "item": str(vote.item_id),
        "question": vote.question,
        "secret": vote.secret,
        "open": view.is_open,
        "closes_at": iso(vote.closes_at),
        "closed_at": iso(vote.closed_at),
        "scope": {k: [str(i) for i in v] for k, v in view.scope.items()},
        "options": [
            {"id": str(o.id), "text": o.text, **({"votes": n} if show_counts else {})}
            for o, n in view.options
        ],
        "eligible": view.eligible,
        "turnout": view.turnout,
        "turnout_rate": round(view.turnout / view.eligible, 4) if view.eligible else None,
        "channels": view.channels,
        "can_vote": view.can_vote,
        "mine": str(view.mine) if view.mine is not None else None,
        "replaced": view.replaced,
        "created_at": iso(vote.created_at),
    }


def vote_audit_payload(vote: Any, entries: list[Any]) -> dict[str, Any]:
    """A vote's ballot log (``live.services.votes.AuditRow``) for staff: who entered what, when and
    how; the option only when the vote is not secret."""
    return {
        "vote": str(vote.id),
        "secret": vote.secret,
        "entries": [
            {
                "household": str(r.household_id),
                "at": iso(r.at),
                "channel": r.channel,
                "voter_name": r.voter_name,
                "entered_by": r.entered_by,
                "consent": r.consent,
                **({} if vote.secret else {"option": str(r.option_id) if r.option_id else None}),
            }
            for r in entries
        ],
    }
