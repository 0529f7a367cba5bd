"""Moderation actions on a session's room, each one written to the audit log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from live.clock import Clock
from live.errors import Forbidden, Invalid, NotFound
from live.events import (
    ChatStateChanged,
    Event,
    EventBus,
    MessagesHidden,
    MessagesShown,
    PersonBanned,
    PersonMuted,
    PinChanged,
)
from live.services.actors import Actor, require_staff
from live.services.chat_rules import ChatRules
from live.services.sanctions import address_bannable
from live.statuses import MessageStatus
from live.storage import accounts as accounts_store
from live.storage import chat as chat_store
from live.storage import moderation as store
from live.storage import rooms as rooms_store
from live.storage.chat import Message
from live.storage.db import Database, Tx
from live.storage.moderation import AuditEntry, Ban, Mute, audit_target_labels
from live.storage.rooms import LiveSession

VISIBLE, HIDDEN, DELETED = MessageStatus.VISIBLE, MessageStatus.HIDDEN, MessageStatus.DELETED

MESSAGE_ACTIONS = ("hide", "unhide", "approve", "delete", "pin")
PERSON_ACTIONS = ("mute", "unmute", "ban", "unban")
ROOM_ACTIONS = ("unpin", "slow_mode", "close_chat", "open_chat")
ACTIONS = MESSAGE_ACTIONS + PERSON_ACTIONS + ROOM_ACTIONS
MAX_SECONDS = 7 * 24 * 3600
REASON_MAX = 500


@dataclass(frozen=True)
class AuditLine:
    """An audit entry and a readable name for its target (``None`` when it is gone)."""

    entry: AuditEntry
    target_label: str | None


@dataclass
class Outcome:
    """What an action changed, for the transport to broadcast after the commit."""

    action: str
    session: LiveSession
    shown: list[Message] = field(default_factory=list)
    hidden: list[Message] = field(default_factory=list)
    pin_changed: bool = False
    pinned: Message | None = None
    chat_state_changed: bool = False
    banned: str | None = None
    banned_address: str | None = None
    #: a person muted (for ``mute_seconds``) or unmuted (0), told at once on their open pages
    muted: str | None = None
    mute_seconds: int = 0


@dataclass(frozen=True)
class Request:
    action: str
    message_id: int | None = None
    person: str | None = None
    seconds: int | None = None
    reason: str = ""


def outcome_events(out: Outcome, actor: Actor) -> list[Event]:
    """The events of what a committed moderation action changed, in the order viewers see them."""
    session, by = out.session, actor.key
    events: list[Event] = []
    if out.shown:
        events.append(MessagesShown(session.id, session.community_id, tuple(out.shown), actor=by))
    hidden: dict[int, list[int]] = {}
    for message in out.hidden:  # a ban hides the person's messages in every session of the community
        hidden.setdefault(message.session_id, []).append(message.id)
    for session_id, ids in hidden.items():
        events.append(MessagesHidden(session_id, session.community_id, tuple(ids), actor=by))
    if out.pin_changed:
        events.append(PinChanged(session.id, session.community_id, out.pinned, actor=by))
    if out.chat_state_changed:
        events.append(
            ChatStateChanged(
                session.id, session.community_id, session.chat_open, session.slow_mode_s, actor=by
            )
        )
    if out.banned:
        events.append(PersonBanned(session.community_id, out.banned, out.banned_address, actor=by))
    if out.muted:
        events.append(PersonMuted(session.community_id, out.muted, out.mute_seconds, actor=by))
    return events


def _seconds(value: int | None, *, allow_zero: bool) -> int:
    if value is None or not (0 if allow_zero else 1) <= value <= MAX_SECONDS:
        raise Invalid(f"seconds: {0 if allow_zero else 1}-{MAX_SECONDS}", code="bad_seconds")
    return value


def audit_entry(
    actor: Actor, session: LiveSession, action: str, target: str | None, reason: str, at: datetime
) -> AuditEntry:
    """The one builder of an audit log entry (moderation actions, and ``to_opinion``)."""
    return AuditEntry(
        community_id=session.community_id,
        session_id=session.id,
        actor_key=actor.key,
        actor_name=actor.name[:64],
        action=action,
        target=target,
        reason=reason,
        at=at,
    )


class Moderation:
    def __init__(self, db: Database, clock: Clock, events: EventBus, rules: ChatRules | None = None) -> None:
        self.db = db
        self.clock = clock
        self.events = events
        self.rules = rules

    async def act(self, actor: Actor, session_id: int, req: Request) -> Outcome:
        if req.action not in ACTIONS:
            raise Invalid(f"action must be one of {', '.join(ACTIONS)}", code="bad_action")
        if len(req.reason) > REASON_MAX:
            raise Invalid(f"reason: at most {REASON_MAX} characters", code="too_long")
        async with self.db.transaction() as s:
            session = await rooms_store.get_session(s, session_id, lock=True)
            if session is None:
                raise NotFound("no such session")
            if not actor.can("moderator", session.community_id):
                raise Forbidden("needs moderator, host or admin of this community")
            out = Outcome(req.action, session)
            if req.action in MESSAGE_ACTIONS:
                target = await self._message_action(s, session, req, out)
            elif req.action in PERSON_ACTIONS:
                target = await self._person_action(s, actor, session, req, out)
            else:
                target = self._room_action(session, req, out)
            store.add_audit_entry(s, self._audit_entry(actor, session, req.action, target, req.reason))
        if self.rules is not None:
            if req.action in PERSON_ACTIONS:
                await self.rules.changed(community_id=session.community_id)
            elif req.action in ROOM_ACTIONS:
                await self.rules.changed(session_id=session.id)

        for event in outcome_events(out, actor):
            await self.events.publish(event)
        return out

    async def audit(
        self, actor: Actor, session: LiveSession, action: str, target: str, reason: str = ""
    ) -> None:
        """Record an action that another service carried out (e.g. ``to_opinion``)."""
        async with self.db.transaction() as s:
            self.record(s, actor, session, action, target, reason)

    def record(
        self, s: Tx, actor: Actor, session: LiveSession, action: str, target: str | None, reason: str = ""
    ) -> None:
        """Write an audit entry inside the caller's transaction."""
        store.add_audit_entry(s, self._audit_entry(actor, session, action, target, reason))

    def _audit_entry(
        self, actor: Actor, session: LiveSession, action: str, target: str | None, reason: str
    ) -> AuditEntry:
        return audit_entry(actor, session, action, target, reason, self.clock.now())

    async def _message_action(self, s: Tx, session: LiveSession, req: Request, out: Outcome) -> str:
        if req.message_id is None:
            raise Invalid("message is required", code="missing_field")
        message = await chat_store.get_message(s, req.message_id, lock=True)
        if message is None or message.session_id != session.id or message.status == DELETED:
            raise NotFound("no such message in this session")
        if req.action in ("unhide", "approve"):
            if message.status != VISIBLE:
                message.status = VISIBLE
                out.shown.append(message)
        elif req.action in ("hide", "delete"):
            was_hidden = message.status == HIDDEN
            message.status = HIDDEN if req.action == "hide" else DELETED
            # a held message that is hidden is a refusal: its author's page (and the other
            # consoles, whose held list holds it) hear of it like of any hidden message
            if not was_hidden or message.status == DELETED:
                out.hidden.append(message)
            if session.pinned_message_id == message.id:
                session.pinned_message_id = None
                out.pin_changed = True
        elif req.action == "pin":
            if message.status != VISIBLE:
                raise Invalid("only a visible message can be pinned", code="not_visible")
            session.pinned_message_id = message.id
            out.pin_changed, out.pinned = True, message
        return str(message.id)

    async def _person_action(
        self, s: Tx, actor: Actor, session: LiveSession, req: Request, out: Outcome
    ) -> str:
        person = req.person
        if not isinstance(person, str) or not person.startswith(("u:", "g:")) or len(person) > 80:
            raise Invalid("user: the author.id of their messages", code="missing_field")
        now = self.clock.now()
        community = session.community_id
        if req.action == "mute":
            seconds = _seconds(req.seconds, allow_zero=False)
            store.add_sanction(
                s,
                Mute(
                    community_id=community,
                    person_key=person,
                    until=now + timedelta(seconds=seconds),
                    address=await self._last_address(s, community, person),
                    reason=req.reason,
                ),
            )
            out.muted, out.mute_seconds = person, seconds
        elif req.action == "unmute":
            await store.end_mutes(s, community, person, now)
            out.muted, out.mute_seconds = person, 0
        elif req.action == "ban":
            await self._refuse_staff(s, person, community)
            address = await self._last_address(s, community, person)
            store.add_sanction(
                s,
                Ban(
                    community_id=community,
                    person_key=person,
                    address=address,
                    reason=req.reason,
                    created_at=now,
                    created_by=actor.key,
                ),
            )
            for message in await chat_store.shown_messages_of(s, community, person):
                if message.status == VISIBLE:
                    out.hidden.append(message)
                message.status = HIDDEN
                if session.pinned_message_id == message.id:
                    session.pinned_message_id = None
                    out.pin_changed = True
            out.banned, out.banned_address = person, address
        elif req.action == "unban":
            await store.lift_bans(s, community, person, now)
        return person

    async def _refuse_staff(self, s: Tx, person: str, community_id: int) -> None:
        if not person.startswith("u:") or not person[2:].isdigit():
            return
        user = await accounts_store.get_user(s, int(person[2:]))
        if user is not None and (
            user.role == "admin" or (user.role in ("moderator", "host") and user.community_id == community_id)
        ):
            raise Forbidden("staff of this community cannot be banned")

    async def _last_address(self, s: Tx, community_id: int, person: str) -> str | None:
        address = await chat_store.last_address_of(s, community_id, person)
        return address if address_bannable(address) else None

    def _room_action(self, session: LiveSession, req: Request, out: Outcome) -> str:
        if req.action == "unpin":
            session.pinned_message_id = None
            out.pin_changed = True
        elif req.action == "slow_mode":
            session.slow_mode_s = _seconds(req.seconds, allow_zero=True)
            out.chat_state_changed = True
        else:
            session.chat_open = req.action == "open_chat"
            out.chat_state_changed = True
        return str(session.id)

    async def audit_log(
        self,
        actor: Actor,
        *,
        session_id: int | None = None,
        community_id: int | None = None,
        after: int | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """Audit entries of a session or a community, oldest first (staff of that community)."""
        if session_id is not None:
            async with self.db.read() as s:
                session = await rooms_store.get_session(s, session_id)
            if session is None:
                raise NotFound("no such session")
            require_staff(actor, "moderator", session.community_id)
        elif community_id is not None:
            require_staff(actor, "moderator", community_id)
        else:
            require_staff(actor, "admin", 0)
        async with self.db.read() as s:
            return await store.audit_entries(
                s, session_id=session_id, community_id=community_id, after=after, limit=limit
            )

    async def audit_view(
        self,
        actor: Actor,
        *,
        session_id: int | None = None,
        community_id: int | None = None,
        after: int | None = None,
        limit: int = 100,
    ) -> list[AuditLine]:
        """The audit log as staff read it: each entry with its target named (who, which message)."""
        entries = await self.audit_log(
            actor, session_id=session_id, community_id=community_id, after=after, limit=limit
        )
        async with self.db.read() as s:
            labels = await audit_target_labels(s, entries)
        return [AuditLine(entry, labels.get(entry.id)) for entry in entries]

    async def audit_search(
        self,
        actor: Actor,
        community_id: int,
        *,
        before: int | None = None,
        action: str | None = None,
        search: str = "",
        limit: int = 50,
    ) -> list[AuditLine]:
        """A page of a community's audit log for its staff, newest first, each target named."""
        require_staff(actor, "moderator", community_id)
        async with self.db.read() as s:
            entries = await store.audit_page(
                s, community_id, before=before, action=action, search=search.strip()[:100], limit=limit
            )
            labels = await audit_target_labels(s, entries)
        return [AuditLine(entry, labels.get(entry.id)) for entry in entries]

    async def audit_export(
        self,
        actor: Actor,
        *,
        session_id: int | None = None,
        community_id: int | None = None,
        batch: int = 500,
    ) -> AsyncIterator[list[AuditLine]]:
        """The whole audit log (oldest first), in keyset batches: an export of any length."""
        after: int | None = None
        while True:
            lines = await self.audit_view(
                actor, session_id=session_id, community_id=community_id, after=after, limit=batch
            )
            if lines:
                yield lines
            if len(lines) < batch:
                return
            after = lines[-1].entry.id

    async def pinned(self, session: LiveSession) -> Message | None:
        if session.pinned_message_id is None:
            return None
        async with self.db.read() as s:
            message = await chat_store.get_message(s, session.pinned_message_id)
        return message if message is not None and message.status == VISIBLE else None
