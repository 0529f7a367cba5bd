"""Demo data: a subdistrict of ten communities with accounts, sessions, opinions and agenda items.

Idempotent: does nothing when the demo subdistrict already exists."""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

from sqlalchemy import select

from live.clock import Clock
from live.services.categories import DEFAULT_CATEGORIES
from live.services.notices import TimelineKind
from live.services.passwords import hash_password
from live.storage.accounts import User
from live.storage.agenda import AgendaEvent, AgendaItem, AgendaOpinion
from live.storage.chat import Message
from live.storage.db import Database
from live.storage.meetings import Meeting, MeetingItem
from live.storage.opinions import Category, Opinion, OpinionSupport
from live.storage.places import Building, Community, Compound, Grid, Subdistrict, Unit
from live.storage.presence import SessionViewer, ViewerSample
from live.storage.rooms import LiveSession

DEMO_PASSWORD = "roundtable"
SUBDISTRICT = ("qingshan", "青山街道")
COMMUNITIES = [
    ("hexie", "和谐社区"),
    ("xingfu", "幸福社区"),
    ("anning", "安宁社区"),
    ("chaoyang", "朝阳社区"),
    ("minsheng", "民生社区"),
    ("yuhua", "雨花社区"),
    ("jinxiu", "锦绣社区"),
    ("qinghe", "清河社区"),
    ("taoyuan", "桃园社区"),
    ("fengle", "丰乐社区"),
]
COMPOUNDS_PER = [11, 11, 11, 11, 11, 10, 10, 10, 10, 10]  # 105 in all
GRIDS_PER = [14, 14, 14, 14, 13, 13, 13, 13, 13, 13]  # 134 in all
COMPOUND_NAMES = [
    "幸福里",
    "梧桐苑",
    "春晖园",
    "锦江花园",
    "东湖小区",
    "纺织厂宿舍",
    "电力新村",
    "阳光家园",
    "翠竹苑",
    "金桂园",
    "铁路新村",
]
OPINIONS = [
    ("parking", "小区晚上电动车乱停，消防通道被堵住了，希望划定停车位。"),
    ("parking", "消防通道晚上总被电动车堵住，能不能规划一下停车？"),
    ("garbage", "垃圾分类投放点太远，老人拿着垃圾要走很远。"),
    ("garbage", "厨余垃圾桶没有及时清运，夏天味道很大。"),
    ("renovation", "3号楼外墙脱落，下雨天楼道漏水，希望纳入老旧小区改造。"),
    ("renovation", "希望给老楼加装电梯，六楼老人上下楼太难了。"),
    ("property", "物业费涨了但是保洁次数反而少了，希望公开物业收支。"),
    ("dispute", "楼上装修每天早上七点就开始打电钻，影响休息。"),
    ("environment", "小区绿化带里堆了很多杂物，蚊子很多。"),
    ("facilities", "健身器材坏了很久没人修，孩子玩的时候有危险。"),
    ("facilities", "路灯坏了好几盏，晚上回家路上很黑。"),
    ("property", "门禁经常坏，陌生人随便进出。"),
]
AGENDA = [
    (
        "规划电动车停放区，清理消防通道",
        "parking",
        "resolved",
        "物业公司",
        "已在2号、5号楼之间划定电动车停放区并安装充电桩，消防通道每日巡查。",
    ),
    ("老楼加装电梯意愿征集", "renovation", "deliberating", "业主委员会", None),
    ("垃圾分类投放点调整", "garbage", "scheduled", "社区居委会", None),
    ("健身器材维修", "facilities", "in_progress", "区城管局", None),
    ("公开物业收支情况", "property", "proposed", None, None),
]
STATES = ["proposed", "scheduled", "deliberating", "decided", "in_progress", "resolved"]
CHAT_LINES = [
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
]


