"""Reading and validating request input; every failure is a 400 with a clear code.

Every JSON body and API query string is read through its schema (``live/schemas.py``):
``await body(request, X)`` and ``query(request, Y)``. ``ident``/``optional_ident``/``path_id``
read single ids of page forms, page queries and paths."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from aiohttp import web

from live import schemas
from live.errors import Invalid
from live.schemas import MAX_ID

S = TypeVar("S", bound=schemas.Schema)


async def body(request: web.Request, schema: type[S]) -> S:
    """The JSON body as ``schema`` (no body counts as ``{}``)."""
    if not request.body_exists:
        return schemas.decode_json(b"", schema)
    return schemas.decode_json(await request.read(), schema)


def query(request: web.Request, schema: type[S]) -> S:
    """The query string as ``schema``."""
    return schemas.decode_query(request.query, schema)


def ident(value: Any, name: str = "id") -> int:
    """An id from a path, a query or a JSON body (ids are strings in payloads; ints accepted)."""
    if isinstance(value, bool):
        raise Invalid(f"{name} must be an id")
    if isinstance(value, int) and 0 <= value <= MAX_ID:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        number = int(value)
        if number <= MAX_ID:
            return number
    raise Invalid(f"{name} must be an id", field=name)


def optional_ident(value: Any, name: str = "id") -> int | None:
    return None if value in (None, "") else ident(value, name)


def path_id(request: web.Request, key: str = "id") -> int:
    try:
        return ident(request.match_info[key], key)
    except Invalid as err:
        raise web.HTTPNotFound() from err


def moment(value: Any, name: str) -> datetime | None:
    """An ISO 8601 time within the years 1970..2100 (``live.schemas.moment``)."""
    return schemas.moment(value, name)
