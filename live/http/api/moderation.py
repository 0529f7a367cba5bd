"""Moderation over HTTP: the audit log (JSON and CSV) and the admin word list."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from live import schemas
from live.errors import Invalid
from live.http.auth import ACTOR
from live.http.exports import CSV, primed, stream_download
from live.http.params import body, path_id, query
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import iso
from live.services.actors import require_admin
from live.services.exports import stream_csv
from live.services.moderation import AuditLine

routes = web.RouteTableDef()
CSV_COLUMNS = ("id", "at", "session", "actor_id", "actor_name", "action", "target", "target_name", "reason")


def audit_payload(line: AuditLine) -> dict[str, Any]:
    entry = line.entry
    return {
        "id": str(entry.id),
        "at": iso(entry.at),
        "session": str(entry.session_id) if entry.session_id is not None else None,
        "actor": {"id": entry.actor_key, "name": entry.actor_name},
        "action": entry.action,
        "target": entry.target,
        "target_label": line.target_label,
        "reason": entry.reason,
    }


@routes.get("/api/sessions/{id}/audit")
async def session_audit(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    q = query(request, schemas.PageOnly)
    lines = await services.moderation.audit_view(
        request[ACTOR], session_id=path_id(request), after=q.after, limit=q.limit
    )
    return json_response([audit_payload(line) for line in lines])


def _audit_row(line: AuditLine) -> list[Any]:
    e = line.entry
    row = [
        e.id,
        iso(e.at),
        e.session_id or "",
        e.actor_key,
        e.actor_name,
        e.action,
        e.target or "",
        line.target_label or "",
        e.reason,
    ]
    return [spreadsheet_safe(str(cell)) for cell in row]


@routes.get("/api/audit.csv")
async def audit_csv(request: web.Request) -> web.StreamResponse:
    """The whole audit log of a community (``?community=slug``; admins may omit it), as CSV with a
    BOM, streamed as it is read (it stopped at 100,000 entries)."""
    services = request.app[SERVICES]
    q = query(request, schemas.AuditExport)
    community_id = (await services.places.by_slug(q.community)).id if q.community else None
    batches = services.moderation.audit_export(
        request[ACTOR], session_id=q.session, community_id=community_id
    )
    rows = await primed([_audit_row(line) for line in batch] async for batch in batches)
    return await stream_download(request, "audit.csv", CSV, stream_csv(CSV_COLUMNS, rows))


def spreadsheet_safe(cell: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _words(form: schemas.Words) -> list[str]:
    raw = form.words if form.words is not None else form.word
    words = [raw] if isinstance(raw, str) else raw
    if not words:
        raise Invalid("words: a list of strings", code="missing_field", field="words")
    return list(words)


@routes.get("/api/words")
async def list_words(request: web.Request) -> web.Response:
    require_admin(request[ACTOR])
    q = query(request, schemas.WordList)
    words = await request.app[SERVICES].words.all()
    if q.after:
        words = [w for w in words if w > q.after]
    return json_response([{"id": w, "word": w} for w in words[: q.limit]])


@routes.post("/api/words")
async def add_words(request: web.Request) -> web.Response:
    require_admin(request[ACTOR])
    services = request.app[SERVICES]
    added = await services.words.add(_words(await body(request, schemas.Words)))
    await services.wordfilter.refresh(force=True)
    return json_response({"added": added, "words": await services.words.all()}, status=201)


@routes.delete("/api/words")
async def remove_words(request: web.Request) -> web.Response:
    require_admin(request[ACTOR])
    services = request.app[SERVICES]
    removed = await services.words.remove(_words(await body(request, schemas.Words)))
    await services.wordfilter.refresh(force=True)
    return json_response({"removed": removed, "words": await services.words.all()})
