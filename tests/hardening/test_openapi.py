"""``/api/openapi.json`` is OpenAPI 3.1, generated from the router and the schemas: every /api
route with each of its methods is in it, and every schema names routes that exist."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from live.http.openapi import api_routes
from live.schemas import Payload, all_schemas


async def test_document_lists_every_api_route(client: TestClient[Any, Any]) -> None:
    response = await client.get("/api/openapi.json")
    assert response.status == 200
    document = await response.json()
    assert document["openapi"].startswith("3.1")
    routes = api_routes(client.app)
    assert ("GET", "/api/sessions/{id}") in routes and ("POST", "/api/opinions") in routes
    documented = {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}
    assert sorted(set(routes) - documented) == []
    assert sorted(documented - set(routes)) == []
    # every path parameter is declared
    for path, operations in document["paths"].items():
        for operation in operations.values():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == {part[1:-1] for part in path.split("/") if part.startswith("{")}, path


async def test_every_schema_describes_real_routes(client: TestClient[Any, Any]) -> None:
    routes = {f"{m} {p}" for m, p in api_routes(client.app)}
    for schema in all_schemas():
        for route in schema.routes:
            assert route in routes, f"{schema.__name__} names {route}, which the router does not have"
    document = await (await client.get("/api/openapi.json")).json()
    body = document["paths"]["/api/opinions"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"] == "#/components/schemas/SubmitOpinion"
    names = {p["name"] for p in document["paths"]["/api/opinions"]["get"]["parameters"]}
    assert {"limit", "after", "community", "status", "session"} <= names
    events = set(document["x-socketio-events"])
    assert {"join", "leave", "chat", "opinion", "moderate", "showcase"} <= events
    assert all(s.event in events for s in all_schemas() if issubclass(s, Payload) and s.event)


async def test_schemathesis_accepts_the_document(client: TestClient[Any, Any]) -> None:
    import schemathesis

    document = await (await client.get("/api/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(document)
    operations = [op for op in schema.get_all_operations()]
    assert len(operations) == sum(len(ops) for ops in document["paths"].values())
