"""The JSON shapes of the public interface, shared by the HTTP API and the socket.

Ids are strings in every payload; HTTP times are ISO 8601 with an offset."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from live.services.actors import Actor
from live.storage.accounts import User
from live.storage.places import Community
from live.storage.rooms import LiveSession


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with its offset."""
    return value.astimezone(UTC).isoformat() if value is not None else None


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
