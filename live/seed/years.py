"""Years of a subdistrict, in bulk: ``python -m live demo --years 5``.

On top of the regular demo (communities, staff accounts), adds what a subdistrict of ten
communities builds up: broadcasts (about twenty a year per community) with viewer samples,
unique viewers and chat; residents' accounts; opinions (generated Chinese, a fifth of them
rewording an earlier one) with their supporters, triaged (new, accepted, merged, rejected) and
indexed for similar-opinion suggestions; agenda items in every state with their timelines and
source opinions; deliberation meetings with the items they discussed; responsible parties with
the items assigned to them (limits in working days, answered, resolved — some late, some
extended) and residents' satisfaction ratings of the resolved ones.

Rows are written with multi-row inserts in large batches and explicit ids (PostgreSQL
sequences are moved past them at the end), so five years take minutes, not hours. Sizes are
parameters; the defaults are what the performance figures in docs/performance.md use."""

from __future__ import annotations

import logging
import random
import secrets
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from live.clock import Clock
from live.seed.corpus import TOPICS
from live.seed.corpus import opinions as generate_opinions
from live.services.accountability import DEFAULT_RESOLVE_DAYS, DEFAULT_RESPONSE_DAYS
from live.services.demo import seed_demo
from live.services.passwords import hash_password
from live.services.workdays import WorkCalendar
from live.storage.accountability import Assignment, Extension, Party, Progress, Rating
from live.storage.accounts import User
from live.storage.agenda import AgendaEvent, AgendaItem, AgendaOpinion
from live.storage.base import Base
from live.storage.chat import Message
from live.storage.db import Database
from live.storage.meetings import MEETING_FORMATS, Meeting, MeetingItem
from live.storage.opinions import Opinion, OpinionSupport
from live.storage.places import Community, Compound
from live.storage.presence import SessionViewer, ViewerSample
from live.storage.rooms import LiveSession
from live.storage.similar_index import INDEXED, index_many

log = logging.getLogger(__name__)
MARK = "years-"  # stream keys of seeded sessions start with it (idempotence)
BATCH = 5000
FLOW = ("proposed", "scheduled", "deliberating", "decided", "in_progress", "resolved")
STATE_SHARE = (
    ("resolved", 0.40),
    ("closed", 0.08),
    ("in_progress", 0.14),
    ("decided", 0.10),
    ("deliberating", 0.10),
    ("scheduled", 0.09),
    ("proposed", 0.09),
)
CHAT_LINES = (
    "书记好！",
    "今天说说停车的事吧",
    "我们楼道灯坏了",
    "支持加装电梯",
    "垃圾桶能不能多放几个",
    "谢谢社区",
    "物业什么时候来修门禁",
    "+1",
    "晚上消防通道又堵了",
    "听得很清楚",
)
MORE_CHAT = (
    "这个问题我们楼也有",
    "书记说得对",
    "什么时候能解决？",
    "上次说的事有进展吗",
    "支持！",
    "我家老人也这么说",
    "物业的人来了吗",
    "声音有点小",
    "画面卡了一下",
    "已经反映好几次了",
    "希望早点落实",
    "谢谢书记",
    "我们单元也要装",
    "能不能在群里通知一下",
    "周末有人值班吗",
    "👍",
)
RESPONSIBLE = ("物业公司", "社区居委会", "业主委员会", "区城管局", "街道办", "供电所", "自来水公司")
#: (name, kind, of the subdistrict rather than of one community)
PARTIES = (
    ("物业服务中心", "property", False),
    ("业主委员会", "owners_committee", False),
    ("社区居委会", "committee", False),
    ("区城管局", "department", True),
    ("街道城建办", "department", True),
    ("供电所", "other", True),
    ("自来水公司", "other", True),
)
#: satisfied, basically satisfied, unsatisfied (cumulative shares of one rating)
RATING_SHARE = (("satisfied", 0.58), ("basically_satisfied", 0.85), ("unsatisfied", 1.0))
#: an agenda item's accountability columns before it is assigned (multi-row inserts need every
#: row to name the same columns)
NOT_ASSIGNED: dict[str, Any] = {
    "party_id": None,
    "assigned_at": None,
    "response_days": None,
    "resolve_days": None,
    "response_due_at": None,
    "resolve_due_at": None,
    "responded_at": None,
    "resolved_at": None,
    "extensions": 0,
    "rating_round": 0,
}


