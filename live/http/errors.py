"""The one place that maps domain errors (and bad requests) to HTTP responses."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from live.errors import DomainError
from live.http.responses import json_response

log = logging.getLogger(__name__)


def error_response(status: int, code: str, detail: str) -> web.Response:
    return json_response({"error": code, "detail": detail}, status=status)


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except DomainError as err:
        return error_response(err.status, err.code, err.detail)
    except web.HTTPException as exc:
        if exc.status >= 400 and request.path.startswith("/api/"):
            code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
                exc.status, "http_error"
            )
            return error_response(exc.status, code, exc.reason)
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal", "internal error")


def setup_errors(app: web.Application) -> None:
    app.middlewares.append(errors_middleware)
