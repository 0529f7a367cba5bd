"""Inbox entries and timeline notes: stored as codes, rendered per language, old rows migrated."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from live.http.notices import INBOX, TIMELINE, render_inbox, render_timeline
from live.services.notices import InboxKind, TimelineKind
from live.storage.db import Database
from live.storage.migrate import upgrade

DUE = "2026-12-03T15:59:59+00:00"
EXAMPLES: dict[str, dict[str, Any]] = {
    InboxKind.TEXT: {"text": "旧的一句话"},
    InboxKind.OPINION_LISTED: {"title": "路灯"},
    InboxKind.OPINION_MERGED: {"supporters": 3, "excerpt": "路灯不亮"},
    InboxKind.ITEM_STATUS: {"title": "路灯", "status": "resolved", "note": "已修好"},
    InboxKind.ITEM_UPDATED: {"title": "路灯", "changes": [{"field": "outcome", "value": "换了灯泡"}]},
    InboxKind.ITEM_ASSIGNED: {
        "title": "路灯",
        "party": "物业",
        "response_due_at": DUE,
        "resolve_due_at": DUE,
    },
    InboxKind.ITEM_PROGRESS: {"title": "路灯", "party": "物业", "note": "已采购"},
    InboxKind.ITEM_PART_DONE: {"title": "路灯", "party": "物业"},
    InboxKind.ITEM_DUE_SOON: {"title": "路灯", "due_at": DUE, "which": "resolve"},
    InboxKind.ITEM_OVERDUE: {"title": "路灯", "due_at": DUE, "which": "response"},
    InboxKind.ITEM_ESCALATED: {"title": "路灯", "party": "物业", "days": 6, "community": "和谐社区"},
    InboxKind.ITEM_EXTENDED: {"title": "路灯", "due_at": DUE, "reason": "等配件"},
    InboxKind.ITEM_RATE: {"title": "路灯", "until": DUE},
    InboxKind.ITEM_REOPENED: {"title": "路灯", "unsatisfied": 2, "ratings": 3},
    InboxKind.MEETING_REMINDER: {
        "title": "停车议事会",
        "starts_at": DUE,
        "place": "活动室",
        "waitlisted": True,
    },
}
TIMELINE_EXAMPLES: dict[str, dict[str, Any]] = {
    TimelineKind.NOTE: {"changes": [{"field": "responsible", "value": "物业"}]},
    TimelineKind.CREATED: {"opinions": 2},
    TimelineKind.STATUS: {"changes": [{"field": "opinions_added", "value": 2}]},
    TimelineKind.ASSIGNED: {
        "party": "物业",
        "previous": "业委会",
        "supporting": ["城管"],
        "response_due_at": DUE,
        "resolve_due_at": DUE,
    },
    TimelineKind.PROGRESS: {"party": "物业", "photos": 1},
    TimelineKind.PART_DONE: {"party": "物业"},
    TimelineKind.DUE_SOON: {"due_at": DUE, "which": "resolve"},
    TimelineKind.OVERDUE: {"due_at": DUE, "which": "resolve"},
    TimelineKind.ESCALATED: {"days": 6},
    TimelineKind.EXTENDED: {"which": "resolve", "due_at": DUE, "previous": DUE, "days": 5},
    TimelineKind.LIMITS: {"response_days": 2, "resolve_days": 15},
    TimelineKind.REOPENED: {"unsatisfied": 2, "ratings": 3},
    TimelineKind.ANNOUNCED: {"session": "3", "title": "周一面对面", "offset_ms": 65000},
    TimelineKind.VOTE_OPENED: {"vote": "1", "question": "加装电梯", "secret": True},
    TimelineKind.VOTE_RESULT: {
        "vote": "1",
        "question": "加装电梯",
        "eligible": 10,
        "turnout": 7,
        "results": [{"text": "同意", "votes": 5}, {"text": "反对", "votes": 2}],
    },
}
LATIN = re.compile(r"[A-Za-z]{3,}")
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_code_has_a_renderer_and_an_example() -> None:
    assert set(INBOX) == {str(k) for k in InboxKind} == set(map(str, EXAMPLES))
    assert set(TIMELINE) == {str(k) for k in TimelineKind} == set(map(str, TIMELINE_EXAMPLES))


@pytest.mark.parametrize("kind", [str(k) for k in InboxKind if k != InboxKind.TEXT])
def test_inbox_codes_render_in_both_languages(kind: str) -> None:
    params = EXAMPLES[kind]
    zh, en = render_inbox(kind, params, "zh-CN"), render_inbox(kind, params, "en")
    assert zh and en and zh != en
    assert not LATIN.search(zh), zh  # no English words in the Chinese line
    values = {v for v in re.findall(r"[\u4e00-\u9fff]+", json.dumps(params, ensure_ascii=False))}
    # English lines hold only the values people typed (titles, names) in Chinese
    assert not HAN.search(re.sub("|".join(map(re.escape, values)) or "^$", "", en)), en


@pytest.mark.parametrize("kind", [str(k) for k in TimelineKind])
def test_timeline_codes_render_in_both_languages(kind: str) -> None:
    params = TIMELINE_EXAMPLES[kind]
    zh, en = render_timeline(kind, params, "", "zh-CN"), render_timeline(kind, params, "", "en")
    assert zh and en and zh != en
    assert not LATIN.search(zh), zh


def test_times_are_shown_in_beijing_time_and_the_note_follows() -> None:
    line = render_timeline(TimelineKind.OVERDUE, {"due_at": DUE, "which": "resolve"}, "催办", "zh-CN")
    assert line == "已超期：办结时限已于 2026-12-03 23:59 届满；催办"


def test_unknown_codes_and_broken_params_never_fail() -> None:
    assert render_inbox("from.the.future", {"text": "x"}, "en") == "x"
    assert render_inbox(InboxKind.ITEM_STATUS, {}, "en") == "«» is now None"
    assert render_timeline("nope", None, "只有备注", "zh-CN") == "只有备注"
    assert render_inbox(InboxKind.ITEM_ASSIGNED, {"title": "t", "response_due_at": 5}, "en")


async def test_the_migration_turns_old_sentences_into_codes(tmp_path: Path) -> None:
    db = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await upgrade(db, "0001")
        async with db.engine.begin() as conn:
            now = "2026-11-01 00:00:00"
            await conn.execute(
                sa.text("INSERT INTO communities (id, slug, name) VALUES (1, 'hexie', '和谐社区')")
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO agenda_items (id, community_id, title, summary, category, status, "
                    "created_by, created_at, updated_at) VALUES (1, 1, '路灯', '', 'other', 'scheduled', "
                    "'u:1', :now, :now)"
                ),
                {"now": now},
            )
            old_events = [
                (None, "proposed", "由直播间意见生成"),
                ("proposed", "scheduled", "下周开会；负责方：物业公司"),
                (None, None, "期限：2026-12-31；新增来源意见"),
            ]
            for n, (before, after, note) in enumerate(old_events, 1):
                await conn.execute(
                    sa.text(
                        "INSERT INTO agenda_events (id, item_id, at, actor, from_status, to_status, note) "
                        "VALUES (:id, 1, :now, '书记', :b, :a, :note)"
                    ),
                    {"id": n, "now": now, "b": before, "a": after, "note": note},
                )
            old_inbox = [
                "您的意见已列入议题「路灯」",
                "「路灯」已排期：下周开会；负责方：物业公司",
                "「路灯」进展：期限：2026-12-31",
                "您的意见已与相似意见合并，共 4 人支持：「路灯不亮」",
                "一句别的话",
            ]
            for n, text in enumerate(old_inbox, 1):
                await conn.execute(
                    sa.text(
                        "INSERT INTO inbox (id, person_key, item_id, text, created_at, read) "
                        "VALUES (:id, 'g:1', 1, :text, :now, 0)"
                    ),
                    {"id": n, "text": text, "now": now},
                )
        await upgrade(db)
        async with db.engine.connect() as conn:
            inbox = (await conn.execute(sa.text("SELECT kind, params FROM inbox ORDER BY id"))).all()
            events = (
                await conn.execute(sa.text("SELECT kind, params, note FROM agenda_events ORDER BY id"))
            ).all()
    finally:
        await db.close()

    shown = [render_inbox(kind, json.loads(params), "en") for kind, params in inbox]
    assert shown == [
        "Your opinion is now the agenda item «路灯»",
        "«路灯» is now Scheduled; 下周开会; Responsible party: 物业公司",
        "News on «路灯»; Due date: 2026-12-31",
        "Your opinion was merged with a similar one, now supported by 4 people: «路灯不亮»",
        "一句别的话",
    ]
    assert [render_inbox(kind, json.loads(params), "zh-CN") for kind, params in inbox][1] == (
        "「路灯」已排期；下周开会；负责方：物业公司"
    )
    lines = [render_timeline(kind, json.loads(params), note, "en") for kind, params, note in events]
    assert [kind for kind, _, _ in events] == ["created", "status", "note"]
    assert lines == [
        "Proposed from 1 residents' opinions",
        "Responsible party: 物业公司; 下周开会",
        "Due date: 2026-12-31; 1 more opinions linked",
    ]
