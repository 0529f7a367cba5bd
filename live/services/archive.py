"""The archive: past sessions with their totals, and one session's replay data."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from live.clock import Clock, SystemClock
from live.errors import NotFound
from live.events import Event
from live.storage import archive as queries
from live.storage.chat import Message
from live.storage.db import Database, Tx
from live.storage.opinions import Opinion
from live.storage.places import Community, all_communities, community_by_id, community_by_slug
from live.storage.presence import ViewerSample
from live.storage.rooms import LiveSession, get_session
from media import layout

#: Chat messages a replay page carries at first; the page reads the rest by stretches of the
#: broadcast as it plays (``GET /api/sessions/{id}/messages?from_ms=``).
REPLAY_PAGE = 300
#: How far before the chosen moment the page's first stretch of chat begins.
REPLAY_LEAD_MS = 60_000
TOTALS_TTL_S = 30.0
CHART_WIDTH = 600
CHART_HEIGHT = 160


@dataclass(frozen=True)
class ArchiveEntry:
    session: LiveSession
    community: Community
    messages: int
    opinions: int
    duration_s: float | None
    has_recording: bool


@dataclass(frozen=True)
class ArchivePage:
    entries: list[ArchiveEntry]
    totals: dict[str, int]
    community: Community | None
    communities: list[Community]
    next_after: int | None


@dataclass(frozen=True)
class Chart:
    """A viewer chart in SVG user units: ``points`` is a polyline's ``points`` attribute."""

    width: int
    height: int
    points: str
    max_viewers: int
    duration_s: float
    ticks: list[tuple[float, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Replay:
    session: LiveSession
    community: Community
    messages: list[Message]  # one stretch of the chat: chat_from_ms up to chat_until_ms
    opinions: list[Opinion]
    samples: list[ViewerSample]
    duration_s: float | None
    hls: str | None
    chart: Chart | None
    categories: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: every visible message, of which ``messages`` is the stretch around the chosen moment
    message_total: int = 0
    #: the stretch covers every message at or after this offset (ms) …
    chat_from_ms: int = 0
    #: … and before this one; None: to the end of the chat
    chat_until_ms: int | None = None


def recording_dir(data_dir: Path, session_id: int) -> Path:
    """Where a session's HLS segments and playlist live."""
    return layout.hls_dir(data_dir, session_id)


def directory_bytes(path: Path) -> int:
    """The total size of the files under ``path`` (0 if it does not exist)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += (Path(root) / name).stat().st_size
            except OSError:
                continue
    return total


def session_duration(session: LiveSession) -> float | None:
    """The recording's duration, else how long the session was live."""
    if session.recording_duration_s is not None:
        return float(session.recording_duration_s)
    if session.started_at is not None and session.ended_at is not None:
        return max(0.0, (session.ended_at - session.started_at).total_seconds())
    return None


def clock_label(seconds: float) -> str:
    """``m:ss`` or ``h:mm:ss``."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def viewer_chart(
    samples: list[ViewerSample], started_at: datetime | None, duration_s: float | None
) -> Chart | None:
    """Scale samples into a polyline; x is seconds since the start, y the viewers."""
    if not samples:
        return None
    origin = started_at or samples[0].at
    offsets = [max(0.0, (sample.at - origin).total_seconds()) for sample in samples]
    span = max(duration_s or 0.0, offsets[-1], 1.0)
    top = max(max(sample.viewers for sample in samples), 1)
    points = " ".join(
        f"{offset / span * CHART_WIDTH:.1f},{CHART_HEIGHT - sample.viewers / top * CHART_HEIGHT:.1f}"
        for offset, sample in zip(offsets, samples, strict=True)
    )
    ticks = [(fraction * CHART_WIDTH, clock_label(fraction * span)) for fraction in (0, 0.5, 1)]
    return Chart(CHART_WIDTH, CHART_HEIGHT, points, top, span, ticks)


class Archive:
    def __init__(self, db: Database, data_dir: Path, clock: Clock | None = None) -> None:
        self.db = db
        self.data_dir = data_dir
        self.clock = clock or SystemClock()
        self._totals: dict[int | None, tuple[float, dict[str, int]]] = {}

    def on_event(self, _event: Event) -> None:
        """EventBus subscriber: any change (a session ending, an opinion, an agenda item) may
        change the totals; this process recounts at once, other processes within the TTL."""
        self._totals.clear()

    async def _cached_totals(self, s: Tx, community_id: int | None) -> dict[str, int]:
        """The archive's totals (five years of broadcasts, viewers, opinions, resolved items),
        counted at most every ``TOTALS_TTL_S`` per community rather than on every view."""
        cached = self._totals.get(community_id)
        now = self.clock.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        totals = await queries.archive_totals(s, community_id)
        self._totals[community_id] = (now + TOTALS_TTL_S, totals)
        return totals

    def has_recording(self, session: LiveSession) -> bool:
        if session.recording_duration_s is not None:
            return True
        return layout.playlist_path(self.data_dir, session.id).is_file()

    async def past(
        self, community_slug: str | None = None, limit: int = 20, after: int | None = None
    ) -> ArchivePage:
        """One page of ended sessions (optionally of one community) and the archive's totals."""
        async with self.db.read() as s:
            communities = await all_communities(s)
            community = None
            if community_slug:
                community = await community_by_slug(s, community_slug)
                if community is None:
                    raise NotFound(f"no community {community_slug}")
            community_id = community.id if community else None
            sessions = await queries.ended_sessions(s, community_id, limit + 1, after)
            more = len(sessions) > limit
            sessions = sessions[:limit]
            ids = [session.id for session in sessions]
            messages = await queries.message_counts(s, ids)
            opinions = await queries.opinion_counts(s, ids)
            totals = await self._cached_totals(s, community_id)
        by_id = {c.id: c for c in communities}
        entries = [
            ArchiveEntry(
                session=session,
                community=by_id[session.community_id],
                messages=messages.get(session.id, 0),
                opinions=opinions.get(session.id, 0),
                duration_s=session_duration(session),
                has_recording=self.has_recording(session),
            )
            for session in sessions
        ]
        next_after = sessions[-1].id if more and sessions else None
        return ArchivePage(entries, totals, community, communities, next_after)

    async def replay(self, session_id: int, at_s: float | None = None) -> Replay:
        """An ended session's opinions, viewer samples, recording and the stretch of its chat
        around ``at_s`` (seconds into the broadcast; None: from the start when there is a
        recording to play, else the end of the chat), for its replay page."""
        async with self.db.read() as s:
            session = await get_session(s, session_id)
            if session is None or session.status != "ended":
                raise NotFound("no such past session")
            community = await community_by_id(s, session.community_id)
            if community is None:  # pragma: no cover - foreign key
                raise NotFound("no such community")
            has_recording = self.has_recording(session)
            if at_s is not None:
                from_ms: int | None = max(0, int(at_s * 1000) - REPLAY_LEAD_MS)
            else:
                from_ms = 0 if has_recording else None
            messages = await queries.replay_messages(s, session_id, from_ms=from_ms, limit=REPLAY_PAGE)
            total = (await queries.message_counts(s, [session_id])).get(session_id, 0)
            opinions = await queries.public_opinions(s, session_id)
            samples = await queries.viewer_samples(s, session_id)
            categories = await queries.category_names(s)
        duration = session_duration(session)
        hls = layout.playlist_url(session.id) if has_recording else None
        chart = viewer_chart(samples, session.started_at, duration)
        full = len(messages) == REPLAY_PAGE
        if from_ms is None:  # the last stretch: it reaches the end, and begins where it begins
            chat_from = messages[0].offset_ms if full else 0
            chat_until = None
        else:
            chat_from = from_ms
            chat_until = messages[-1].offset_ms if full else None
        return Replay(
            session,
            community,
            messages,
            opinions,
            samples,
            duration,
            hls,
            chart,
            categories,
            message_total=total,
            chat_from_ms=chat_from,
            chat_until_ms=chat_until,
        )