@dataclass(frozen=True)
class Size:
    years: int = 5
    sessions_per_year: int = 20  # per community
    messages: int = 300_000
    opinions: int = 50_000
    agenda_items: int = 5_000
    meetings_per_year: int = 12  # per community
    residents: int = 20_000


@dataclass
class Report:
    sessions: int = 0
    messages: int = 0
    viewer_samples: int = 0
    viewers: int = 0
    opinions: int = 0
    supports: int = 0
    postings: int = 0
    agenda_items: int = 0
    agenda_events: int = 0
    parties: int = 0
    assigned: int = 0
    ratings: int = 0
    meetings: int = 0
    residents: int = 0
    seconds: float = 0.0
    already: bool = False


class _Ids:
    """Explicit ids after the current maximum of each table."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    async def load(self, s: AsyncSession, *models: type[Base]) -> None:
        for model in models:
            table = model.__table__
            current = await s.scalar(select(func.coalesce(func.max(table.c.id), 0)))
            self.next[model.__tablename__] = int(current or 0) + 1

    def take(self, model: type[Base]) -> int:
        name = model.__tablename__
        value = self.next[name]
        self.next[name] = value + 1
        return value


async def _bulk(s: AsyncSession, model: type[Base], rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        await s.execute(insert(model), rows[start : start + BATCH])
    rows.clear()


def _chunks(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


async def seed_years(db: Database, clock: Clock, size: Size | None = None, seed: int = 14) -> Report:
    """Seed ``size.years`` of history (after the regular demo); idempotent."""
    size = size or Size()
    started = time.monotonic()
    report = Report()
    rng = random.Random(seed)
    await seed_demo(db, clock)
    now = clock.now()
    async with db.transaction() as s:
        if await s.scalar(select(LiveSession.id).where(LiveSession.stream_key.startswith(MARK)).limit(1)):
            report.already = True
            return report
        communities = list((await s.execute(select(Community).order_by(Community.id))).scalars())
        compounds: dict[int, list[str]] = {}
        for community_id, name in (await s.execute(select(Compound.community_id, Compound.name))).all():
            compounds.setdefault(community_id, []).append(name)
        hosts = {
            c: (u, n)
            for c, u, n in (
                await s.execute(
                    select(User.community_id, User.id, User.display_name).where(User.role == "host")
                )
            ).all()
        }
        ids = _Ids()
        await ids.load(
            s,
            User,
            LiveSession,
            Message,
            ViewerSample,
            SessionViewer,
            Opinion,
            OpinionSupport,
            AgendaItem,
            AgendaEvent,
            AgendaOpinion,
            Meeting,
            MeetingItem,
            Party,
            Assignment,
            Progress,
            Extension,
            Rating,
        )
        residents = await _residents(s, ids, size, communities, now, report)
        sessions = await _sessions(s, ids, rng, size, communities, hosts, now, report)
        await _viewers_and_chat(s, ids, rng, size, sessions, residents, report)
        opinions = await _opinions(
            s, ids, rng, size, communities, compounds, sessions, residents, now, report
        )
        meetings = await _meetings(s, ids, rng, size, communities, hosts, now, report)
        parties = await _parties(s, ids, communities, now - timedelta(days=365 * size.years), report)
        await _agenda(
            s, ids, rng, size, communities, hosts, opinions, meetings, parties, residents, now, report
        )
        await s.run_sync(lambda sync: _index(sync, opinions, report))
        if s.get_bind().dialect.name == "postgresql":
            for table in ids.next:
                await s.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    if db.engine.dialect.name == "postgresql":
        async with db.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
    report.seconds = round(time.monotonic() - started, 1)
    return report


async def _residents(
    s: AsyncSession, ids: _Ids, size: Size, communities: list[Community], now: datetime, report: Report
) -> dict[int, list[str]]:
    """Resident accounts (one shared demo password hash) and guests, per community: person keys."""
    password = hash_password("roundtable")
    rows: list[dict[str, Any]] = []
    people: dict[int, list[str]] = {c.id: [] for c in communities}
    for n in range(size.residents):
        community = communities[n % len(communities)]
        user_id = ids.take(User)
        rows.append(
            {
                "id": user_id,
                "username": f"resident-{community.slug}-{n}",
                "display_name": f"居民{n % 9000 + 1}",
                "role": "resident",
                "community_id": None,
                "password_hash": password,
                "created_at": now - timedelta(days=(n * 7) % (365 * size.years)),
                "disabled": False,
            }
        )
        people[community.id].append(f"u:{user_id}")
    for community in communities:  # as many guests again
        people[community.id].extend(
            f"g:y{community.id}-{n}" for n in range(size.residents // len(communities))
        )
    report.residents = len(rows)
    await _bulk(s, User, rows)
    return people


@dataclass
class _Session:
    id: int
    community_id: int
    started: datetime
    minutes: int
    peak: int
    unique: int


async def _sessions(
    s: AsyncSession,
    ids: _Ids,
    rng: random.Random,
    size: Size,
    communities: list[Community],
    hosts: dict[int | None, tuple[int, str]],
    now: datetime,
    report: Report,
) -> list[_Session]:
    rows: list[dict[str, Any]] = []
    out: list[_Session] = []
    weeks = 52 * size.years
    per = size.sessions_per_year * size.years
    for community in communities:
        host_id = hosts.get(community.id, (None, ""))[0]
        for n in range(per):
            week = weeks - int((n + 0.5) * weeks / per)  # spread over the years, oldest first
            started = (now - timedelta(weeks=week, days=rng.randint(0, 4))).replace(
                hour=rng.choice((10, 14, 19)), minute=30, second=0, microsecond=0
            )
            minutes = rng.randint(40, 90)
            peak = rng.randint(30, 220)
            unique = peak + rng.randint(10, 120)
            session_id = ids.take(LiveSession)
            topic = TOPICS[rng.randrange(len(TOPICS))]
            rows.append(
                {
                    "id": session_id,
                    "community_id": community.id,
                    "host_id": host_id,
                    "title": f"{community.name}第{n + 1}期直播间：{topic[2][0]}的事",
                    "description": "每周社区直播间，欢迎在聊天区留言。",
                    "status": "ended",
                    "stream_key": MARK + secrets.token_urlsafe(18),
                    "scheduled_at": started,
                    "started_at": started,
                    "ended_at": started + timedelta(minutes=minutes),
                    "created_at": started - timedelta(days=3),
                    "chat_open": True,
                    "slow_mode_s": 0,
                    "peak_viewers": peak,
                    "unique_viewers": unique,
                }
            )
            out.append(_Session(session_id, community.id, started, minutes, peak, unique))
    report.sessions = len(rows)
    await _bulk(s, LiveSession, rows)
    return out


async def _viewers_and_chat(
    s: AsyncSession,
    ids: _Ids,
    rng: random.Random,
    size: Size,
    sessions: list[_Session],
    people: dict[int, list[str]],
    report: Report,
) -> None:
    samples: list[dict[str, Any]] = []
    viewers: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    lines = (*CHAT_LINES, *MORE_CHAT)
    counts = _chunks(size.messages, len(sessions)) if sessions else []
    for session, count in zip(sessions, counts, strict=True):
        for step in range(0, session.minutes * 60, 30):  # a sample every 30 s
            ramp = min(1.0, (step / 60 + 3) / 15)
            samples.append(
                {
                    "id": ids.take(ViewerSample),
                    "session_id": session.id,
                    "at": session.started + timedelta(seconds=step),
                    "viewers": int(session.peak * ramp * rng.uniform(0.8, 1.0)),
                }
            )
        crowd = rng.sample(
            people[session.community_id], min(session.unique, len(people[session.community_id]))
        )
        for n, key in enumerate(crowd):
            viewers.append(
                {
                    "id": ids.take(SessionViewer),
                    "session_id": session.id,
                    "person_key": key,
                    "first_seen": session.started + timedelta(seconds=n * 7 % (session.minutes * 60)),
                }
            )
        length_ms = session.minutes * 60_000
        for n in range(count):
            offset = int((n + rng.random()) * length_ms / max(1, count))
            author = crowd[rng.randrange(len(crowd))] if crowd else "g:someone"
            roll = rng.random()
            messages.append(
                {
                    "id": ids.take(Message),
                    "session_id": session.id,
                    "community_id": session.community_id,
                    "author_key": author,
                    "author_name": f"居民{zlib.crc32(author.encode()) % 900 + 100}",
                    "author_role": "resident" if author.startswith("u:") else "guest",
                    "text": rng.choice(lines),
                    "nonce": None,
                    "created_at": session.started + timedelta(milliseconds=offset),
                    "offset_ms": offset,
                    "status": "visible" if roll > 0.02 else ("hidden" if roll > 0.005 else "held"),
                    "address": None,
                }
            )
        if len(messages) >= BATCH * 4:
            report.messages += len(messages)
            await _bulk(s, Message, messages)
        if len(samples) >= BATCH * 4:
            report.viewer_samples += len(samples)
            await _bulk(s, ViewerSample, samples)
        if len(viewers) >= BATCH * 4:
            report.viewers += len(viewers)
            await _bulk(s, SessionViewer, viewers)
    report.messages += len(messages)
    report.viewer_samples += len(samples)
    report.viewers += len(viewers)
    await _bulk(s, Message, messages)
    await _bulk(s, ViewerSample, samples)
    await _bulk(s, SessionViewer, viewers)


@dataclass
class _Opinion:
    id: int
    community_id: int
    text: str
    status: str
    created_at: datetime


async def _opinions(
    s: AsyncSession,
    ids: _Ids,
    rng: random.Random,
    size: Size,
    communities: list[Community],
    compounds: dict[int, list[str]],
    sessions: list[_Session],
    people: dict[int, list[str]],
    now: datetime,
    report: Report,
) -> list[_Opinion]:
    rows: list[dict[str, Any]] = []
    supports: list[dict[str, Any]] = []
    out: list[_Opinion] = []
    span = timedelta(days=365 * size.years)
    by_community: dict[int, list[_Session]] = {}
    for one in sessions:
        by_community.setdefault(one.community_id, []).append(one)
    per = _chunks(size.opinions, len(communities))
    for community, count in zip(communities, per, strict=True):
        first_of: dict[int, int] = {}  # cluster → the opinion a rewording can be merged into
        crowd = people[community.id]
        own_sessions = by_community.get(community.id, [])
        for n, generated in enumerate(generate_opinions(count, rng)):
            opinion_id = ids.take(Opinion)
            created = now - span + span * (n + rng.random()) / max(1, count)
            age_days = (now - created).days
            roll = rng.random()
            status = (
                "new"
                if age_days < 60 and roll < 0.7
                else (
                    "accepted"
                    if roll < 0.55
                    else "rejected"
                    if roll < 0.75
                    else "new"
                    if roll < 0.85
                    else "merged"
                )
            )
            merged_into = first_of.get(generated.cluster) if status == "merged" else None
            if status == "merged" and merged_into is None:
                status = "accepted"
            first_of.setdefault(generated.cluster, opinion_id)
            session = None
            source = rng.choice(("web", "watch_form", "live_chat", "door_visit", "meeting", "web"))
            if source in ("live_chat", "watch_form") and own_sessions:
                session = min(own_sessions, key=lambda x: abs((x.started - created).total_seconds()))
                created = session.started + timedelta(minutes=rng.randint(1, session.minutes - 1))
            author = crowd[rng.randrange(len(crowd))]
            supporters = 1 + min(60, int(rng.expovariate(0.4)))
            places = compounds.get(community.id) or ["小区"]
            rows.append(
                {
                    "id": opinion_id,
                    "community_id": community.id,
                    "text": generated.text,
                    "category": generated.category,
                    "location": f"{rng.choice(places)}{rng.randint(1, 12)}号楼",
                    "compound_id": None,
                    "source": source,
                    "session_id": session.id if session else None,
                    "offset_ms": int((created - session.started).total_seconds() * 1000) if session else None,
                    "message_id": None,
                    "author_key": author,
                    "author_name": f"居民{n % 900 + 1}",
                    "contact": None,
                    "status": status,
                    "merged_into_id": merged_into,
                    "reject_reason": rng.choice(("duplicate", "off_topic", "not_actionable", "resolved"))
                    if status == "rejected"
                    else None,
                    "reject_note": None,
                    "supporters": supporters,
                    "public": True,
                    "created_at": created,
                }
            )
            backers = {author}
            while len(backers) < supporters:
                backers.add(crowd[rng.randrange(len(crowd))])
            for key in sorted(backers):
                supports.append(
                    {
                        "id": ids.take(OpinionSupport),
                        "opinion_id": opinion_id,
                        "person_key": key,
                        "created_at": created + timedelta(hours=rng.randint(0, 72)),
                    }
                )
            out.append(_Opinion(opinion_id, community.id, generated.text, status, created))
            if len(rows) >= BATCH * 2:
                await _flush_opinions(s, rows, supports, report)
    await _flush_opinions(s, rows, supports, report)
    return out


async def _flush_opinions(
    s: AsyncSession, rows: list[dict[str, Any]], supports: list[dict[str, Any]], report: Report
) -> None:
    report.opinions += len(rows)
    report.supports += len(supports)
    # merged_into points backwards only, so a batch in id order satisfies its foreign key
    await _bulk(s, Opinion, rows)
    await _bulk(s, OpinionSupport, supports)


def _index(sync: Session, opinions: list[_Opinion], report: Report) -> None:
    report.postings = index_many(
        sync.connection(), ((o.id, o.community_id, o.text) for o in opinions if o.status in INDEXED)
    )


async def _meetings(
    s: AsyncSession,
    ids: _Ids,
    rng: random.Random,
    size: Size,
    communities: list[Community],
    hosts: dict[int | None, tuple[int, str]],
    now: datetime,
    report: Report,
) -> dict[int, list[tuple[int, datetime]]]:
    rows: list[dict[str, Any]] = []
    out: dict[int, list[tuple[int, datetime]]] = {}
    per = size.meetings_per_year * size.years
    for community in communities:
        host_id = hosts.get(community.id, (0, ""))[0]
        for n in range(per):
            starts = (
                now - timedelta(days=365 * size.years) + timedelta(days=(n + 0.5) * 365 * size.years / per)
            )
            meeting_id = ids.take(Meeting)
            fmt = MEETING_FORMATS[rng.randrange(len(MEETING_FORMATS))]
            rows.append(
                {
                    "id": meeting_id,
                    "community_id": community.id,
                    "format": fmt,
                    "title": f"{community.name}第{n + 1}次议事会",
                    "starts_at": starts,
                    "place": "社区党群服务中心二楼会议室",
                    "attendance": rng.randint(8, 40) if starts < now else None,
                    "minutes": "居民代表、物业、业委会共同商议。" if starts < now else "",
                    "created_by": f"u:{host_id}",
                    "created_at": starts - timedelta(days=7),
                }
            )
            out.setdefault(community.id, []).append((meeting_id, starts))
    report.meetings = len(rows)
    await _bulk(s, Meeting, rows)
    return out


async def _parties(
    s: AsyncSession, ids: _Ids, communities: list[Community], since: datetime, report: Report
) -> dict[int, list[tuple[int, str]]]:
    """Each community's own parties and the subdistrict's: (id, name) the community may assign."""
    rows: list[dict[str, Any]] = []
    shared: list[tuple[int, str]] = []
    for name, kind, of_subdistrict in PARTIES:
        if of_subdistrict:
            shared.append((ids.take(Party), name))
            rows.append({"id": shared[-1][0], "community_id": None, "name": name, "kind": kind})
    out: dict[int, list[tuple[int, str]]] = {}
    for community in communities:
        own = out.setdefault(community.id, [])
        for name, kind, of_subdistrict in PARTIES:
            if not of_subdistrict:
                own.append((ids.take(Party), f"{community.name}{name}"))
                rows.append(
                    {"id": own[-1][0], "community_id": community.id, "name": own[-1][1], "kind": kind}
                )
        own.extend(shared)
    for row in rows:
        row.update(contact=None, created_at=since)
    report.parties = len(rows)
    await _bulk(s, Party, rows)
    return out


def _pick_state(rng: random.Random, age_days: int) -> str:
    if age_days < 30:
        return rng.choice(("proposed", "scheduled", "deliberating"))
    roll, acc = rng.random(), 0.0
    for state, share in STATE_SHARE:
        acc += share
        if roll < acc:
            return state
    return "resolved"


async def _agenda(
    s: AsyncSession,
    ids: _Ids,
    rng: random.Random,
    size: Size,
    communities: list[Community],
    hosts: dict[int | None, tuple[int, str]],
    opinions: list[_Opinion],
    meetings: dict[int, list[tuple[int, datetime]]],
    parties: dict[int, list[tuple[int, str]]],
    people: dict[int, list[str]],
    now: datetime,
    report: Report,
) -> None:
    items: list[dict[str, Any]] = []
    accountable = _Accountable(WorkCalendar(), now)
    events: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    discussed: list[dict[str, Any]] = []
    accepted: dict[int, list[_Opinion]] = {}
    for o in opinions:
        if o.status == "accepted":
            accepted.setdefault(o.community_id, []).append(o)
    span = timedelta(days=365 * size.years)
    per = _chunks(size.agenda_items, len(communities))
    for community, count in zip(communities, per, strict=True):
        host = hosts.get(community.id, (0, "书记"))
        pool = accepted.get(community.id, [])
        own_meetings = meetings.get(community.id, [])
        for n in range(count):
            created = now - span + span * (n + rng.random()) / max(1, count)
            state = _pick_state(rng, (now - created).days)
            sources = rng.sample(pool, min(len(pool), rng.randint(1, 4))) if pool else []
            title = sources[0].text[:30].rstrip("，。") if sources else f"社区议题{n + 1}"
            meeting = next(((m, at) for m, at in own_meetings if at > created), None)
            uses_meeting = meeting is not None and state not in ("proposed",) and meeting[1] < now
            item_id = ids.take(AgendaItem)
            path = ["proposed", "closed"] if state == "closed" else list(FLOW[: FLOW.index(state) + 1])
            at = created
            previous: str | None = None
            reached: dict[str, datetime] = {}
            for step in path:
                reached[step] = at
                events.append(
                    {
                        "id": ids.take(AgendaEvent),
                        "item_id": item_id,
                        "at": at,
                        "actor": host[1] or "书记",
                        "from_status": previous,
                        "to_status": step,
                        "note": "由居民意见生成"
                        if previous is None
                        else ("重复议题，已合并处理" if step == "closed" else ""),
                    }
                )
                previous = step
                at = min(now, at + timedelta(days=rng.randint(2, 30)))
            due: date | None = (
                (created + timedelta(days=90)).date() if state in ("decided", "in_progress") else None
            )
            item: dict[str, Any] = {
                "id": item_id,
                "community_id": community.id,
                "title": title,
                "summary": "；".join(o.text for o in sources)[:500] or "居民反映的问题",
                "category": "other",
                "location": None,
                "status": state,
                "responsible": rng.choice(RESPONSIBLE) if state in FLOW and FLOW.index(state) >= 3 else None,
                "due_date": due,
                "outcome": "已办结，居民满意。" if state == "resolved" else None,
                "meeting_id": meeting[0] if uses_meeting and meeting else None,
                "created_by": f"u:{host[0]}",
                "created_at": created,
                "updated_at": at,
                **NOT_ASSIGNED,
            }
            items.append(item)
            if "decided" in reached:
                accountable.assign(
                    rng, ids, item, reached, parties[community.id], people[community.id], host[1] or "书记"
                )
            for o in sources:
                links.append({"id": ids.take(AgendaOpinion), "item_id": item_id, "opinion_id": o.id})
            if uses_meeting and meeting:
                discussed.append(
                    {
                        "id": ids.take(MeetingItem),
                        "meeting_id": meeting[0],
                        "item_id": item_id,
                        "decision": "同意推进" if state in FLOW and FLOW.index(state) >= 3 else "",
                    }
                )
    report.agenda_items = len(items)
    report.agenda_events = len(events) + len(accountable.events)
    report.assigned = len(accountable.assignments)
    report.ratings = len(accountable.ratings)
    await _bulk(s, AgendaItem, items)
    await _bulk(s, AgendaEvent, events)
    await _bulk(s, AgendaEvent, accountable.events)
    await _bulk(s, AgendaOpinion, links)
    await _bulk(s, MeetingItem, discussed)
    await _bulk(s, Assignment, accountable.assignments)
    await _bulk(s, Progress, accountable.progress)
    await _bulk(s, Extension, accountable.extensions)
    await _bulk(s, Rating, accountable.ratings)


class _Accountable:
    """The accountability rows of decided items: the lead party, its limits (working days from
    the decision), the first answer, an extension now and then, resolution, ratings."""

    def __init__(self, cal: WorkCalendar, now: datetime) -> None:
        self.cal = cal
        self.now = now
        self.assignments: list[dict[str, Any]] = []
        self.progress: list[dict[str, Any]] = []
        self.extensions: list[dict[str, Any]] = []
        self.ratings: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    def assign(
        self,
        rng: random.Random,
        ids: _Ids,
        item: dict[str, Any],
        reached: dict[str, datetime],
        parties: list[tuple[int, str]],
        crowd: list[str],
        actor: str,
    ) -> None:
        item_id, now, cal = item["id"], self.now, self.cal
        party_id, party = parties[rng.randrange(len(parties))]
        assigned = reached["decided"]
        response_due = cal.deadline(assigned, DEFAULT_RESPONSE_DAYS)
        resolve_due = cal.deadline(assigned, DEFAULT_RESOLVE_DAYS)
        item.update(
            party_id=party_id,
            responsible=party,
            assigned_at=assigned,
            response_days=DEFAULT_RESPONSE_DAYS,
            resolve_days=DEFAULT_RESOLVE_DAYS,
            response_due_at=response_due,
            resolve_due_at=resolve_due,
        )
        self.assignments.append(
            {
                "id": ids.take(Assignment),
                "item_id": item_id,
                "party_id": party_id,
                "role": "lead",
                "assigned_at": assigned,
                "assigned_by": "u:0",
                "ended_at": None,
                "done_at": reached.get("resolved"),
            }
        )
        self._event(ids, item_id, assigned, actor, "assigned", {
            "party": party, "party_id": party_id, "supporting": [],
            "response_due_at": response_due.isoformat(), "resolve_due_at": resolve_due.isoformat(),
            "response_days": DEFAULT_RESPONSE_DAYS, "resolve_days": DEFAULT_RESOLVE_DAYS,
        })  # fmt: skip
        answered = None
        if "in_progress" in reached or rng.random() < 0.5:  # most answer within the limit
            late = rng.random() < 0.12
            answered = min(now, (response_due + timedelta(days=rng.randint(1, 5))) if late else (
                assigned + (response_due - assigned) * rng.uniform(0.05, 0.95)
            ))  # fmt: skip
            if answered <= now:
                item["responded_at"] = answered
                self.progress.append(
                    {
                        "id": ids.take(Progress),
                        "item_id": item_id,
                        "party_id": party_id,
                        "actor_key": f"party:{party_id}",
                        "actor_name": party,
                        "note": "已受理，正在安排人员处理。",
                        "photos": [],
                        "at": answered,
                    }
                )
                self._event(ids, item_id, answered, party, "progress", {"party": party})
        if rng.random() < 0.1:  # pushed back once, with a reason
            extended = cal.extend(resolve_due, 10)
            self.extensions.append(
                {
                    "id": ids.take(Extension),
                    "item_id": item_id,
                    "which": "resolve",
                    "days": 10,
                    "reason": "需要协调施工单位，材料到货后施工。",
                    "previous_due_at": resolve_due,
                    "due_at": extended,
                    "actor": actor,
                    "at": assigned + timedelta(days=3),
                }
            )
            self._event(ids, item_id, assigned + timedelta(days=3), actor, "extended", {
                "which": "resolve", "due_at": extended.isoformat(), "previous": resolve_due.isoformat(),
                "days": 10,
            })  # fmt: skip
            item.update(resolve_due_at=extended, extensions=1)
        resolved = reached.get("resolved")
        if resolved is None:
            return
        item["resolved_at"] = resolved
        if item["responded_at"] is None:
            item["responded_at"] = min(resolved, response_due)
        raters = rng.sample(crowd, min(len(crowd), rng.choice((0, 1, 2, 3, 3, 4, 5, 6, 8))))
        for key in sorted(raters):
            roll = rng.random()
            rating = next(r for r, share in RATING_SHARE if roll < share)
            at = min(now, resolved + timedelta(hours=rng.randint(1, 24 * 13)))
            self.ratings.append(
                {
                    "id": ids.take(Rating),
                    "item_id": item_id,
                    "round": 0,
                    "person_key": key,
                    "household_id": None,
                    "rating": rating,
                    "comment": "" if rating != "unsatisfied" else "处理得不彻底，还会反复。",
                    "created_at": at,
                    "updated_at": at,
                }
            )

    def _event(
        self, ids: _Ids, item_id: int, at: datetime, actor: str, kind: str, params: dict[str, Any]
    ) -> None:
        self.events.append(
            {
                "id": ids.take(AgendaEvent),
                "item_id": item_id,
                "at": at,
                "actor": actor,
                "from_status": None,
                "to_status": None,
                "note": "已受理，正在安排人员处理。"
                if kind == "progress"
                else ("需要协调施工单位，材料到货后施工。" if kind == "extended" else ""),
                "kind": kind,
                "params": params,
            }
        )


def describe(report: Report) -> Iterator[str]:
    if report.already:
        yield "five-year history already present"
        return
    yield (
        f"seeded in {report.seconds} s: {report.sessions} sessions, {report.messages} chat messages, "
        f"{report.viewer_samples} viewer samples, {report.viewers} viewers, {report.residents} residents, "
        f"{report.opinions} opinions ({report.supports} supports, {report.postings} index postings), "
        f"{report.agenda_items} agenda items ({report.agenda_events} timeline events), "
        f"{report.parties} responsible parties ({report.assigned} items assigned), "
        f"{report.ratings} ratings, {report.meetings} meetings"
    )
