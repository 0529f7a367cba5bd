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

The figures are cached (five years of items, ratings and broadcasts are not recounted on every
view): every committed change that can move them — an agenda item created or changed (status,
party, limits, progress, extension, rating), an opinion raised, a broadcast going live or
ending, a calendar correction — empties the cache of every process (``Signals``: Redis pub/sub
when ``REDIS_URL`` is set). What changes without such an event (the chat and viewer counts of a
broadcast still live, an item falling overdue as time passes, a category renamed) is at most
``CACHE_TTL_S`` old."""

from __future__ import annotations

import logging
import statistics
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from live.clock import Clock
from live.errors import Invalid, NotFound
from live.events import AgendaChanged, Event, Generic, OpinionCreated, SessionStatusChanged
from live.services.accountability import CALENDAR_CORRECTED, is_overdue
from live.services.signals import Signals
from live.services.workdays import ZONE, WorkCalendar, local_day
from live.storage import accountability as store
from live.storage import stats as stats_store
from live.storage.accountability import Party, Rating
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
    items: Iterable[AgendaItem],
    ratings: dict[int, list[Rating]],
    now: datetime,
    cal: WorkCalendar,
    *,
    resolved_in: Callable[[AgendaItem], bool] | None = None,
    out: ItemFigures | None = None,
) -> ItemFigures:
    """The item rates of ``items`` (the cohort), as defined above."""
    figures = out or ItemFigures()
    cohort = list(items)
    counted = [i for i in cohort if i.status != "closed"]
    figures.items_opened = len(cohort)
    figures.items_resolved = sum(
        1 for i in cohort if i.status == "resolved" and (resolved_in is None or resolved_in(i))
    )
    due_response = [
        i
        for i in counted
        if i.response_due_at is not None and (i.responded_at is not None or now > i.response_due_at)
    ]
    responded = sum(
        1
        for i in due_response
        if i.responded_at is not None and i.response_due_at and i.responded_at <= i.response_due_at
    )
    figures.response_rate = _rate(responded, len(due_response))
    resolved = [i for i in counted if i.status == "resolved"]
    figures.resolution_rate = _rate(len(resolved), len(counted))
    with_limit = [i for i in resolved if i.resolve_due_at is not None and i.resolved_at is not None]
    figures.on_time_rate = _rate(
        sum(
            1 for i in with_limit if i.resolved_at and i.resolve_due_at and i.resolved_at <= i.resolve_due_at
        ),
        len(with_limit),
    )
    every = [r for i in counted for r in ratings.get(i.id, [])]
    figures.ratings = len(every)
    figures.satisfaction_rate = _rate(sum(1 for r in every if r.rating in GOOD), len(every))
    assigned = [i for i in counted if i.assigned_at is not None]
    figures.extensions = sum(i.extensions for i in assigned)
    figures.extension_rate = _rate(sum(1 for i in assigned if i.extensions), len(assigned))
    figures.overdue = sum(1 for i in counted if is_overdue(i, now))
    days = [
        cal.between(local_day(i.assigned_at or i.created_at), local_day(i.resolved_at))
        for i in resolved
        if i.resolved_at is not None
    ]
    figures.median_days_to_resolve = float(statistics.median(days)) if days else None
    return figures


Loaded = tuple[Community | None, list[AgendaItem], dict[int, list[Rating]], WorkCalendar]


class Stats:
    def __init__(
        self, db: Database, clock: Clock, signals: Signals | None = None, ttl_s: float = CACHE_TTL_S
    ) -> None:
        self.db = db
        self.clock = clock
        self.signals = signals or Signals()
        self.ttl_s = ttl_s
        self._cache: dict[Hashable, tuple[float, Any]] = {}
        self._generation = 0
        self.computed = 0  # figures computed rather than taken from the cache (tests look)
        self.signals.on(STATS_CHANGED, self._forget)

    async def _forget(self, _payload: dict[str, Any]) -> None:
        self._generation += 1
        self._cache.clear()

    async def on_event(self, event: Event) -> None:
        """EventBus subscriber: a change that moves the figures empties every process's cache."""
        if changes_statistics(event):
            await self.changed()

    async def changed(self) -> None:
        try:
            await self.signals.publish(STATS_CHANGED, {})
        except Exception:  # Redis away: this process is up to date, the others within ttl_s
            log.exception("could not tell the other processes that the statistics changed")
            await self._forget({})

    async def _cached(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        hit = self._cache.get(key)
        now = self.clock.monotonic()
        if hit is not None and hit[0] > now:
            return hit[1]  # type: ignore[no-any-return]
        generation = self._generation
        value = await compute()
        if key[0] != "load":  # type: ignore[index]
            self.computed += 1
        if generation == self._generation:  # nothing changed while it was counted
            self._cache[key] = (now + self.ttl_s, value)
        return value

    async def _load(self, community_slug: str | None) -> Loaded:
        return await self._cached(("load", community_slug), lambda: self._load_now(community_slug))

    async def _load_now(self, community_slug: str | None) -> Loaded:
        async with self.db.read() as s:
            community = None
            if community_slug:
                community = await community_by_slug(s, community_slug)
                if community is None:
                    raise NotFound(f"no community {community_slug}")
            items = await store.all_items(s, community.id if community else None)
            ratings: dict[int, list[Rating]] = defaultdict(list)
            for r in await store.all_ratings(s, [i.id for i in items]):
                ratings[r.item_id].append(r)
            cal = WorkCalendar(await store.corrections(s))
        return community, items, ratings, cal

    async def figures(self, community_slug: str | None = None, month: str | None = None) -> Figures:
        return await self._cached(
            ("figures", community_slug, month), lambda: self._figures_now(community_slug, month)
        )

    async def _figures_now(self, community_slug: str | None, month: str | None) -> Figures:
        community, items, ratings, cal = await self._load(community_slug)
        return await self._figures(community, items, ratings, cal, month)

    async def _figures(
        self,
        community: Community | None,
        items: list[AgendaItem],
        ratings: dict[int, list[Rating]],
        cal: WorkCalendar,
        month: str | None,
    ) -> Figures:
        now = self.clock.now()
        start = end = None
        if month:
            start, end = month_range(month)
        cohort = [i for i in items if start is None or (start <= i.created_at < end)]  # type: ignore[operator]
        figures = Figures()
        item_figures(cohort, ratings, now, cal, out=figures)
        if start is not None:
            assert end is not None
            figures.items_resolved = sum(
                1
                for i in items
                if i.status == "resolved" and i.resolved_at is not None and start <= i.resolved_at < end
            )
        async with self.db.read() as s:
            b = await stats_store.broadcasts(s, community.id if community else None, start, end)
        figures.broadcasts, figures.viewers_total, figures.peak_viewers = (
            b.broadcasts,
            b.viewers_total,
            b.peak_viewers,
        )
        figures.unique_viewers, figures.watch_minutes = b.unique_viewers, b.watch_minutes
        figures.messages, figures.opinions = b.messages, b.opinions
        figures.average_viewers = round(b.viewers_total / b.broadcasts, 1) if b.broadcasts else None
        return figures

    async def table(
        self, by: str, community_slug: str | None = None, month: str | None = None, lang: str = "zh-CN"
    ) -> list[Row]:
        """One table of figures: ``by`` is ``community``, ``party``, ``category`` or ``month``."""
        if by not in ("community", "party", "category", "month"):
            raise Invalid("by: community, party, category or month", code="bad_table")
        return await self._cached(
            ("table", by, community_slug, month, lang),
            lambda: self._table_now(by, community_slug, month, lang),
        )

    async def _table_now(
        self, by: str, community_slug: str | None, month: str | None, lang: str
    ) -> list[Row]:
        community, items, ratings, cal = await self._load(community_slug)
        now = self.clock.now()
        if month and by != "month":
            start, end = month_range(month)
            items_in = [i for i in items if start <= i.created_at < end]
        else:
            items_in = items
        async with self.db.read() as s:
            if by == "community":
                communities = await all_communities(s)
                if community is not None:
                    communities = [community]
                rows = []
                for c in communities:
                    mine = [i for i in items if i.community_id == c.id]
                    rows.append(Row(c.slug, c.name, await self._figures(c, mine, ratings, cal, month)))
                return rows
            if by == "party":
                groups: dict[int, list[AgendaItem]] = defaultdict(list)
                for i in items_in:
                    if i.party_id is not None:
                        groups[i.party_id].append(i)
                names = await store.party_names(s, list(groups))
                return [
                    Row(str(pid), names.get(pid, str(pid)), item_figures(group, ratings, now, cal))
                    for pid, group in sorted(groups.items())
                ]
            if by == "category":
                cats = {
                    c.key: (c.name_en if lang == "en" else c.name_zh)
                    for c in await list_categories(s, include_inactive=True)
                }
                by_cat: dict[str, list[AgendaItem]] = defaultdict(list)
                for i in items_in:
                    by_cat[i.category].append(i)
                return [
                    Row(key, cats.get(key, key), item_figures(group, ratings, now, cal))
                    for key, group in sorted(by_cat.items())
                ]
        months = sorted({month_of(i.created_at) for i in items} | ({month} if month else set()))
        rows = []
        for m in months[-24:]:
            rows.append(Row(m, m, await self._figures(community, items, ratings, cal, m)))
        return rows

    async def report(self, community_slug: str, month: str, lang: str = "zh-CN") -> Report:
        return await self._cached(
            ("report", community_slug, month, lang), lambda: self._report_now(community_slug, month, lang)
        )

    async def _report_now(self, community_slug: str, month: str, lang: str) -> Report:
        community, items, ratings, cal = await self._load(community_slug)
        assert community is not None
        start, end = month_range(month)
        now = min(self.clock.now(), end)
        figures = await self._figures(community, items, ratings, cal, month)
        resolved = [
            i
            for i in items
            if i.status == "resolved" and i.resolved_at is not None and start <= i.resolved_at < end
        ]
        overdue_items = [i for i in items if is_overdue(i, now) and i.created_at < end]
        async with self.db.read() as s:
            names = await store.party_names(s, [i.party_id for i in overdue_items if i.party_id])
        return Report(
            community=community,
            month=month,
            figures=figures,
            resolved=resolved,
            overdue=[(i, names.get(i.party_id, "—") if i.party_id else "—") for i in overdue_items],
            parties=await self.table("party", community_slug, month, lang),
            categories=await self.table("category", community_slug, month, lang),
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
