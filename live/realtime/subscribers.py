"""The one place where committed changes become socket emits.

Services publish typed events (``live/events.py``) after their writes commit; the EventBus hands
them to ``Subscribers`` off the request path, in order per session. No socket handler emits by
itself: handlers call one service method and answer with an ack.

Polls and household votes update their rooms at most once a second while votes come in, across
processes (``EmitThrottle`` over Redis); opening and closing emit at once. Questions reach the
session's staff always, the room while public. Meetings' registration counts reach the pages
watching the meeting.

Cross-process effects that need every process (disconnecting a banned person's sockets, making
a changed account's tabs reload) travel as ``Signals``; their handlers live here too."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from live.errors import NotFound
from live.events import (
    AccountChanged,
    ChatStateChanged,
    Event,
    EventBus,
    ItemShowcased,
    MessagePosted,
    MessagesHidden,
    MessagesShown,
    OpinionChanged,
    OpinionCreated,
    PersonBanned,
    PersonMuted,
    PinChanged,
    PollChanged,
    QuestionChanged,
    RegistrationsChanged,
    SessionStatusChanged,
    SignedOut,
    StreamStateChanged,
    ViewersChanged,
    VoteChanged,
)
from live.payloads import (
    agenda_payload,
    message_payload,
    opinion_payload,
    poll_payload,
    question_payload,
    vote_payload,
)
from live.realtime.context import RealtimeContext, item_room, meeting_room, session_room, staff_room
from live.realtime.emit_throttle import EmitThrottle
from live.services.container import Services
from live.services.questions import PUBLIC
from live.services.sanctions import address_applies
from live.statuses import MessageStatus

log = logging.getLogger(__name__)
KICK = "kick"
MUTE = "mute"
ACCOUNT_CHANGED = "account_changed"
#: Polls and household votes: at most one update per this many seconds, across processes.
COUNTS_EVERY_S = 1.0


class Subscribers:
    """Turns each kind of event into the emits of the rooms that should hear of it."""

    def __init__(self, ctx: RealtimeContext, services: Services, *, prefix: str, redis: Any = None) -> None:
        """``prefix``: LIVE_REDIS_PREFIX, naming the throttles' keys."""
        self.ctx = ctx
        self.fanout = ctx.fanout
        self.services = services
        self.polls = EmitThrottle(
            self.emit_poll, interval_s=COUNTS_EVERY_S, redis=redis, prefix=prefix, name="poll"
        )
        self.votes = EmitThrottle(
            self.emit_vote, interval_s=COUNTS_EVERY_S, redis=redis, prefix=prefix, name="vote"
        )
        self._handlers: dict[type[Event], Callable[[Any], Awaitable[None]]] = {
            MessagePosted: self.message_posted,
            MessagesShown: self.messages_shown,
            MessagesHidden: self.messages_hidden,
            PinChanged: self.pin_changed,
            ChatStateChanged: self.chat_state_changed,
            PersonBanned: self.person_banned,
            PersonMuted: self.person_muted,
            SessionStatusChanged: self.session_status_changed,
            StreamStateChanged: self.stream_state_changed,
            ViewersChanged: self.viewers_changed,
            OpinionCreated: self.opinion_created,
            OpinionChanged: self.opinion_changed,
            ItemShowcased: self.item_showcased,
            AccountChanged: self.account_changed,
            SignedOut: self.signed_out,
            PollChanged: self.poll_changed,
            QuestionChanged: self.question_changed,
            VoteChanged: self.vote_changed,
            RegistrationsChanged: self.registrations_changed,
        }

    def install(self, events: EventBus) -> Callable[[], None]:
        """Subscribe to the bus and to the cross-process signals; returns the unsubscriber."""
        self.services.signals.on(KICK, self.kick)
        self.services.signals.on(MUTE, self.tell_muted)
        self.services.signals.on(ACCOUNT_CHANGED, self.reload)
        return events.subscribe(self)

    async def close(self) -> None:
        """Stop the pending throttled emits (shutdown)."""
        await self.polls.close()
        await self.votes.close()

    async def __call__(self, event: Event) -> None:
        handler = self._handlers.get(type(event))
        if handler is not None:
            await handler(event)

    # -- chat and moderation --------------------------------------------------------------------
    async def message_posted(self, event: MessagePosted) -> None:
        payload = message_payload(event.message)
        if event.message.status == MessageStatus.VISIBLE:
            await self.fanout.broadcast(session_room(event.session_id), "chat", payload)
        else:
            await self.fanout.broadcast(staff_room(event.community_id), "held", payload)

    async def messages_shown(self, event: MessagesShown) -> None:
        for message in event.messages:
            await self.fanout.broadcast(session_room(message.session_id), "chat", message_payload(message))

    async def messages_hidden(self, event: MessagesHidden) -> None:
        room, session = session_room(event.session_id), str(event.session_id)
        for message_id in event.message_ids:
            await self.fanout.broadcast(room, "hide", {"session": session, "message": str(message_id)})

    async def pin_changed(self, event: PinChanged) -> None:
        payload = message_payload(event.message) if event.message else None
        await self.fanout.broadcast(
            session_room(event.session_id), "pin", {"session": str(event.session_id), "message": payload}
        )

    async def chat_state_changed(self, event: ChatStateChanged) -> None:
        await self.fanout.broadcast(
            session_room(event.session_id),
            "chat_state",
            {"session": str(event.session_id), "open": event.open, "slow_mode": event.slow_mode_s},
        )

    async def person_banned(self, event: PersonBanned) -> None:
        await self.services.signals.publish(
            KICK, {"community": event.community_id, "person": event.person, "address": event.address}
        )

    async def person_muted(self, event: PersonMuted) -> None:
        await self.services.signals.publish(
            MUTE, {"community": event.community_id, "person": event.person, "seconds": event.seconds}
        )

    async def tell_muted(self, payload: dict[str, Any]) -> None:
        """Tell this process's sockets of a muted (or unmuted) person in that community at once:
        ``muted`` with the seconds left, or ``unmuted``."""
        person, community, seconds = payload.get("person"), payload.get("community"), payload.get("seconds")
        for sid, connection in list(self.ctx.connections.items()):
            if connection.actor.key != person or community not in connection.sessions.values():
                continue
            if isinstance(seconds, int) and seconds > 0:
                await self.ctx.sio.emit("muted", {"seconds": seconds}, to=sid)
            else:
                await self.ctx.sio.emit("unmuted", {}, to=sid)

    async def kick(self, payload: dict[str, Any]) -> None:
        """Disconnect this process's sockets of a banned person (or from their address)."""
        person, address = payload.get("person"), payload.get("address")
        for sid, connection in list(self.ctx.connections.items()):
            actor = connection.actor
            by_address = bool(address) and address_applies(actor) and actor.address == address
            if actor.key == person or by_address:
                await self.ctx.sio.disconnect(sid)

    # -- sessions and their stream --------------------------------------------------------------
    async def session_status_changed(self, event: SessionStatusChanged) -> None:
        payload = {"id": str(event.session_id), "status": str(event.status)}
        await self.fanout.broadcast(session_room(event.session_id), "session", payload)

    async def stream_state_changed(self, event: StreamStateChanged) -> None:
        payload = {"session": str(event.session_id), "state": event.state}
        await self.fanout.broadcast(session_room(event.session_id), "stream", payload)

    async def viewers_changed(self, event: ViewersChanged) -> None:
        payload = {"session": str(event.session_id), "current": event.current, "peak": event.peak}
        payload["unique"] = event.unique
        await self.fanout.broadcast(session_room(event.session_id), "viewers", payload)

    # -- opinions and the agenda ----------------------------------------------------------------
    async def opinion_created(self, event: OpinionCreated) -> None:
        """A committed opinion reaches its community's moderators (full) and, when public, the
        session's viewers."""
        loaded = await self.services.opinions.with_slug(event.opinion_id)
        if loaded is None:
            return
        opinion, slug = loaded
        staff = opinion_payload(opinion, slug, staff=True)
        await self.fanout.broadcast(staff_room(opinion.community_id), "opinion", staff)
        if opinion.session_id is not None and opinion.public:
            public = opinion_payload(opinion, slug)
            await self.fanout.broadcast(session_room(opinion.session_id), "session_opinion", public)

    async def opinion_changed(self, event: OpinionChanged) -> None:
        if event.session_id is None:
            return
        loaded = await self.services.opinions.with_slug(event.opinion_id)
        if loaded is None:
            return
        opinion, _slug = loaded
        update = {
            "session": str(event.session_id),
            "id": str(opinion.id),
            "status": opinion.status,
            "supporters": opinion.supporters,
            "verified_households": opinion.verified_households,
            "merged_into": str(opinion.merged_into_id) if opinion.merged_into_id else None,
        }
        await self.fanout.broadcast(session_room(event.session_id), "opinion_update", update)

    async def item_showcased(self, event: ItemShowcased) -> None:
        payload = {
            "session": str(event.session_id),
            "item": {
                **agenda_payload(event.item, event.community_slug, party_name=event.party_name),
                "opinions": event.opinions,
                "ratings": dict(event.ratings),
            },
        }
        await self.fanout.broadcast(session_room(event.session_id), "showcase", payload)

    # -- polls, questions, household votes, meetings ---------------------------------------------
    async def poll_changed(self, event: PollChanged) -> None:
        """``poll`` to the session's room: at once when it opens or closes, at most once a
        second (across processes) while votes come in."""
        if event.change == "voted":
            await self.polls.poke(event.poll_id)
        else:
            await self.polls.now(event.poll_id)

    async def emit_poll(self, poll_id: int) -> None:
        try:
            view = await self.services.polls.get(None, poll_id)
        except NotFound:
            return
        await self.fanout.broadcast(session_room(view.poll.session_id), "poll", poll_payload(view))

    async def question_changed(self, event: QuestionChanged) -> None:
        """``question`` to the session's moderators for every change; to the whole room only
        while the question is public (approved, answering, answered); when it leaves the public
        queue (rejected, merged) the room gets ``{id, session, status}`` without its text."""
        question = await self.services.questions.current(event.question_id)
        if question is None:
            return
        payload = question_payload(question)
        await self.fanout.broadcast(staff_room(question.community_id), "question", payload)
        if question.status in PUBLIC:
            public = payload
        elif question.status in ("rejected", "merged"):
            public = {"id": payload["id"], "session": payload["session"], "status": question.status}
        else:
            return
        await self.fanout.broadcast(session_room(question.session_id), "question", public)

    async def vote_changed(self, event: VoteChanged) -> None:
        """``vote`` (the public view: turnout, and counts unless a secret ballot is still open)
        to the pages watching its agenda item: at once when it opens or closes, at most once a
        second (across processes) while ballots come in."""
        if event.change == "voted":
            await self.votes.poke(event.vote_id)
        else:
            await self.votes.now(event.vote_id)

    async def emit_vote(self, vote_id: int) -> None:
        try:
            view = await self.services.votes.get(None, vote_id)
        except NotFound:
            return
        await self.fanout.broadcast(item_room(view.vote.item_id), "vote", vote_payload(view))

    async def registrations_changed(self, event: RegistrationsChanged) -> None:
        """``meeting`` with its counts to the pages watching it (its page, the door's check-in)."""
        counts = await self.services.registrations.counts(event.meeting_id)
        payload = {"id": str(event.meeting_id), "change": event.change, **counts}
        await self.fanout.broadcast(meeting_room(event.meeting_id), "meeting", payload)

    # -- accounts -------------------------------------------------------------------------------
    async def account_changed(self, event: AccountChanged) -> None:
        await self.services.signals.publish(ACCOUNT_CHANGED, {"person": f"u:{event.user_id}"})

    async def signed_out(self, event: SignedOut) -> None:
        await self.services.signals.publish(
            ACCOUNT_CHANGED, {"person": f"u:{event.user_id}", "recheck": True}
        )

    async def reload(self, payload: dict[str, Any]) -> None:
        """A user's role or community changed, they were disabled or signed out: on every
        process, each of their open sockets whose sign-in no longer holds (or changed) loses its
        powers at once: told to reload, then disconnected. After a sign-out, the same person's
        other devices (other sign-ins that still resolve) keep theirs."""
        for sid, connection in list(self.ctx.connections.items()):
            if connection.actor.key != payload.get("person"):
                continue
            if payload.get("recheck") and connection.token:
                resolved = await self.services.accounts.resolve(connection.token, connection.actor.address)
                if resolved is not None and resolved[0] == connection.actor:
                    continue
            connection.revoked = True
            await self.ctx.sio.emit("reload", {}, to=sid)
            await self.ctx.sio.disconnect(sid)
