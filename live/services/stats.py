"""Rates and statistics: 响应率, 解决率, 按期解决率, 满意率 and the broadcast figures, per community,
party, category and month, and the monthly report.

Definitions (``docs/api.md`` repeats them). The items counted are those *opened* in the period
(all items without ``month``), of the community (all without ``community``), ``closed`` ones
left out of every rate:
- ``response_rate``: items answered (first progress note) by their response limit / items
  assigned whose response limit has passed or that were answered;
- ``resolution_rate``: items resolved / items (not closed);
- ``on_time_rate``: items resolved by their resolution limit (extensions included) / items
  resolved that had a limit;
- ``satisfaction_rate``: (satisfied + basically_satisfied) / ratings, every round of ratings;
- ``extension_rate``: items with at least one extension / items assigned;
- ``items_resolved`` counts items *resolved* in the period (whenever they were opened);
- ``median_days_to_resolve``: working days from assignment (else opening) to resolution.
Every rate is a fraction 0..1, or null when there is nothing to count.

The items' figures are counted by the database (``live.storage.stats``: one grouped statement
per table, not five years of rows read into Python) and cached per community and month: every
committed change that can move them — an agenda item created or changed (status, party, limits,
progress, extension, rating), an opinion raised, a broadcast going live or ending — empties, in
every process (``Signals``: Redis pub/sub when ``REDIS_URL`` is set), the cached figures of its
community and those of the whole subdistrict; the other communities' stay (the subdistrict's
table of communities is made of each community's cached figures). A calendar correction empties
everything. What changes without such an event (the chat and viewer counts of a broadcast still
live, an item falling overdue as time passes, a category or community renamed) is at most
``CACHE_TTL_S`` old."""

from __future__ import annotations

import logging
import statistics
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from live.clock import Clock
from live.errors import Invalid, NotFound
from live.events import AgendaChanged, Event, Generic, OpinionCreated, SessionStatusChanged
from live.services.accountability import CALENDAR_CORRECTED
from live.services.signals import Signals
from live.services.workdays import ZONE, WorkCalendar, local_day
from live.storage import accountability as store
from live.storage import stats as stats_store
from live.storage.accountability import Party
from live.storage.agenda import AgendaItem
from live.storage.categories import list_categories
from live.storage.db import Database
from live.storage.places import Community, all_communities, community_by_slug

log = logging.getLogger(__name__)
GOOD = ("satisfied", "basically_satisfied")
#: how old cached figures may get when nothing said they changed (see the module's docstring)
CACHE_TTL_S = 60.0
STATS_CHANGED = "stats.changed"  # the signal that empties every process's cache
T = TypeVar("T")


def changes_statistics(event: Event) -> bool:
    """Whether a committed event can change the statistics."""
    if isinstance(event, AgendaChanged | OpinionCreated | SessionStatusChanged):
        return True
    return isinstance(event, Generic) and event.name == CALENDAR_CORRECTED


def month_range(month: str) -> tuple[datetime, datetime]:
    """``YYYY-MM`` → [start, end) in UTC, months in Beijing time."""
    try:
        year, mon = (int(x) for x in month.split("-"))
        if not 1970 <= year <= 2100:
            raise ValueError(month)
        start = datetime(year, mon, 1, tzinfo=ZONE)
        end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=ZONE)
    except (ValueError, TypeError) as err:
        raise Invalid("month: YYYY-MM (1970-2100)", code="bad_month") from err
    return start.astimezone(UTC), end.astimezone(UTC)


def month_of(moment: datetime) -> str:
    return moment.astimezone(ZONE).strftime("%Y-%m")


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


@dataclass
class ItemFigures:
    items_opened: int = 0
    items_resolved: int = 0
    response_rate: float | None = None
    resolution_rate: float | None = None
    on_time_rate: float | None = None
    satisfaction_rate: float | None = None
    extension_rate: float | None = None
    overdue: int = 0
    ratings: int = 0
    extensions: int = 0
    median_days_to_resolve: float | None = None


