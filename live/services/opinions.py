"""Opinions: submit (web, watch form, live chat, door visits, meetings), support, triage, merge."""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from live.clock import Clock
from live.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from live.events import EventBus, OpinionChanged, OpinionCreated
from live.services.actors import Actor, require_staff
from live.services.categories import Categories
from live.services.inbox import deliver
from live.services.limits import MemoryTokenBucket, TokenBucket, shared_bucket
from live.services.notices import InboxKind, Notice
from live.services.redis_health import RedisHealth
from live.services.sanctions import active_ban
from live.services.similarity import features, pick_terms, query_weights, rank_candidates
from live.services.text import clean_text, optional_clean
from live.services.uploads import MAX_PHOTOS, StoredPhoto, StoredVoice, Uploads
from live.storage.chat import Message
from live.storage.db import Database
from live.storage.opinions import Opinion, OpinionSupport
from live.storage.places import Community, Compound, community_by_slug, community_id_of
from live.storage.rooms import LiveSession
from live.storage.similar_index import INDEXED, best_candidates, term_counts

SOURCES = ("live_chat", "watch_form", "web", "door_visit", "meeting", "on_behalf", "paper")
STAFF_SOURCES = ("live_chat", "door_visit", "meeting", "on_behalf", "paper")
STATUSES = ("new", "accepted", "merged", "rejected")
REJECT_REASONS = ("duplicate", "off_topic", "abusive", "not_actionable", "resolved", "other")
BULK_ACTIONS = ("accept", "reject", "merge")
TEXT_MAX = 2000
LOCATION_MAX = 200
CONTACT_MAX = 128
NOTE_MAX = 1000
SUBMIT_BURST = 10
SUBMIT_RATE_PER_S = 1 / 30
#: Similar opinions: at most this many postings read per query, and candidates scored.
POSTINGS_BUDGET = 30_000
CANDIDATES = 300


@dataclass(frozen=True)
class Similar:
    opinion: Opinion
    score: float


def opinion_limiter(redis: Any, clock: Clock, prefix: str, health: RedisHealth | None = None) -> TokenBucket:
    """Residents may raise a burst of opinions, then about two a minute (shared through Redis,
    counted per process while Redis is away)."""
    return shared_bucket(redis, health, clock, SUBMIT_RATE_PER_S, SUBMIT_BURST, prefix + ":opinions")


