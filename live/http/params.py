"""Reading and validating request input; every failure is a 400 with a clear code.

New code reads a request through its schema (``live/schemas.py``): ``await body(request, X)``
and ``query(request, Y)``. The dict helpers below remain for forms and older callers."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from aiohttp import web

from live import schemas
from live.errors import Invalid
from live.schemas import MAX_ID, MAX_LIMIT

S = TypeVar("S", bound=schemas.Schema)


async def body(request: web.Request, schema: type[S]) -> S:
    """The JSON body as ``schema`` (no body counts as ``{}``)."""
    if not request.body_exists:
        return schemas.decode_json(b"", schema)
    return schemas.decode_json(await request.read(), schema)


def query(request: web.Request, schema: type[S]) -> S:
    """The query string as ``schema``."""
    return schemas.decode_query(request.query, schema)


async def json_body(request: web.Request) -> dict[str, Any]:
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except ValueError as err:
        raise Invalid("body is not valid JSON", code="invalid_json") from err
    if not isinstance(body, dict):
        raise Invalid("body must be a JSON object", code="invalid_json")
    return body


def text(body: dict[str, Any], key: str, *, required: bool = True, max_len: int = 5000) -> str:
    value = body.get(key)
    if value is None:
        if required:
            raise Invalid(f"{key} is required", code="missing_field")
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{key} must be a string")
    if len(value) > max_len:
        raise Invalid(f"{key}: at most {max_len} characters", code="too_long")
    return value


def optional_text(body: dict[str, Any], key: str, max_len: int = 5000) -> str | None:
    if body.get(key) is None:
        return None
    return text(body, key, max_len=max_len)


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


def page(request: web.Request) -> tuple[int, int | None]:
    """``limit`` (default 100, at most 1000) and ``after`` of a list endpoint."""
    raw_limit = request.query.get("limit", "100")
    if not (raw_limit.isascii() and raw_limit.isdigit() and len(raw_limit) <= 4) or not (
        1 <= int(raw_limit) <= MAX_LIMIT
    ):
        raise Invalid(f"limit must be 1-{MAX_LIMIT}", field="limit")
    return int(raw_limit), optional_ident(request.query.get("after"), "after")