@dataclass
class Figures(ItemFigures):
    broadcasts: int = 0
    viewers_total: int = 0
    average_viewers: float | None = None
    peak_viewers: int = 0
    unique_viewers: int = 0
    watch_minutes: int = 0
    messages: int = 0
    opinions: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Row:
    key: str
    label: str
    figures: ItemFigures | Figures


@dataclass
class Report:
    """The monthly report of a community."""

    community: Community
    month: str
    figures: Figures
    resolved: list[AgendaItem] = field(default_factory=list)
    overdue: list[tuple[AgendaItem, str]] = field(default_factory=list)
    parties: list[Row] = field(default_factory=list)
    categories: list[Row] = field(default_factory=list)


def item_figures(
    counts: stats_store.ItemCounts, cal: WorkCalendar, out: ItemFigures | None = None
) -> ItemFigures:
    """The item rates of a cohort from its counts (counted by the database), as defined above."""
    figures = out or ItemFigures()
    figures.items_opened = counts.opened
    figures.items_resolved = counts.resolved
    figures.response_rate = _rate(counts.responded, counts.due_response)
    figures.resolution_rate = _rate(counts.resolved, counts.counted)
    figures.on_time_rate = _rate(counts.on_time, counts.with_limit)
    figures.ratings = counts.ratings
    figures.satisfaction_rate = _rate(counts.good, counts.ratings)
    figures.extensions = counts.extensions
    figures.extension_rate = _rate(counts.extended, counts.assigned)
    figures.overdue = counts.overdue
    days = [cal.between(local_day(begun), local_day(resolved)) for begun, resolved in counts.spans]
    figures.median_days_to_resolve = float(statistics.median(days)) if days else None
    return figures


#: a cache entry's scope: a community's id, ``None`` for figures of the whole subdistrict (every
#: community's change moves them), ``EVERY_CHANGE_KEEPS`` for what only a full flush empties
Scope = int | str | None
EVERY_CHANGE_KEEPS = "calendar"


