"""Spreadsheet exports: CSV (UTF-8 with BOM, so spreadsheet programs read Chinese) and XLSX.

Exports hold every row that matches, however many, and are written as they are read: CSV text
goes out batch by batch; XLSX rows go into openpyxl's write-only worksheet (a temporary file,
not memory) and the finished workbook is zipped straight into the response."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Sequence
from typing import Any

from openpyxl import Workbook

from live.storage.agenda import AgendaItem
from live.storage.opinions import Opinion

OPINION_COLUMNS = (
    "id", "community", "created_at", "status", "category", "location", "text", "supporters",
    "verified_households", "source", "session", "offset_ms", "merged_into", "reject_reason", "author",
    "contact",
)  # fmt: skip
AGENDA_COLUMNS = (
    "id", "community", "created_at", "updated_at", "status", "category", "location", "title",
    "summary", "responsible", "due_date", "outcome", "meeting", "supporters", "verified_households",
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
            o.verified_households,
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


def agenda_rows(items: Sequence[tuple[AgendaItem, str, str | None]]) -> list[list[Any]]:
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
            i.supporters,
            i.verified_households,
        ]
        for i, slug, _party in items
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


def csv_header(columns: Sequence[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow(columns)
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def csv_rows(rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


async def stream_csv(
    columns: Sequence[str], batches: AsyncIterator[Sequence[Sequence[Any]]]
) -> AsyncGenerator[bytes, None]:
    """The CSV file in pieces: the header, then one piece per batch of rows as it is read."""
    yield csv_header(columns)
    async for batch in batches:
        yield csv_rows(batch)


class _ChunkSink(io.RawIOBase):
    """A write-only, unseekable file that hands what is written to an asyncio queue (from a
    worker thread, waiting while the queue is full: the client's pace sets the writer's). Once
    the reader has gone, writes are dropped, so that the workbook still closes cleanly."""

    def __init__(self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[bytes | None]) -> None:
        self._loop = loop
        self._queue = queue
        self.abandoned = False

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.abandoned:
            return len(data)  # the client went away: let the zip finish into nothing
        chunk = bytes(data)
        if chunk:
            asyncio.run_coroutine_threadsafe(self._queue.put(chunk), self._loop).result()
        return len(chunk)


async def stream_xlsx(
    title: str, columns: Sequence[str], batches: AsyncIterator[Sequence[Sequence[Any]]]
) -> AsyncGenerator[bytes, None]:
    """The XLSX file in pieces. Rows are appended to a write-only worksheet batch by batch (in a
    worker thread, memory flat); then the workbook is zipped into the pieces as it is written."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(list(columns))

    def append(batch: Sequence[Sequence[Any]]) -> None:
        for row in batch:
            sheet.append([_cell(v) for v in row])

    try:
        async for batch in batches:
            await asyncio.to_thread(append, batch)
    except BaseException:
        with contextlib.suppress(Exception):
            sheet.close()  # finish and drop its temporary file now, not at garbage collection
        raise
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=8)
    sink = _ChunkSink(loop, queue)

    def save() -> None:
        try:
            book.save(sink)
        finally:
            asyncio.run_coroutine_threadsafe(queue.put(None), loop).result()

    saving = asyncio.ensure_future(asyncio.to_thread(save))
    try:
        while (chunk := await queue.get()) is not None:
            yield chunk
        await saving
    finally:
        # The client went away (or all went well): unblock a waiting write, drop the rest.
        sink.abandoned = True
        while not saving.done() and await queue.get() is not None:
            pass
        with contextlib.suppress(Exception):
            await saving
