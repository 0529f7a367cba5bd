"""Reading and validating request input; every failure is a 400 with a clear code."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from live.errors import Invalid

MAX_LIMIT = 1000


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
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 18:
        return int(value)
    raise Invalid(f"{name} must be an id")


def optional_ident(value: Any, name: str = "id") -> int | None:
    return None if value in (None, "") else ident(value, name)


def path_id(request: web.Request, key: str = "id") -> int:
    try:
        return ident(request.match_info[key], key)
    except Invalid as err:
        raise web.HTTPNotFound() from err


def moment(value: Any, name: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise Invalid(f"{name} must be an ISO 8601 time")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as err:
        raise Invalid(f"{name} must be an ISO 8601 time") from err
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def page(request: web.Request) -> tuple[int, int | None]:
    """``limit`` (default 100, at most 1000) and ``after`` of a list endpoint."""
    raw_limit = request.query.get("limit", "100")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise Invalid(f"limit must be 1-{MAX_LIMIT}")
    return int(raw_limit), optional_ident(request.query.get("after"), "after")
