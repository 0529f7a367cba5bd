"""Opinions: submit (web, watch form, live chat, door visits, meetings), support, triage, merge."""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from live.clock import Clock
from live.errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from live.events import Event, EventBus, OpinionChanged, OpinionCreated
from live.services.actors import Actor, require_staff
from live.services.categories import Categories
from live.services.inbox import deliver
from live.services.limits import MemoryTokenBucket, PersonLimit, TokenBucket, make_bucket, shared_bucket
from live.services.moderation import audit_entry
from live.services.notices import InboxKind, Notice
from live.services.paging import keyset_batches
from live.services.redis_health import RedisHealth
from live.services.sanctions import active_ban, address_applies
from live.services.similarity import features, pick_terms, rank_candidates, retrieval_weights
from live.services.text import clean_text, optional_clean
from live.services.uploads import MAX_PHOTOS, StoredPhoto, StoredVoice, Uploads
from live.statuses import STAFF_SOURCES, OpinionSource, OpinionStatus, SessionStatus, values
from live.storage import chat as chat_store
from live.storage import moderation as moderation_store
from live.storage import opinions as store
from live.storage import places as places_store
from live.storage import rooms as rooms_store
from live.storage.db import Database, Duplicate, Tx
from live.storage.households import household_of
from live.storage.opinions import Opinion, Scope, is_public
from live.storage.places import Community
from live.storage.rooms import LiveSession
from live.storage.similar_index import INDEXED, best_candidates, term_counts

SOURCES = values(OpinionSource)
STATUSES = values(OpinionStatus)
REJECT_REASONS = ("duplicate", "off_topic", "abusive", "not_actionable", "resolved", "other")
BULK_ACTIONS = ("accept", "reject", "merge")
TEXT_MAX = 2000
LOCATION_MAX = 200
CONTACT_MAX = 128
NOTE_MAX = 1000
SUBMIT_BURST = 10
SUBMIT_RATE_PER_S = 1 / 30
#: Similar opinions: at most this many postings read per query, and candidates scored. The
#: index ranks by cosine (posting weights), so the full scan's top suggestion came within the
#: first 3 candidates for every labelled query among 50,000 others (docs/performance.md).
POSTINGS_BUDGET = 30_000
CANDIDATES = 60


@dataclass(frozen=True)
class Similar:
    opinion: Opinion
    score: float


def unverified_support_limit(redis: Any, clock: Clock, prefix: str, per_hour: int) -> PersonLimit:
    """Supports by people without a verified household: ``per_hour`` per address (a burst of that
    many, refilled over an hour), three times that per person."""
    per_hour = max(1, per_hour)
    return PersonLimit(
        make_bucket(redis, clock, 3 * per_hour / 3600, 3 * per_hour, prefix + ":supports"),
        make_bucket(redis, clock, per_hour / 3600, per_hour, prefix + ":supports:addr"),
    )