async def seed_demo(db: Database, clock: Clock) -> bool:
    """Seed the demo; returns False when it was already there."""
    rng = random.Random(20261127)
    now = clock.now()
    async with db.transaction() as s:
        if (await s.execute(select(Subdistrict).where(Subdistrict.slug == SUBDISTRICT[0]))).first():
            return False
        subdistrict = Subdistrict(slug=SUBDISTRICT[0], name=SUBDISTRICT[1])
        s.add(subdistrict)
        await s.flush()
        existing = set((await s.execute(select(Category.key))).scalars())
        for position, (key, zh, en) in enumerate(DEFAULT_CATEGORIES):
            if key not in existing:
                s.add(Category(key=key, name_zh=zh, name_en=en, position=position))
        password_hash = hash_password(DEMO_PASSWORD)
        if not (await s.execute(select(User).where(User.username == "admin"))).first():
            s.add(
                User(
                    username="admin",
                    display_name="街道管理员",
                    role="admin",
                    password_hash=password_hash,
                    created_at=now,
                )
            )
        for index, (slug, name) in enumerate(COMMUNITIES):
            community = (
                await s.execute(select(Community).where(Community.slug == slug))
            ).scalar_one_or_none()
            if community is None:
                community = Community(slug=slug, name=name, subdistrict_id=subdistrict.id)
                s.add(community)
                await s.flush()
            await _places(s, community, index, rng)
            host = User(
                username=f"host-{slug}",
                display_name=f"{name[:2]}书记",
                role="host",
                community_id=community.id,
                password_hash=password_hash,
                created_at=now,
            )
            moderator = User(
                username=f"mod-{slug}",
                display_name=f"{name[:2]}网格员",
                role="moderator",
                community_id=community.id,
                password_hash=password_hash,
                created_at=now,
            )
            s.add_all([host, moderator])
            await s.flush()
            await _sessions(s, community, host, index, rng, clock)
    return True


async def _places(s: object, community: Community, index: int, rng: random.Random) -> None:
    from sqlalchemy.ext.asyncio import AsyncSession

    assert isinstance(s, AsyncSession)
    grids = [Grid(community_id=community.id, name=f"第{n + 1}网格") for n in range(GRIDS_PER[index])]
    s.add_all(grids)
    await s.flush()
    for n in range(COMPOUNDS_PER[index]):
        compound = Compound(
            community_id=community.id, grid_id=grids[n % len(grids)].id, name=f"{COMPOUND_NAMES[n]}"
        )
        s.add(compound)
        await s.flush()
        if n < 2:
            for b in range(1, 4):
                building = Building(compound_id=compound.id, name=f"{b}号楼")
                s.add(building)
                await s.flush()
                s.add_all([Unit(building_id=building.id, name=f"{u}单元") for u in (1, 2)])


