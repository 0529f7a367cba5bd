"""Spreadsheet exports: CSV (UTF-8 with BOM, so spreadsheet programs read Chinese) and XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from live.storage.agenda import AgendaItem
from live.storage.opinions import Opinion

OPINION_COLUMNS = (
    "id", "community", "created_at", "status", "category", "location", "text", "supporters",
    "source", "session", "offset_ms", "merged_into", "reject_reason", "author", "contact",
)  # fmt: skip
AGENDA_COLUMNS = (
    "id", "community", "created_at", "updated_at", "status", "category", "location", "title",
    "summary", "responsible", "due_date", "outcome", "meeting",
)  # fmt: skip
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text that residents wrote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def opinion_rows(opinions: Sequence[Opinion], slugs: dict[int, str]) -> list[list[Any]]:
    return [
        [
            o.id,
            slugs.get(o.community_id, ""),
            o.created_at.isoformat(),
            o.status,
            o.category,
            o.location or "",
            o.text,
            o.supporters,
            o.source,
            o.session_id or "",
            o.offset_ms if o.offset_ms is not None else "",
            o.merged_into_id or "",
            o.reject_reason or "",
            o.author_name,
            o.contact or "",
        ]
        for o in opinions
    ]


def agenda_rows(items: Sequence[tuple[AgendaItem, str]]) -> list[list[Any]]:
    return [
        [
            i.id,
            slug,
            i.created_at.isoformat(),
            i.updated_at.isoformat(),
            i.status,
            i.category,
            i.location or "",
            i.title,
            i.summary,
            i.responsible or "",
            i.due_date.isoformat() if i.due_date else "",
            i.outcome or "",
            i.meeting_id or "",
        ]
        for i, slug in items
    ]


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def to_xlsx(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append(list(columns))
    for row in rows:
        sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