class Opinions:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        events: EventBus,
        categories: Categories,
        limiter: TokenBucket | None = None,
        uploads: Uploads | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.events = events
        self.categories = categories
        self.limiter = limiter or MemoryTokenBucket(clock, SUBMIT_RATE_PER_S, SUBMIT_BURST)
        self.uploads = uploads

    async def submit(
        self,
        actor: Actor,
        *,
        community_slug: str | None = None,
        text: str,
        category: str | None = None,
        location: str | None = None,
        session_id: int | None = None,
        source: str = "web",
        contact: str | None = None,
        voice: bytes | None = None,
        photos: Sequence[bytes] = (),
        author: Actor | None = None,
    ) -> Opinion:
        """Store a new opinion (durable on return, its voice and photos too) and tell moderators.

        With a voice message the text may be empty: a moderator types it after listening."""
        if author is not None and source not in STAFF_SOURCES:
            raise Invalid("an opinion entered for someone else needs a staff source", code="bad_source")
        writer = author or actor  # author: the named resident a moderator enters it for (网格员代录)
        if (voice is not None or photos) and self.uploads is None:
            raise Invalid("this server takes no attachments", code="bad_file")
        if len(photos) > MAX_PHOTOS:
            raise Invalid(f"at most {MAX_PHOTOS} photos", code="too_many_photos")
        body = "" if voice is not None and not text.strip() else clean_text(text, "text", TEXT_MAX)
        place = optional_clean(location, "location", LOCATION_MAX)
        contact = optional_clean(contact, "contact", CONTACT_MAX)
        if source not in SOURCES:
            raise Invalid(f"source must be one of {', '.join(SOURCES)}", code="bad_source")
        category = await self.categories.check(category)
        if not actor.is_staff and not await self.limiter.take(actor.key):
            raise RateLimited("too many opinions at once; please wait a minute")
        stored_voice, stored_photos = await self._store(voice, photos)
        try:
            opinion = await self._insert(
                actor,
                community_slug,
                session_id,
                source,
                body,
                category,
                place,
                contact,
                stored_voice,
                stored_photos,
                writer,
            )
        except BaseException:
            if self.uploads is not None:
                names = [p.file for p in stored_photos] + [p.thumb for p in stored_photos]
                self.uploads.discard(names + ([stored_voice.file] if stored_voice else []))
            raise
        await self.events.publish(OpinionCreated(opinion.id, opinion.community_id, opinion.session_id))
        return opinion

    async def _store(
        self, voice: bytes | None, photos: Sequence[bytes]
    ) -> tuple[StoredVoice | None, list[StoredPhoto]]:
        """Check, convert and store the attachments (each durable) before the opinion is written."""
        if self.uploads is None:
            return None, []
        stored: list[StoredPhoto] = []
        stored_voice: StoredVoice | None = None
        try:
            if voice is not None:
                stored_voice = await self.uploads.voice(voice)
            for data in photos:
                stored.append(await self.uploads.photo(data))
        except BaseException:
            names = [p.file for p in stored] + [p.thumb for p in stored]
            self.uploads.discard(names + ([stored_voice.file] if stored_voice else []))
            raise
        return stored_voice, stored

    async def _insert(
        self,
        actor: Actor,
        community_slug: str | None,
        session_id: int | None,
        source: str,
        body: str,
        category: str,
        place: str | None,
        contact: str | None,
        voice: StoredVoice | None,
        photos: Sequence[StoredPhoto],
        writer: Actor | None = None,
    ) -> Opinion:
        writer = writer or actor
        async with self.db.transaction() as s:
            community, session = await self._where(s, community_slug, session_id)
            if source in STAFF_SOURCES:
                require_staff(actor, "moderator", community.id)
            if not actor.is_staff and await active_ban(s, community.id, actor):
                raise Forbidden("you are banned in this community", code="banned")
            offset_ms = _offset(self.clock, session)
            compound_id = await _compound_named_in(s, community.id, place)
            opinion = Opinion(
                community_id=community.id,
                text=body,
                category=category,
                location=place,
                compound_id=compound_id,
                source=source,
                session_id=session.id if session else None,
                offset_ms=offset_ms,
                author_key=writer.key,
                author_name=writer.name[:64],
                contact=contact,
                status="new",
                supporters=1,
                public=True,
                created_at=self.clock.now(),
                voice_file=voice.file if voice else None,
                voice_duration_s=voice.duration_s if voice else None,
                photos=[{"file": p.file, "thumb": p.thumb} for p in photos] or None,
            )
            s.add(opinion)
            await s.flush()
            s.add(OpinionSupport(opinion_id=opinion.id, person_key=writer.key, created_at=self.clock.now()))
        return opinion

    async def _where(
        self, s: AsyncSession, community_slug: str | None, session_id: int | None
    ) -> tuple[Community, LiveSession | None]:
        session = None
        if session_id is not None:
            session = await s.get(LiveSession, session_id)
            if session is None:
                raise NotFound("no such session")
        if community_slug:
            community = await community_by_slug(s, community_slug)
            if community is None:
                raise NotFound(f"no community {community_slug}")
        elif session is not None:
            community = await s.get(Community, session.community_id)
            assert community is not None
        else:
            raise Invalid("community is required", code="missing_field")
        if session is not None and session.community_id != community.id:
            raise Invalid("that session belongs to another community", code="bad_session")
        return community, session

    async def from_message(self, actor: Actor, message_id: int) -> Opinion:
        """A moderator turns a chat message into an opinion, keeping its moment and author."""
        async with self.db.transaction() as s:
            message = await s.get(Message, message_id)
            if message is None:
                raise NotFound("no such message")
            require_staff(actor, "moderator", message.community_id)
            existing = await s.scalar(select(Opinion).where(Opinion.message_id == message.id))
            if existing is not None:
                return existing
            opinion = Opinion(
                community_id=message.community_id,
                text=clean_text(message.text, "text", TEXT_MAX),
                category="other",
                source="live_chat",
                session_id=message.session_id,
                offset_ms=message.offset_ms,
                message_id=message.id,
                author_key=message.author_key,
                author_name=message.author_name[:64],
                status="new",
                supporters=1,
                public=True,
                created_at=self.clock.now(),
            )
            s.add(opinion)
            await s.flush()
            s.add(
                OpinionSupport(
                    opinion_id=opinion.id, person_key=message.author_key, created_at=self.clock.now()
                )
            )
        await self.events.publish(OpinionCreated(opinion.id, opinion.community_id, opinion.session_id))
        return opinion

    async def get(self, actor: Actor, opinion_id: int) -> Opinion:
        async with self.db.read() as s:
            opinion = await s.get(Opinion, opinion_id)
        if opinion is None or not visible_to(actor, opinion):
            raise NotFound("no such opinion")
        return opinion

    async def list(
        self,
        actor: Actor,
        *,
        community_slug: str | None = None,
        status: str | None = None,
        category: str | None = None,
        session_id: int | None = None,
        location: str | None = None,
        limit: int = 100,
        after: int | None = None,
    ) -> builtins.list[Opinion]:
        """Opinions newest first; residents see public, non-rejected ones."""
        if status is not None and status not in STATUSES:
            raise Invalid(f"status must be one of {', '.join(STATUSES)}")
        query = select(Opinion)
        if community_slug:  # by id (a subquery): the (community, id) index, not a walk of every row
            query = query.where(Opinion.community_id == community_id_of(community_slug))
        if status:
            query = query.where(Opinion.status == status)
        if category:
            query = query.where(Opinion.category == category)
        if location:
            query = query.where(Opinion.location.contains(location, autoescape=True))
        if session_id is not None:
            query = query.where(Opinion.session_id == session_id)
        if after is not None:
            query = query.where(Opinion.id < after)
        if not actor.is_admin:
            public = Opinion.public.is_(True) & (Opinion.status != "rejected")
            if actor.is_staff and actor.community_id is not None:
                query = query.where(public | (Opinion.community_id == actor.community_id))
            else:
                query = query.where(public)
        async with self.db.read() as s:
            rows = await s.execute(query.order_by(Opinion.id.desc()).limit(limit))
            return list(rows.scalars())

    async def export(
        self,
        actor: Actor,
        *,
        community_slug: str | None = None,
        status: str | None = None,
        category: str | None = None,
        session_id: int | None = None,
        location: str | None = None,
        batch: int = 500,
    ) -> AsyncIterator[builtins.list[Opinion]]:
        """Every opinion ``list`` would show with these filters, however many: newest first, in
        batches read one after the other by keyset (ids below the last one read), so an export
        of any size holds one batch in memory. Bad filters raise on the first batch."""
        after: int | None = None
        while True:
            rows = await self.list(
                actor,
                community_slug=community_slug,
                status=status,
                category=category,
                session_id=session_id,
                location=location,
                limit=batch,
                after=after,
            )
            if rows:
                yield rows
            if len(rows) < batch:
                return
            after = rows[-1].id

    async def support(self, actor: Actor, opinion_id: int) -> Opinion:
        """ "Me too": once per person; supporting a merged opinion supports its survivor."""
        async with self.db.read() as s:
            opinion = await s.get(Opinion, opinion_id)
            if opinion is None or not visible_to(actor, opinion):
                raise NotFound("no such opinion")
            target = await _survivor(s, opinion)
        try:
            async with self.db.transaction() as s:
                added = await s.scalar(
                    select(OpinionSupport.id).where(
                        OpinionSupport.opinion_id == target.id, OpinionSupport.person_key == actor.key
                    )
                )
                if added is None:
                    s.add(
                        OpinionSupport(
                            opinion_id=target.id, person_key=actor.key, created_at=self.clock.now()
                        )
                    )
                    await s.flush()
                    await _recount(s, target.id)
        except IntegrityError:
            pass  # the same person's concurrent second click
        async with self.db.read() as s:
            fresh = await s.get(Opinion, target.id)
        assert fresh is not None
        await self.events.publish(OpinionChanged(fresh.id, fresh.community_id, fresh.session_id, "support"))
        return fresh

    async def accept(self, actor: Actor, opinion_id: int) -> Opinion:
        return (await self.bulk(actor, [opinion_id], "accept"))[0]

    def upload_path(self, name: str) -> Path | None:
        """The file of a stored voice message or photo, None for an unknown name."""
        return self.uploads.path(name) if self.uploads is not None else None

    async def transcribe(self, actor: Actor, opinion_id: int, text: str) -> Opinion:
        """A moderator types what a voice message says (or corrects an opinion's text); the voice
        stays attached."""
        body = clean_text(text, "text", TEXT_MAX)
        async with self.db.transaction() as s:
            opinion = await s.get(Opinion, opinion_id)
            if opinion is None:
                raise NotFound("no such opinion")
            require_staff(actor, "moderator", opinion.community_id)
            opinion.text = body
        await self.events.publish(
            OpinionChanged(opinion.id, opinion.community_id, opinion.session_id, "transcribed")
        )
        return opinion

    async def reject(self, actor: Actor, opinion_id: int, reason: str, note: str = "") -> Opinion:
        return (await self.bulk(actor, [opinion_id], "reject", reason=reason, note=note))[0]

    async def bulk(
        self,
        actor: Actor,
        ids: Sequence[int],
        action: str,
        *,
        reason: str | None = None,
        note: str = "",
        into: int | None = None,
    ) -> builtins.list[Opinion]:
        """Accept, reject or merge several opinions at once (all or nothing)."""
        if action not in BULK_ACTIONS:
            raise Invalid(f"action must be one of {', '.join(BULK_ACTIONS)}", code="bad_action")
        if not ids or len(ids) > 500:
            raise Invalid("ids: 1-500 opinions")
        if len(note) > NOTE_MAX:
            raise Invalid(f"note: at most {NOTE_MAX} characters", code="too_long")
        if action == "merge":
            if into is None:
                raise Invalid("into is required", code="missing_field")
            result = [await self.merge(actor, i, into) for i in dict.fromkeys(ids) if i != into]
            return result or [await self.get(actor, into)]
        if action == "reject":
            reason = (reason or "").strip()
            if not reason:
                raise Invalid("a reason is required to reject", code="bad_reason")
            if reason not in REJECT_REASONS:
                # A free-text reason: keep it as the note under the code "other".
                if len(reason) > NOTE_MAX:
                    raise Invalid(f"reason: at most {NOTE_MAX} characters", code="too_long")
                note, reason = (f"{reason}；{note}" if note.strip() else reason), "other"
        changed: builtins.list[Opinion] = []
        async with self.db.transaction() as s:
            for opinion_id in dict.fromkeys(ids):
                opinion = await s.get(Opinion, opinion_id, with_for_update=True)
                if opinion is None:
                    raise NotFound(f"no opinion {opinion_id}")
                require_staff(actor, "moderator", opinion.community_id)
                if opinion.status == "merged":
                    raise Conflict(f"opinion {opinion_id} was merged", code="bad_state")
                if action == "accept":
                    opinion.status = "accepted"
                    opinion.reject_reason = opinion.reject_note = None
                else:
                    opinion.status = "rejected"
                    opinion.reject_reason = reason
                    opinion.reject_note = note.strip() or None
                changed.append(opinion)
        for opinion in changed:
            await self.events.publish(
                OpinionChanged(opinion.id, opinion.community_id, opinion.session_id, action)
            )
        return changed

    async def merge(self, actor: Actor, opinion_id: int, into_id: int) -> Opinion:
        """Merge one opinion into another: supporters add up (a person counts once), its
        authors are told, it links to the survivor. Returns the survivor."""
        if opinion_id == into_id:
            raise Invalid("cannot merge an opinion into itself", code="bad_merge")
        async with self.db.transaction() as s:
            first, second = sorted((opinion_id, into_id))
            locked = {i: await s.get(Opinion, i, with_for_update=True) for i in (first, second)}
            merged, survivor = locked[opinion_id], locked[into_id]
            if merged is None or survivor is None:
                raise NotFound("no such opinion")
            require_staff(actor, "moderator", merged.community_id)
            if merged.community_id != survivor.community_id:
                raise Invalid("opinions of different communities", code="bad_merge")
            if merged.status == "merged":
                raise Conflict("that opinion was already merged", code="bad_state")
            if survivor.status in ("merged", "rejected"):
                raise Conflict("cannot merge into a merged or rejected opinion", code="bad_state")
            theirs = set(
                (
                    await s.execute(
                        select(OpinionSupport.person_key).where(OpinionSupport.opinion_id == merged.id)
                    )
                ).scalars()
            )
            ours = set(
                (
                    await s.execute(
                        select(OpinionSupport.person_key).where(OpinionSupport.opinion_id == survivor.id)
                    )
                ).scalars()
            )
            for key in sorted(theirs - ours):
                s.add(OpinionSupport(opinion_id=survivor.id, person_key=key, created_at=self.clock.now()))
            merged.status = "merged"
            merged.merged_into_id = survivor.id
            await s.execute(
                update(Opinion).where(Opinion.merged_into_id == merged.id).values(merged_into_id=survivor.id)
            )
            if survivor.status == "new":
                survivor.status = "accepted"
            await s.flush()
            await _recount(s, survivor.id)
            authors = {merged.author_key} - {survivor.author_key}
            excerpt = survivor.text if len(survivor.text) <= 40 else survivor.text[:40] + "…"
            await deliver(
                s,
                self.clock,
                authors,
                Notice(InboxKind.OPINION_MERGED, {"supporters": survivor.supporters, "excerpt": excerpt}),
            )
        await self.events.publish(OpinionChanged(merged.id, merged.community_id, merged.session_id, "merged"))
        await self.events.publish(
            OpinionChanged(survivor.id, survivor.community_id, survivor.session_id, "merge")
        )
        return survivor

    async def similar(self, actor: Actor, opinion_id: int, limit: int = 5) -> builtins.list[Similar]:
        """The opinions of the same community most similar to this one, best first.

        Candidates come from the term index (live/storage/similar_index.py): the query's most
        telling terms are looked up, the opinions sharing the most weight with it are scored
        exactly as a full scan would score them (same document frequencies), the rest never
        read."""
        async with self.db.read() as s:
            opinion = await s.get(Opinion, opinion_id)
            if opinion is None:
                raise NotFound("no such opinion")
            require_staff(actor, "moderator", opinion.community_id)
            community = opinion.community_id
            query_terms = [t for t, _ in await asyncio.to_thread(features, opinion.text)]
            df = await term_counts(s, community, query_terms)
            total = df.get("", 0)
            if opinion.status not in INDEXED:  # count the query itself, as a full scan does
                total += 1
                df = {t: df.get(t, 0) + 1 for t in query_terms} | {"": total}
            weights = query_weights(opinion.text, df, total)
            chosen = pick_terms(weights, df, POSTINGS_BUDGET)
            ids = await best_candidates(
                s, community, {t: weights[t] for t in chosen}, CANDIDATES, exclude=opinion.id
            )
            pool: builtins.list[Opinion] = []
            if ids:
                rows = await s.execute(select(Opinion).where(Opinion.id.in_(ids)))
                by_id = {o.id: o for o in rows.scalars()}
                pool = [by_id[i] for i in ids if i in by_id and by_id[i].status in INDEXED]
            texts = [o.text for o in pool]
            pool_terms = await asyncio.to_thread(lambda: {t for x in texts for t, _ in features(x)})
            pool_terms -= df.keys()
            df = df | await term_counts(s, community, pool_terms)
        # Scoring is CPU work: keep it off the event loop that carries the chat.
        ranked = await asyncio.to_thread(rank_candidates, opinion.text, [o.text for o in pool], df, total)
        return [Similar(pool[i], score) for i, score in ranked[:limit]]

    async def supporters_of(self, opinion_id: int) -> int:
        async with self.db.read() as s:
            count = await s.scalar(
                select(func.count(OpinionSupport.id)).where(OpinionSupport.opinion_id == opinion_id)
            )
        return count or 0


