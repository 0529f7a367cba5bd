"""Years of a subdistrict, in bulk: ``python -m live demo --years 5``.

On top of the regular demo (communities, staff accounts), adds what a subdistrict of ten
communities builds up: broadcasts (about twenty a year per community) with viewer samples,
unique viewers and chat; residents' accounts; opinions (generated Chinese, a fifth of them
rewording an earlier one) with their supporters, triaged (new, accepted, merged, rejected) and
indexed for similar-opinion suggestions; agenda items in every state with their timelines and
source opinions; deliberation meetings with the items they discussed.

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
from live.services.demo import seed_demo
from live.services.passwords import hash_password
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
        )
        residents = await _residents(s, ids, size, communities, now, report)
        sessions = await _sessions(s, ids, rng, size, communities, hosts, now, report)
        await _viewers_and_chat(s, ids, rng, size, sessions, residents, report)
        opinions = await _opinions(
            s, ids, rng, size, communities, compounds, sessions, residents, now, report
        )
        meetings = await _meetings(s, ids, rng, size, communities, hosts, now, report)
        await _agenda(s, ids, rng, size, communities, hosts, opinions, meetings, now, report)
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
    now: datetime,
    report: Report,
) -> None:
    items: list[dict[str, Any]] = []
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
            for step in path:
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
            items.append(
                {
                    "id": item_id,
                    "community_id": community.id,
                    "title": title,
                    "summary": "；".join(o.text for o in sources)[:500] or "居民反映的问题",
                    "category": "other",
                    "location": None,
                    "status": state,
                    "responsible": rng.choice(RESPONSIBLE)
                    if state in FLOW and FLOW.index(state) >= 3
                    else None,
                    "due_date": due,
                    "outcome": "已办结，居民满意。" if state == "resolved" else None,
                    "meeting_id": meeting[0] if uses_meeting and meeting else None,
                    "created_by": f"u:{host[0]}",
                    "created_at": created,
                    "updated_at": at,
                }
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
    report.agenda_events = len(events)
    await _bulk(s, AgendaItem, items)
    await _bulk(s, AgendaEvent, events)
    await _bulk(s, AgendaOpinion, links)
    await _bulk(s, MeetingItem, discussed)


def describe(report: Report) -> Iterator[str]:
    if report.already:
        yield "five-year history already present"
        return
    yield (
        f"seeded in {report.seconds} s: {report.sessions} sessions, {report.messages} chat messages, "
        f"{report.viewer_samples} viewer samples, {report.viewers} viewers, {report.residents} residents, "
        f"{report.opinions} opinions ({report.supports} supports, {report.postings} index postings), "
        f"{report.agenda_items} agenda items ({report.agenda_events} timeline events), "
        f"{report.meetings} meetings"
    )
