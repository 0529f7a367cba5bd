"""The one place that maps domain errors (and bad requests) to HTTP responses."""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from live.errors import DomainError
from live.http.responses import json_response

log = logging.getLogger(__name__)


NOT_PAGES = ("/api/", "/hls/", "/static/", "/socket.io/")


def error_response(status: int, code: str, detail: str, field: str | None = None) -> web.Response:
    return json_response({"error": code, "detail": detail, "field": field}, status=status)


def wants_page(request: web.Request) -> bool:
    """A browser navigating to a page gets an HTML error page; API clients get JSON."""
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith(NOT_PAGES)
        and "text/html" in request.headers.get("Accept", "")
    )


def error_page(request: web.Request, status: int, code: str) -> web.Response:
    from live.http.auth import ACTOR
    from live.http.templates import render

    if ACTOR not in request:  # failed before we knew who was asking
        return error_response(status, code, code)
    return render(request, "error.html", {"status": status, "code": code}, status=status)


def domain_error_response(
    request: web.Request, status: int, code: str, detail: str, field: str | None = None
) -> web.Response:
    if wants_page(request):
        return error_page(request, status, code)
    return error_response(status, code, detail, field)


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except DomainError as err:
        return domain_error_response(request, err.status, err.code, err.detail, err.field)
    except web.HTTPException as exc:
        if exc.status >= 400 and wants_page(request):
            return error_page(request, exc.status, "not_found" if exc.status == 404 else "http_error")
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