class Stats:
    def __init__(
        self, db: Database, clock: Clock, signals: Signals | None = None, ttl_s: float = CACHE_TTL_S
    ) -> None:
        self.db = db
        self.clock = clock
        self.signals = signals or Signals()
        self.ttl_s = ttl_s
        self._cache: dict[Hashable, tuple[float, Any, Scope]] = {}
        self._generation = 0
        self.computed = 0  # figures computed rather than taken from the cache (tests look)
        #: session id → (messages, viewer-microseconds) of broadcasts that ended for good
        self._settled: dict[int, tuple[int, int]] = {}
        self.signals.on(STATS_CHANGED, self._forget)

    async def _forget(self, payload: dict[str, Any]) -> None:
        """Empty the cache: of one community's figures and the subdistrict's when the payload
        names a community (``{"community": id}``), else all of it."""
        self._generation += 1
        community = payload.get("community")
        if not isinstance(community, int) or isinstance(community, bool):
            self._cache.clear()
            return
        for key, (_, _, scope) in list(self._cache.items()):
            if scope is None or scope == community:
                del self._cache[key]

    async def on_event(self, event: Event) -> None:
        """EventBus subscriber: a change that moves the figures empties, in every process, the
        cached figures of its community and of the whole subdistrict (all of them for a
        calendar correction)."""
        if changes_statistics(event):
            community = getattr(event, "community_id", None)
            await self.changed(community if isinstance(community, int) else None)

    async def changed(self, community_id: int | None = None) -> None:
        """The figures of ``community_id`` (of every community when None) may have moved."""
        payload = {} if community_id is None else {"community": community_id}
        try:
            await self.signals.publish(STATS_CHANGED, payload)
        except Exception:  # Redis away: this process is up to date, the others within ttl_s
            log.exception("could not tell the other processes that the statistics changed")
            await self._forget(payload)

    async def _cached(
        self, key: Hashable, scope: Scope, compute: Callable[[], Awaitable[T]], *, counted: bool = True
    ) -> T:
        hit = self._cache.get(key)
        now = self.clock.monotonic()
        if hit is not None and hit[0] > now:
            return hit[1]  # type: ignore[no-any-return]
        generation = self._generation
        value = await compute()
        if counted:
            self.computed += 1
        if generation == self._generation:  # nothing changed while it was counted
            self._cache[key] = (now + self.ttl_s, value, scope)
        return value

    async def _community(self, slug: str | None) -> Community | None:
        if not slug:
            return None

        async def load() -> Community:
            async with self.db.read() as s:
                community = await community_by_slug(s, slug)
            if community is None:
                raise NotFound(f"no community {slug}")
            return community

        return await self._cached(("community", slug), EVERY_CHANGE_KEEPS, load, counted=False)

    async def _calendar(self) -> WorkCalendar:
        """The working-day calendar (with its running totals), emptied with everything else."""

        async def load() -> WorkCalendar:
            async with self.db.read() as s:
                return WorkCalendar(await store.corrections(s))

        return await self._cached(("calendar",), EVERY_CHANGE_KEEPS, load, counted=False)

    async def warm(self) -> None:
        """Count the subdistrict's and every community's figures once (``serve`` does at start,
        in the background): the first count reads every broadcast's messages and viewer samples,
        which are kept for good once it ended, so the first person to open the statistics after
        a restart waits no longer than after any other change."""
        await self.figures()
        await self.table("community")

    async def figures(self, community_slug: str | None = None, month: str | None = None) -> Figures:
        community = await self._community(community_slug)
        if month:
            month_range(month)  # a bad month is refused before the cache is looked at
        return await self._cached(
            ("figures", community.id if community else None, month),
            community.id if community else None,
            lambda: self._figures(community, month),
        )

    async def _figures(self, community: Community | None, month: str | None) -> Figures:
        cal = await self._calendar()
        sessions = await self._sessions()
        now = self.clock.now()
        start = end = None
        if month:
            start, end = month_range(month)
        cid = community.id if community else None
        figures = Figures()
        chosen = [
            x
            for x in sessions
            if (cid is None or x.community_id == cid)
            and (start is None or end is None or start <= x.started_at < end)
        ]
        per_session = await self._session_counts(chosen, now)
        async with self.db.read() as s:
            counts = await stats_store.item_counts(s, now, community_id=cid, start=start, end=end)
            item_figures(counts[None], cal, out=figures)
            if start is not None and end is not None:
                figures.items_resolved = await stats_store.resolved_count(s, cid, start, end)
            figures.unique_viewers = await stats_store.unique_viewers(s, cid, start, end)
            figures.opinions = await stats_store.opinion_count(s, cid, start, end)
        figures.broadcasts = len(chosen)
        figures.viewers_total = sum(x.unique_viewers for x in chosen)
        figures.peak_viewers = max((x.peak_viewers for x in chosen), default=0)
        figures.messages = sum(per_session[x.id][0] for x in chosen)
        figures.watch_minutes = sum(per_session[x.id][1] for x in chosen) // 60_000_000
        figures.average_viewers = (
            round(figures.viewers_total / figures.broadcasts, 1) if figures.broadcasts else None
        )
        return figures

    async def _sessions(self) -> list[stats_store.SessionRow]:
        """The sessions that went live (emptied by any change: a session starting or ending is
        one)."""

        async def load() -> list[stats_store.SessionRow]:
            async with self.db.read() as s:
                return await stats_store.broadcast_sessions(s)

        return await self._cached(("sessions",), None, load, counted=False)

    async def _session_counts(
        self, sessions: list[stats_store.SessionRow], now: datetime
    ) -> dict[int, tuple[int, int]]:
        """(messages, viewer-microseconds watched) of each session. A session ended more than
        ``ttl_s`` ago no longer changes: its counts are kept in ``_settled`` for good, so a
        recount after a change reads only the broadcasts still live or just ended."""
        settled_before = now - timedelta(seconds=self.ttl_s)
        missing = [x.id for x in sessions if x.id not in self._settled]
        fresh: dict[int, tuple[int, int]] = {}
        if missing:
            async with self.db.read() as s:
                fresh = await stats_store.session_counts(s, missing)
        for x in sessions:
            if x.id in fresh and x.status == "ended" and x.ended_at and x.ended_at < settled_before:
                self._settled[x.id] = fresh[x.id]
        return {**fresh, **{x.id: self._settled[x.id] for x in sessions if x.id in self._settled}}

    async def table(
        self, by: str, community_slug: str | None = None, month: str | None = None, lang: str = "zh-CN"
    ) -> list[Row]:
        """One table of figures: ``by`` is ``community``, ``party``, ``category`` or ``month``."""
        if by not in ("community", "party", "category", "month"):
            raise Invalid("by: community, party, category or month", code="bad_table")
        community = await self._community(community_slug)
        if month:
            month_range(month)
        # the subdistrict's communities table is made of each community's own cached figures
        scope = None if by == "community" or community is None else community.id
        return await self._cached(
            ("table", by, community.id if community else None, month, lang),
            scope,
            lambda: self._table_now(by, community, month, lang),
        )

    async def _table_now(
        self, by: str, community: Community | None, month: str | None, lang: str
    ) -> list[Row]:
        now = self.clock.now()
        cid = community.id if community else None
        start = end = None
        if month and by != "month":
            start, end = month_range(month)
        if by == "community":
            async with self.db.read() as s:
                communities = [community] if community is not None else await all_communities(s)
            return [Row(c.slug, c.name, await self.figures(c.slug, month)) for c in communities]
        if by == "month":
            async with self.db.read() as s:
                opened = await stats_store.item_months(s, cid)
            months = sorted({month_of(at) for at in opened} | ({month} if month else set()))
            slug = community.slug if community else None
            return [Row(m, m, await self.figures(slug, m)) for m in months[-24:]]
        cal = await self._calendar()
        async with self.db.read() as s:
            counts = await stats_store.item_counts(s, now, community_id=cid, start=start, end=end, by=by)
            if by == "party":
                names = await store.party_names(s, list(counts))
                return [
                    Row(str(pid), names.get(pid, str(pid)), item_figures(counts[pid], cal))
                    for pid in sorted(counts)
                ]
            cats = {
                c.key: (c.name_en if lang == "en" else c.name_zh)
                for c in await list_categories(s, include_inactive=True)
            }
        return [Row(key, cats.get(key, key), item_figures(counts[key], cal)) for key in sorted(counts)]

    async def report(self, community_slug: str, month: str, lang: str = "zh-CN") -> Report:
        community = await self._community(community_slug)
        assert community is not None
        month_range(month)
        return await self._cached(
            ("report", community.id, month, lang),
            community.id,
            lambda: self._report_now(community, month, lang),
        )

    async def _report_now(self, community: Community, month: str, lang: str) -> Report:
        start, end = month_range(month)
        now = min(self.clock.now(), end)
        figures = await self.figures(community.slug, month)
        async with self.db.read() as s:
            resolved = await stats_store.resolved_items(s, community.id, start, end)
            overdue_items = await stats_store.overdue_items(s, community.id, now, before=end)
            names = await store.party_names(s, [i.party_id for i in overdue_items if i.party_id])
        return Report(
            community=community,
            month=month,
            figures=figures,
            resolved=resolved,
            overdue=[(i, names.get(i.party_id, "—") if i.party_id else "—") for i in overdue_items],
            parties=await self.table("party", community.slug, month, lang),
            categories=await self.table("category", community.slug, month, lang),
        )

    async def party_of(self, party_id: int) -> Party | None:
        async with self.db.read() as s:
            return await store.get_party(s, party_id)


def today_month(clock: Clock) -> str:
    return month_of(clock.now())


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise Invalid("a date YYYY-MM-DD", code="bad_date") from err


ITEM_RATE_KEYS = ("response_rate", "resolution_rate", "on_time_rate", "satisfaction_rate")