async def _sessions(
    s: object, community: Community, host: User, index: int, rng: random.Random, clock: Clock
) -> None:
    from sqlalchemy.ext.asyncio import AsyncSession

    assert isinstance(s, AsyncSession)
    now = clock.now()
    upcoming = LiveSession(
        community_id=community.id,
        host_id=host.id,
        title=f"{community.name}周四直播间：听听大家的意见",
        description="本周话题：停车、垃圾分类和老楼改造。欢迎在聊天区留言。",
        status="scheduled",
        stream_key=secrets.token_urlsafe(24),
        scheduled_at=(now + timedelta(days=1 + index % 6)).replace(
            hour=11, minute=30, second=0, microsecond=0
        ),
        created_at=now,
    )
    s.add(upcoming)
    opinions: list[Opinion] = []
    for week in range(1, 4):
        started = (now - timedelta(days=7 * week)).replace(hour=11, minute=30, second=0, microsecond=0)
        ended = started + timedelta(minutes=45)
        past = LiveSession(
            community_id=community.id,
            host_id=host.id,
            title=f"{community.name}第{40 - week}期直播间",
            description="每周社区直播间",
            status="ended",
            stream_key=secrets.token_urlsafe(24),
            scheduled_at=started,
            started_at=started,
            ended_at=ended,
            created_at=started - timedelta(days=2),
            peak_viewers=rng.randint(40, 160),
            unique_viewers=rng.randint(80, 260),
        )
        s.add(past)
        await s.flush()
        for minute in range(0, 46, 1):
            viewers = int(past.peak_viewers * min(1.0, (minute + 3) / 15) * rng.uniform(0.8, 1.0))
            s.add(ViewerSample(session_id=past.id, at=started + timedelta(minutes=minute), viewers=viewers))
        for n in range(20):
            s.add(
                SessionViewer(
                    session_id=past.id,
                    person_key=f"g:demo{week}-{n}",
                    first_seen=started + timedelta(seconds=n * 30),
                )
            )
        for n in range(12):
            at = started + timedelta(seconds=30 + n * 200)
            s.add(
                Message(
                    session_id=past.id,
                    community_id=community.id,
                    author_key=f"g:demo{week}-{n}",
                    author_name=f"居民{n + 1}",
                    author_role="guest",
                    text=rng.choice(CHAT_LINES),
                    created_at=at,
                    offset_ms=int((at - started).total_seconds() * 1000),
                )
            )
        for n in range(4):
            category, text = OPINIONS[(index + week * 4 + n) % len(OPINIONS)]
            at = started + timedelta(minutes=5 + n * 9)
            opinion = Opinion(
                community_id=community.id,
                text=text,
                category=category,
                location=f"{COMPOUND_NAMES[n]}{n + 1}号楼",
                source="live_chat",
                session_id=past.id,
                offset_ms=int((at - started).total_seconds() * 1000),
                author_key=f"g:demo{week}-{n}",
                author_name=f"居民{n + 1}",
                status=["new", "accepted", "accepted", "rejected"][n % 4],
                reject_reason="off_topic" if n % 4 == 3 else None,
                supporters=rng.randint(1, 30),
                created_at=at,
            )
            s.add(opinion)
            opinions.append(opinion)
    await s.flush()
    for opinion in opinions:  # "me too" rows behind each count: a person supports once
        keys = [opinion.author_key] + [f"g:demo-{opinion.id}-{i}" for i in range(1, opinion.supporters)]
        s.add_all(
            OpinionSupport(opinion_id=opinion.id, person_key=key, created_at=opinion.created_at)
            for key in keys
        )
    meeting = Meeting(
        community_id=community.id,
        format="roundtable",
        title=f"{community.name}圆桌会议",
        starts_at=now - timedelta(days=3),
        place="社区党群服务中心二楼会议室",
        attendance=18,
        minutes="居民代表、物业、业委会共同商议停车与加装电梯事项。",
        created_by=f"u:{host.id}",
        created_at=now - timedelta(days=10),
    )
    s.add(meeting)
    await s.flush()
    accepted = [o for o in opinions if o.status == "accepted"]
    for n, (title, category, status, responsible, outcome) in enumerate(AGENDA):
        created = now - timedelta(days=20 - n)
        item = AgendaItem(
            community_id=community.id,
            title=title,
            summary=f"来自直播间的居民意见：{title}",
            category=category,
            status=status,
            responsible=responsible,
            outcome=outcome,
            meeting_id=meeting.id if status != "proposed" else None,
            created_by=f"u:{host.id}",
            created_at=created,
            updated_at=created,
        )
        s.add(item)
        await s.flush()
        if n < len(accepted):
            s.add(AgendaOpinion(item_id=item.id, opinion_id=accepted[n].id))
        s.add(
            AgendaEvent(
                item_id=item.id,
                at=created,
                actor=host.display_name,
                from_status=None,
                to_status="proposed",
                note="",
                kind=str(TimelineKind.CREATED),
                params={"opinions": 1} if n < len(accepted) else {},
            )
        )
        for step in range(1, STATES.index(status) + 1):
            s.add(
                AgendaEvent(
                    item_id=item.id,
                    at=created + timedelta(days=step * 2),
                    actor=host.display_name,
                    from_status=STATES[step - 1],
                    to_status=STATES[step],
                    note="",
                    kind=str(TimelineKind.STATUS),
                    params={},
                )
            )
        if status != "proposed":
            s.add(
                MeetingItem(
                    meeting_id=meeting.id,
                    item_id=item.id,
                    decision="同意推进" if STATES.index(status) >= 3 else "",
                )
            )
