"""The one place that turns domain errors into socket acks: ``{ok: false, error, detail}``.

Every handler is wrapped: a domain error becomes its code; anything unexpected is logged and
answered ``{ok: false, error: "internal"}``, never left to escape."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from live.errors import DomainError, Invalid

log = logging.getLogger(__name__)
Ack = dict[str, Any]
Handler = Callable[[str, dict[str, Any]], Awaitable[Ack]]


def refusal(code: str, detail: str, field: str | None = None) -> Ack:
    ack: Ack = {"ok": False, "error": code, "detail": detail}
    if field is not None:
        ack["field"] = field
    return ack


def acked(handler: Handler) -> Callable[..., Awaitable[Ack]]:
    """Wrap ``handler(sid, data)`` so that it always answers with an ack dict."""

    @functools.wraps(handler)
    async def wrapper(sid: str, data: Any = None, *_: Any) -> Ack:
        try:
            if not isinstance(data, dict):
                raise Invalid("the payload must be an object", code="bad_request")
            return await handler(sid, data)
        except DomainError as err:
            return {**err.extra(), **refusal(err.code, err.detail, err.field)}
        except Exception:
            log.exception("socket handler %s failed", handler.__name__)
            return refusal("internal", "internal error")

    return wrapper
