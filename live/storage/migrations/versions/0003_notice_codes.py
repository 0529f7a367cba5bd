"""inbox entries and timeline notes as codes with values

Inbox entries lose their stored sentence (``text``) for ``kind`` + ``params``; agenda events gain
``kind`` + ``params`` next to the person's own ``note``. Old rows are read back into codes where
their sentence has one of the shapes the old services wrote; anything else is kept verbatim as
``kind = "text"`` (inbox) or stays a plain note (timeline).

Revision ID: 0003_notice_codes
Revises: 0002_households
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003_notice_codes"
down_revision: str | None = "0002_households"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATE_ZH = {
    "已提议": "proposed",
    "已排期": "scheduled",
    "协商中": "deliberating",
    "已决定": "decided",
    "办理中": "in_progress",
    "已解决": "resolved",
    "已关闭": "closed",
}
FIELDS_ZH = {
    "标题": "title",
    "负责方": "responsible",
    "期限": "due_date",
    "结果": "outcome",
    "会议": "meeting",
}
STATUS_RE = re.compile(r"^「(?P<title>.*)」(?P<state>" + "|".join(STATE_ZH) + r")(?:：(?P<rest>.*))?$", re.S)
UPDATED_RE = re.compile(r"^「(?P<title>.*)」进展：(?P<rest>.*)$", re.S)
LISTED_RE = re.compile(r"^您的意见已列入议题「(?P<title>.*)」$", re.S)
MERGED_RE = re.compile(r"^您的意见已与相似意见合并，共 (?P<n>\d+) 人支持：「(?P<excerpt>.*)」$", re.S)


def split_note(text: str) -> dict[str, Any]:
    """``"note；负责方：X；期限：…"`` → ``{note, changes}`` as the new services store them."""
    notes: list[str] = []
    changes: list[dict[str, Any]] = []
    for part in text.split("；") if text else []:
        head, sep, value = part.partition("：")
        if sep and head in FIELDS_ZH:
            changes.append({"field": FIELDS_ZH[head], "value": None if value == "—" else value})
        elif part == "新增来源意见":
            changes.append({"field": "opinions_added", "value": 1})
        else:
            notes.append(part)
    out: dict[str, Any] = {"note": "；".join(notes)}
    if changes:
        out["changes"] = changes
    return out


def inbox_code(text: str) -> tuple[str, dict[str, Any]]:
    if m := MERGED_RE.match(text):
        return "opinion.merged", {"supporters": int(m["n"]), "excerpt": m["excerpt"]}
    if m := LISTED_RE.match(text):
        return "opinion.listed", {"title": m["title"]}
    if m := UPDATED_RE.match(text):
        return "item.updated", {"title": m["title"], **split_note(m["rest"])}
    if m := STATUS_RE.match(text):
        return "item.status", {
            "title": m["title"],
            "status": STATE_ZH[m["state"]],
            **split_note(m["rest"] or ""),
        }
    return "text", {"text": text}


def upgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=48), nullable=False, server_default="text"))
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))
    with op.batch_alter_table("agenda_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=32), nullable=False, server_default="note"))
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))

    conn = op.get_bind()
    inbox = sa.table(
        "inbox",
        sa.column("id", sa.Integer),
        sa.column("text", sa.Text),
        sa.column("kind", sa.String),
        sa.column("params", sa.JSON),
    )
    for row_id, text in conn.execute(sa.select(inbox.c.id, inbox.c.text)).all():
        kind, params = inbox_code(text or "")
        conn.execute(sa.update(inbox).where(inbox.c.id == row_id).values(kind=kind, params=params))

    events = sa.table(
        "agenda_events",
        sa.column("id", sa.Integer),
        sa.column("from_status", sa.String),
        sa.column("to_status", sa.String),
        sa.column("note", sa.Text),
        sa.column("kind", sa.String),
        sa.column("params", sa.JSON),
    )
    rows = conn.execute(sa.select(events.c.id, events.c.from_status, events.c.to_status, events.c.note)).all()
    for row_id, before, after, note in rows:
        split = split_note(note or "")
        params: dict[str, Any] = {"changes": split["changes"]} if "changes" in split else {}
        clean = split["note"]
        if after and not before:
            kind = "created"
            if clean == "由直播间意见生成":
                clean, params = "", {"opinions": 1}
        elif after:
            kind = "status"
        else:
            kind = "note"
        conn.execute(
            sa.update(events).where(events.c.id == row_id).values(kind=kind, params=params, note=clean)
        )

    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_column("text")
        batch_op.alter_column("params", existing_type=sa.JSON(), nullable=False)
    with op.batch_alter_table("agenda_events", schema=None) as batch_op:
        batch_op.alter_column("params", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_column("params")
        batch_op.drop_column("kind")
    with op.batch_alter_table("agenda_events", schema=None) as batch_op:
        batch_op.drop_column("params")
        batch_op.drop_column("kind")
