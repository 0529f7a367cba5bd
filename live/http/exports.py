"""Downloads written as they are read: a streamed response whose first batch is read before the
status goes out (so a bad filter or a refusal is still a clear 4xx), the rest while sending."""

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
    """Send ``pieces`` as an attachment named ``filename``, chunk by chunk."""
    first = await anext(pieces, b"")  # raises before anything is sent
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
        await response.write(first)
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
