"""Downloads written as they are read: the first batch of rows is read before the status goes
out (so a bad filter or a refusal is still a clear 4xx), then the headers are sent at once and
the rest follows while it is read."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import TypeVar

from aiohttp import web

T = TypeVar("T")

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def stream_download(
    request: web.Request, filename: str, content_type: str, pieces: AsyncGenerator[bytes, None]
) -> web.StreamResponse:
    """Send ``pieces`` as an attachment named ``filename``, chunk by chunk. The headers go out
    at once (pass rows through ``primed`` first, so that a refusal is still a 4xx)."""
    response = web.StreamResponse(
        headers={
            "Content-Type": content_type,
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        }
    )
    response.enable_chunked_encoding()
    await response.prepare(request)
    try:
        async for piece in pieces:
            await response.write(piece)
    finally:
        await pieces.aclose()
    await response.write_eof()
    return response


async def primed(batches: AsyncIterator[T]) -> AsyncGenerator[T, None]:
    """``batches`` with its first item already read: a bad filter raises here, before the
    response starts."""
    first = await anext(batches, None)

    async def again() -> AsyncGenerator[T, None]:
        if first is not None:
            yield first
        async for batch in batches:
            yield batch

    return again()
