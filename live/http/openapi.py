"""``GET /api/openapi.json``: an OpenAPI 3.1 document built from the router and ``live/schemas.py``.

Every ``/api/`` route of the running application is listed with its methods (derived from the
router, so a new route appears by itself); a route whose request a schema describes (its
``routes``) gets that schema as its JSON body or its query parameters. Socket.IO events and
their payload schemas are listed under ``x-socketio-events``."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from aiohttp import web

from live import schemas
from live.http.responses import json_response

routes = web.RouteTableDef()
REF = "#/components/schemas/{name}"
_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}")
ERROR = {
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "a stable machine-readable code"},
        "detail": {"type": "string", "description": "human text"},
        "field": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "the field at fault"},
    },
    "required": ["error", "detail"],
}
ID_PARAM = {"type": "integer", "minimum": 1, "maximum": schemas.MAX_ID}
SDP_BODIES = ("/whip", "/whep")


def api_routes(app: web.Application) -> list[tuple[str, str]]:
    """``(METHOD, path)`` of every /api/ route (HEAD, added by aiohttp beside GET, left out)."""
    found: set[tuple[str, str]] = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("path") or info.get("formatter") or ""
        if not path.startswith("/api/") or route.method in ("HEAD", "*"):
            continue
        found.add((route.method, _PARAM.sub(r"{\1}", path)))
    return sorted(found, key=lambda r: (r[1], r[0]))


def _path_parameter(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = ID_PARAM if name == "id" else {"type": "string", "maxLength": 64}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _query_parameters(schema: type[schemas.Schema], components: dict[str, Any]) -> list[dict[str, Any]]:
    component = components[schema.__name__]
    required = set(component.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in component.get("properties", {}).items()
    ]


def build(app: web.Application) -> dict[str, Any]:
    every = schemas.all_schemas()
    _, components = msgspec.json.schema_components(every, ref_template=REF)
    components["Error"] = ERROR
    by_route: dict[str, type[schemas.Schema]] = {}
    for schema in every:
        for route in schema.routes:
            by_route[route] = schema
    paths: dict[str, dict[str, Any]] = {}
    for method, path in api_routes(app):
        operation: dict[str, Any] = {
            "operationId": f"{method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', path).strip('_')}",
            "responses": {
                "default": {"description": "the result"},
                "4XX": {
                    "description": "refused: bad input, not allowed, not found, conflict",
                    "content": {"application/json": {"schema": {"$ref": REF.format(name="Error")}}},
                },
            },
        }
        parameters = [_path_parameter(name) for name in _PARAM.findall(path)]
        described = by_route.get(f"{method} {path}")
        if described is not None and described.where == "query":
            parameters += _query_parameters(described, components)
        elif described is not None:
            operation["requestBody"] = {
                "required": False,
                "content": {"application/json": {"schema": {"$ref": REF.format(name=described.__name__)}}},
            }
        elif method == "POST" and path.endswith(SDP_BODIES):
            operation["requestBody"] = {
                "required": True,
                "content": {"application/sdp": {"schema": {"type": "string", "maxLength": 65536}}},
            }
        if parameters:
            operation["parameters"] = parameters
        paths.setdefault(path, {})[method.lower()] = operation
    events = {
        s.event: {"$ref": REF.format(name=s.__name__)}
        for s in every
        if issubclass(s, schemas.Payload) and s.event
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Roundtable API",
            "version": "1",
            "description": "Writes authenticated by a cookie carry X-CSRF-Token (see docs/api.md).",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "rt_session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
            },
        },
        "x-socketio-events": events,
    }


@routes.get("/api/openapi.json")
async def openapi_document(request: web.Request) -> web.Response:
    """The OpenAPI 3.1 description of this API, from the router and the schemas."""
    return json_response(build(request.app))