def address_opinion_limiter(redis: Any, clock: Clock, prefix: str, factor: float = 1.0) -> TokenBucket:
    """An address's opinion budget: ``factor`` people's."""
    factor = max(factor, 0.01)
    return make_bucket(
        redis,
        clock,
        SUBMIT_RATE_PER_S * factor,
        max(1, round(SUBMIT_BURST * factor)),
        prefix + ":opinions:addr",
    )


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
        *,
        address_limiter: TokenBucket | None = None,
        support_limit: PersonLimit | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.events = events
        self.categories = categories
        self.limiter = limiter or MemoryTokenBucket(clock, SUBMIT_RATE_PER_S, SUBMIT_BURST)
        self.uploads = uploads
        #: The same budget per address, so that fresh identities from one address share it.
        self.address_limiter = address_limiter or MemoryTokenBucket(clock, SUBMIT_RATE_PER_S, SUBMIT_BURST)
        #: Supports by people without a verified household: per person and per address.
        self.support_limit = support_limit or unverified_support_limit(None, clock, "", 10)

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
        if address_applies(actor) and actor.address and not await self.address_limiter.take(actor.address):
            raise RateLimited("too many opinions from this address at once; please wait a minute")
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
        await self.events.publish(
            OpinionCreated(opinion.id, opinion.community_id, opinion.session_id, actor=actor.key)
        )
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
            compound_id = _compound_named_in(await places_store.compound_names(s, community.id), place)
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
                status=OpinionStatus.NEW,
                supporters=1,
                public=True,
                created_at=self.clock.now(),
                voice_file=voice.file if voice else None,
                voice_duration_s=voice.duration_s if voice else None,
                photos=[{"file": p.file, "thumb": p.thumb} for p in photos] or None,
            )
            await store.add_opinion(s, opinion)
            store.add_support(s, opinion.id, writer.key, self.clock.now())
            await s.flush()
            await store.recount(s, opinion.id)
            await s.refresh(opinion)
        return opinion

    async def _where(
        self, s: Tx, community_slug: str | None, session_id: int | None
    ) -> tuple[Community, LiveSession | None]:
        session = None
        if session_id is not None:
            session = await rooms_store.get_session(s, session_id)
            if session is None:
                raise NotFound("no such session")
        if community_slug:
            community = await places_store.community_by_slug(s, community_slug)
            if community is None:
                raise NotFound(f"no community {community_slug}")
        elif session is not None:
            community = await places_store.community_by_id(s, session.community_id)
            assert community is not None
        else:
            raise Invalid("community is required", code="missing_field")
        if session is not None and session.community_id != community.id:
            raise Invalid("that session belongs to another community", code="bad_session")
        return community, session

    async def from_message(self, actor: Actor, message_id: int) -> Opinion:
        """A moderator turns a chat message into an opinion, keeping its moment and author."""
        async with self.db.transaction() as s:
            message = await chat_store.get_message(s, message_id)
            if message is None:
                raise NotFound("no such message")
            require_staff(actor, "moderator", message.community_id)
            opinion, created = await self._from_message(s, message.id)
        if created:
            await self._created(opinion, actor)
        return opinion

    async def to_opinion(
        self, actor: Actor, session_id: int, message_id: int, reason: str = ""
    ) -> tuple[Opinion, str]:
        """The moderation console's "to opinion": a moderator of the session's community turns
        one of its chat messages into an opinion, and the audit log records it, in one
        transaction. Returns the opinion and its community's slug."""
        async with self.db.transaction() as s:
            session = await rooms_store.get_session(s, session_id)
            if session is None:
                raise NotFound("no such session")
            if not actor.can("moderator", session.community_id):
                raise Forbidden("needs moderator, host or admin of this community")
            message = await chat_store.get_message(s, message_id)
            if message is None or message.session_id != session.id:
                raise NotFound("no such message in this session")
            opinion, created = await self._from_message(s, message.id)
            moderation_store.add_audit_entry(
                s, audit_entry(actor, session, "to_opinion", str(message.id), reason, self.clock.now())
            )
            community = await places_store.community_by_id(s, session.community_id)
            assert community is not None
        if created:
            await self._created(opinion, actor)
        return opinion, community.slug

    async def _from_message(self, s: Tx, message_id: int) -> tuple[Opinion, bool]:
        """The opinion made of a chat message (made now unless it exists); True if made now."""
        existing = await store.opinion_of_message(s, message_id)
        if existing is not None:
            return existing, False
        message = await chat_store.get_message(s, message_id)
        assert message is not None
        opinion = Opinion(
            community_id=message.community_id,
            text=clean_text(message.text, "text", TEXT_MAX),
            category="other",
            source=OpinionSource.LIVE_CHAT,
            session_id=message.session_id,
            offset_ms=message.offset_ms,
            message_id=message.id,
            author_key=message.author_key,
            author_name=message.author_name[:64],
            status=OpinionStatus.NEW,
            supporters=1,
            public=True,
            created_at=self.clock.now(),
        )
        await store.add_opinion(s, opinion)
        store.add_support(s, opinion.id, message.author_key, self.clock.now())
        return opinion, True

    async def _created(self, opinion: Opinion, actor: Actor) -> None:
        await self.events.publish(
            OpinionCreated(opinion.id, opinion.community_id, opinion.session_id, actor=actor.key)
        )

    async def get(self, actor: Actor, opinion_id: int) -> Opinion:
        async with self.db.read() as s:
            opinion = await store.get_opinion(s, opinion_id)
        if opinion is None or not visible_to(actor, opinion):
            raise NotFound("no such opinion")
        return opinion

    async def with_slug(self, opinion_id: int) -> tuple[Opinion, str] | None:
        """An opinion and its community's slug (to show it as it is now), None if it is gone."""
        async with self.db.read() as s:
            opinion = await store.get_opinion(s, opinion_id)
            if opinion is None:
                return None
            slugs = await places_store.community_slugs(s, {opinion.community_id})
        return opinion, slugs[opinion.community_id]

    async def list(
        self,
        actor: Actor,
        *,
        community_slug: str | None = None,
        status: str | None = None,
        category: str | None = None,
        session_id: int | None = None,
        location: str | None = None,
        search: str | None = None,
        limit: int = 100,
        after: int | None = None,
    ) -> builtins.list[Opinion]:
        """Opinions newest first; residents see public, non-rejected ones; ``search``: those
        whose text or place contains it."""
        if status is not None and status not in STATUSES:
            raise Invalid(f"status must be one of {', '.join(STATUSES)}")
        async with self.db.read() as s:
            return await store.list_opinions(
                s,
                listing_scope(actor),
                community_slug=community_slug,
                status=status,
                category=category,
                session_id=session_id,
                location=location,
                search=(search or "").strip() or None,
                limit=limit,
                after=after,
            )

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

        async def fetch(after: int | None) -> builtins.list[Opinion]:
            return await self.list(
                actor,
                community_slug=community_slug,
                status=status,
                category=category,
                session_id=session_id,
                location=location,
                limit=batch,
                after=after,
            )

        async for rows in keyset_batches(fetch, lambda row: row.id, batch):
            yield list(rows)

    async def support(self, actor: Actor, opinion_id: int) -> Opinion:
        """ "Me too": once per person; supporting a merged opinion supports its survivor."""
        async with self.db.read() as s:
            opinion = await store.get_opinion(s, opinion_id)
            if opinion is None or not visible_to(actor, opinion):
                raise NotFound("no such opinion")
            target = await _survivor(s, opinion)
            verified = False
            already = await store.support_of(s, target.id, actor.key)
            if already is None:
                if not actor.is_staff and await active_ban(s, target.community_id, actor):
                    raise Forbidden("you are banned in this community", code="banned")
                verified = actor.user_id is not None and await household_of(s, actor.user_id) is not None
        if (
            already is None
            and not verified
            and not actor.is_staff
            and not await self.support_limit.take(actor)
        ):
            raise RateLimited(
                "too many supports from here; sign in and verify your household to count more",
                code="rate_limited",
            )
        try:
            async with self.db.transaction() as s:
                if not await store.has_support(s, target.id, actor.key):
                    store.add_support(s, target.id, actor.key, self.clock.now())
                    await s.flush()
                    await store.recount(s, target.id)
        except Duplicate:
            pass  # the same person's concurrent second click
        async with self.db.read() as s:
            fresh = await store.get_opinion(s, target.id)
        assert fresh is not None
        await self.events.publish(
            OpinionChanged(fresh.id, fresh.community_id, fresh.session_id, "support", actor=actor.key)
        )
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
            opinion = await store.get_opinion(s, opinion_id)
            if opinion is None:
                raise NotFound("no such opinion")
            require_staff(actor, "moderator", opinion.community_id)
            opinion.text = body
        await self.events.publish(
            OpinionChanged(
                opinion.id, opinion.community_id, opinion.session_id, "transcribed", actor=actor.key
            )
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
            return await self._merge_all(actor, [i for i in dict.fromkeys(ids) if i != into], into)
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
            locked = await store.lock_opinions(s, list(ids))
            for opinion_id in dict.fromkeys(ids):
                opinion = locked.get(opinion_id)
                if opinion is None:
                    raise NotFound(f"no opinion {opinion_id}")
                require_staff(actor, "moderator", opinion.community_id)
                if opinion.status == OpinionStatus.MERGED:
                    raise Conflict(f"opinion {opinion_id} was merged", code="bad_state")
                if action == "accept":
                    opinion.status = OpinionStatus.ACCEPTED
                    opinion.reject_reason = opinion.reject_note = None
                else:
                    opinion.status = OpinionStatus.REJECTED
                    opinion.reject_reason = reason
                    opinion.reject_note = note.strip() or None
                changed.append(opinion)
        for opinion in changed:
            await self.events.publish(
                OpinionChanged(opinion.id, opinion.community_id, opinion.session_id, action, actor=actor.key)
            )
        return changed

    async def merge(self, actor: Actor, opinion_id: int, into_id: int) -> Opinion:
        """Merge one opinion into another: supporters add up (a person counts once), its
        authors are told, it links to the survivor. Returns the survivor."""
        if opinion_id == into_id:
            raise Invalid("cannot merge an opinion into itself", code="bad_merge")
        return (await self._merge_all(actor, [opinion_id], into_id))[0]

    async def _merge_all(self, actor: Actor, ids: builtins.list[int], into_id: int) -> builtins.list[Opinion]:
        """Merge every opinion of ``ids`` into ``into_id`` in ONE transaction (all or nothing);
        returns the survivor once per merged opinion (the survivor alone when ``ids`` is empty)."""
        events: builtins.list[Event] = []
        result: builtins.list[Opinion] = []
        async with self.db.transaction() as s:
            locked = await store.lock_opinions(s, [*ids, into_id])
            survivor = locked.get(into_id)
            if not ids:
                if survivor is None or not visible_to(actor, survivor):
                    raise NotFound("no such opinion")
                return [survivor]
            for opinion_id in ids:
                merged = locked.get(opinion_id)
                if merged is None or survivor is None:
                    raise NotFound("no such opinion")
                await self._merge_one(s, actor, merged, survivor)
                events.append(
                    OpinionChanged(
                        merged.id, merged.community_id, merged.session_id, "merged", actor=actor.key
                    )
                )
                events.append(
                    OpinionChanged(
                        survivor.id, survivor.community_id, survivor.session_id, "merge", actor=actor.key
                    )
                )
                result.append(survivor)
        for event in events:
            await self.events.publish(event)
        return result

    async def _merge_one(self, s: Tx, actor: Actor, merged: Opinion, survivor: Opinion) -> None:
        require_staff(actor, "moderator", merged.community_id)
        if merged.community_id != survivor.community_id:
            raise Invalid("opinions of different communities", code="bad_merge")
        if merged.status == OpinionStatus.MERGED:
            raise Conflict("that opinion was already merged", code="bad_state")
        if survivor.status in (OpinionStatus.MERGED, OpinionStatus.REJECTED):
            raise Conflict("cannot merge into a merged or rejected opinion", code="bad_state")
        theirs = await store.supporter_keys(s, merged.id)
        ours = await store.supporter_keys(s, survivor.id)
        for key in sorted(theirs - ours):
            store.add_support(s, survivor.id, key, self.clock.now())
        merged.status = OpinionStatus.MERGED
        merged.merged_into_id = survivor.id
        await store.repoint_merged(s, merged.id, survivor.id)
        if survivor.status == OpinionStatus.NEW:
            survivor.status = OpinionStatus.ACCEPTED
        await s.flush()
        await store.recount(s, survivor.id)
        authors = {merged.author_key} - {survivor.author_key}
        excerpt = survivor.text if len(survivor.text) <= 40 else survivor.text[:40] + "…"
        await deliver(
            s,
            self.clock,
            authors,
            Notice(InboxKind.OPINION_MERGED, {"supporters": survivor.supporters, "excerpt": excerpt}),
        )

    async def similar(self, actor: Actor, opinion_id: int, limit: int = 5) -> builtins.list[Similar]:
        """The opinions of the same community most similar to this one, best first.

        Candidates come from the term index (live/storage/similar_index.py): the query's most
        telling terms are looked up, the opinions with the largest cosine over them are scored
        exactly as a full scan would score them (same document frequencies), the rest never
        read."""
        async with self.db.read() as s:
            opinion = await store.get_opinion(s, opinion_id)
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
            weights = retrieval_weights(opinion.text, df, total)
            chosen = pick_terms(weights, df, POSTINGS_BUDGET)
            ids = await best_candidates(
                s, community, {t: weights[t] for t in chosen}, CANDIDATES, exclude=opinion.id
            )
            pool: builtins.list[Opinion] = []
            if ids:
                by_id = await store.opinions_by_ids(s, ids)
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
            return await store.count_supports(s, opinion_id)


def visible_to(actor: Actor, opinion: Opinion) -> bool:
    """Who may see one opinion: its community's staff, its author, and anyone when public."""
    if actor.can("moderator", opinion.community_id):
        return True
    if opinion.author_key == actor.key:
        return True
    return is_public(opinion)


def listing_scope(actor: Actor) -> Scope:
    """What a listing shows ``actor``: admins everything; staff the public opinions and every
    opinion of their community; everyone else the public ones."""
    if actor.is_admin:
        return Scope(everything=True)
    if actor.is_staff and actor.community_id is not None:
        return Scope(community_id=actor.community_id)
    return Scope()


def _compound_named_in(compounds: builtins.list[tuple[int, str]], place: str | None) -> int | None:
    """The compound that a free-text place starts with, if any (longest name wins)."""
    if not place:
        return None
    named = [(len(name), cid) for cid, name in compounds if place.startswith(name)]
    return max(named)[1] if named else None


def _offset(clock: Clock, session: LiveSession | None) -> int | None:
    if session is None or session.status != SessionStatus.LIVE or session.started_at is None:
        return None
    return max(0, int((clock.now() - session.started_at).total_seconds() * 1000))


async def _survivor(s: Tx, opinion: Opinion) -> Opinion:
    seen = {opinion.id}
    while opinion.status == OpinionStatus.MERGED and opinion.merged_into_id is not None:
        nxt = await store.get_opinion(s, opinion.merged_into_id)
        if nxt is None or nxt.id in seen:
            break
        seen.add(nxt.id)
        opinion = nxt
    return opinion