def visible_to(actor: Actor, opinion: Opinion) -> bool:
    if actor.can("moderator", opinion.community_id):
        return True
    if opinion.author_key == actor.key:
        return True
    return opinion.public and opinion.status != "rejected"


async def _compound_named_in(s: AsyncSession, community_id: int, place: str | None) -> int | None:
    """The community's compound that a free-text place starts with, if any (longest name wins)."""
    if not place:
        return None
    rows = await s.execute(select(Compound.id, Compound.name).where(Compound.community_id == community_id))
    named = [(len(name), cid) for cid, name in rows if place.startswith(name)]
    return max(named)[1] if named else None


def _offset(clock: Clock, session: LiveSession | None) -> int | None:
    if session is None or session.status != "live" or session.started_at is None:
        return None
    return max(0, int((clock.now() - session.started_at).total_seconds() * 1000))


async def _survivor(s: AsyncSession, opinion: Opinion) -> Opinion:
    seen = {opinion.id}
    while opinion.status == "merged" and opinion.merged_into_id is not None:
        nxt = await s.get(Opinion, opinion.merged_into_id)
        if nxt is None or nxt.id in seen:
            break
        seen.add(nxt.id)
        opinion = nxt
    return opinion


async def _recount(s: AsyncSession, opinion_id: int) -> None:
    # Lock the opinion first: two concurrent "me too"s would otherwise each count only their own
    # new row under READ COMMITTED (PostgreSQL) and the second update would lose the first.
    await s.execute(select(Opinion.id).where(Opinion.id == opinion_id).with_for_update())
    count = await s.scalar(
        select(func.count(OpinionSupport.id)).where(OpinionSupport.opinion_id == opinion_id)
    )
    await s.execute(update(Opinion).where(Opinion.id == opinion_id).values(supporters=count or 1))
