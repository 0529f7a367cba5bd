"""Opinions: submit, list, support, similar, triage (accept, reject, merge, bulk), exports."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from aiohttp import BodyPartReader, web

from live import schemas
from live.errors import Invalid, TooLarge
from live.http.auth import ACTOR, COOKIE_AUTH
from live.http.exports import CSV, XLSX, primed, stream_download
from live.http.params import body, path_id, query
from live.http.responses import json_response
from live.keys import SERVICES
from live.payloads import opinion_payload
from live.services.actors import Actor, require_admin, require_staff
from live.services.container import Services
from live.services.exports import OPINION_COLUMNS, opinion_rows, stream_csv, stream_xlsx
from live.services.uploads import MAX_PHOTO_BYTES, MAX_PHOTOS, MAX_VOICE_BYTES
from live.storage.opinions import Opinion

routes = web.RouteTableDef()


async def slugs(services: Services) -> dict[int, str]:
    return {c.id: c.slug for c in await services.places.communities()}


def shape(actor: Actor, opinion: Opinion, names: dict[int, str]) -> dict[str, Any]:
    return opinion_payload(
        opinion, names.get(opinion.community_id, ""), staff=actor.can("moderator", opinion.community_id)
    )


async def one(request: web.Request, opinion: Opinion) -> web.Response:
    return json_response(shape(request[ACTOR], opinion, await slugs(request.app[SERVICES])))


FORM_FIELDS = {
    "community": 64,
    "text": 10000,
    "session": 32,
    "category": 32,
    "location": 1000,
    "source": 16,
    "contact": 1000,
    "csrf": 200,
}


async def _read_capped(part: BodyPartReader, cap: int) -> bytes:
    """A file part's bytes, 413 as soon as it grows past ``cap``."""
    chunks, size = [], 0
    while chunk := await part.read_chunk(64 * 1024):
        size += len(chunk)
        if size > cap:
            raise TooLarge(f"{part.name}: at most {cap // (1024 * 1024)} MB")
        chunks.append(chunk)
    return b"".join(chunks)


async def opinion_form(request: web.Request) -> tuple[dict[str, Any], bytes | None, list[bytes]]:
    """A multipart/form-data opinion: its text fields, an optional ``voice`` file and up to three
    ``photo`` files. Streamed (files may exceed the JSON body limit) unless the CSRF check has
    already read the form for its ``csrf`` field."""
    fields: dict[str, Any] = {}
    voice: bytes | None = None
    photos: list[bytes] = []
    if request.get(COOKIE_AUTH) and not request.headers.get("X-CSRF-Token"):
        form = await request.post()
        for name, value in form.items():
            if isinstance(value, web.FileField):
                data = value.file.read()
                if name == "voice" and data:
                    voice = data
                elif name in ("photo", "photos") and data:
                    photos.append(data)
            elif name in FORM_FIELDS:
                fields[name] = str(value)[: FORM_FIELDS[name] + 1]
        return fields, voice, photos
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise Invalid("nested multipart is not accepted")
        if part.name == "voice":
            if voice is not None:
                raise Invalid("one voice message at most", code="bad_file")
            voice = await _read_capped(part, MAX_VOICE_BYTES) or None
        elif part.name in ("photo", "photos"):
            data = await _read_capped(part, MAX_PHOTO_BYTES)
            if data:
                photos.append(data)
            if len(photos) > MAX_PHOTOS:
                raise Invalid(f"at most {MAX_PHOTOS} photos", code="too_many_photos")
        elif part.name in FORM_FIELDS:
            raw = await _read_capped(part, FORM_FIELDS[part.name] * 4 + 4)
            try:
                fields[part.name] = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise Invalid(f"{part.name} is not UTF-8") from err
        else:
            await part.release()
    return fields, voice, photos


@routes.post("/api/opinions")
async def submit(request: web.Request) -> web.Response:
    """JSON, or multipart/form-data with the same fields plus ``voice`` and ``photo`` files."""
    voice: bytes | None = None
    photos: list[bytes] = []
    form: schemas.SubmitOpinion | schemas.SubmitOpinionForm
    if request.content_type == "multipart/form-data":
        fields, voice, photos = await opinion_form(request)
        fields.pop("csrf", None)
        form = schemas.decode_payload(fields, schemas.SubmitOpinionForm)
    else:
        form = await body(request, schemas.SubmitOpinion)
    services = request.app[SERVICES]
    opinion = await services.opinions.submit(
        request[ACTOR],
        community_slug=form.community,
        text=form.text,
        category=form.category,
        location=form.location,
        session_id=form.session,
        source=form.source or ("watch_form" if form.session else "web"),
        contact=form.contact,
        voice=voice,
        photos=photos,
    )
    response = await one(request, opinion)
    response.set_status(201)
    return response


@routes.patch("/api/opinions/{id}")
async def transcribe(request: web.Request) -> web.Response:
    """Moderators: ``{text}`` types what a voice opinion says (the voice stays attached)."""
    typed = await body(request, schemas.TranscribeOpinion)
    opinion = await request.app[SERVICES].opinions.transcribe(request[ACTOR], path_id(request), typed.text)
    return await one(request, opinion)


@routes.get("/uploads/{name}")
async def upload_file(request: web.Request) -> web.StreamResponse:
    """A stored voice message or photo (random, unguessable names; never rewritten).

    The name is the capability (96 random bits, handed out only in payloads of opinions the
    reader may see): no sign-in is asked, so that a shared link and a WeChat in-app browser work.
    ``private``: a shared cache (a proxy) never keeps a copy; the browser may (docs/security.md)."""
    path = request.app[SERVICES].opinions.upload_path(request.match_info["name"])
    if path is None:
        raise web.HTTPNotFound()
    kind = "audio/mp4" if path.suffix == ".m4a" else "image/jpeg"
    return web.FileResponse(
        path,
        headers={
            "Content-Type": kind,
            "Cache-Control": "private, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def _list(request: web.Request, community: str | None = None) -> list[Opinion]:
    q = query(request, schemas.OpinionList)
    return await request.app[SERVICES].opinions.list(
        request[ACTOR],
        community_slug=community or q.community or None,
        status=q.status or None,
        category=q.category or None,
        session_id=q.session,
        location=q.location or None,
        search=q.q or None,
        limit=q.limit,
        after=q.after,
    )


@routes.get("/api/opinions")
async def list_opinions(request: web.Request) -> web.Response:
    names = await slugs(request.app[SERVICES])
    return json_response([shape(request[ACTOR], o, names) for o in await _list(request)])


async def export_scope(request: web.Request) -> str | None:
    """The community an export covers (the moderator's own by default); admins may export all."""
    services, actor = request.app[SERVICES], request[ACTOR]
    community = query(request, schemas.OpinionList).community or actor.community_slug
    if community:
        require_staff(actor, "moderator", (await services.places.by_slug(community)).id)
    else:
        require_admin(actor)
    return community


async def _export_rows(request: web.Request) -> AsyncGenerator[list[list[Any]], None]:
    """Every opinion matching the query's filters (``limit``/``after`` don't apply), as rows."""
    community = await export_scope(request)
    services, q = request.app[SERVICES], query(request, schemas.OpinionList)
    names = await slugs(services)
    batches = services.opinions.export(
        request[ACTOR],
        community_slug=community,
        status=q.status or None,
        category=q.category or None,
        session_id=q.session,
        location=q.location or None,
    )
    return await primed(opinion_rows(batch, names) async for batch in batches)


@routes.get("/api/opinions.csv")
async def opinions_csv(request: web.Request) -> web.StreamResponse:
    rows = await _export_rows(request)
    return await stream_download(request, "opinions.csv", CSV, stream_csv(OPINION_COLUMNS, rows))


@routes.get("/api/opinions.xlsx")
async def opinions_xlsx(request: web.Request) -> web.StreamResponse:
    rows = await _export_rows(request)
    pieces = stream_xlsx("opinions", OPINION_COLUMNS, rows)
    return await stream_download(request, "opinions.xlsx", XLSX, pieces)


@routes.post("/api/opinions/bulk")
async def bulk(request: web.Request) -> web.Response:
    form = await body(request, schemas.BulkOpinions)
    changed = await request.app[SERVICES].opinions.bulk(
        request[ACTOR], form.ids, form.action, reason=form.reason, note=form.note or "", into=form.into
    )
    names = await slugs(request.app[SERVICES])
    return json_response([shape(request[ACTOR], o, names) for o in changed])


@routes.get("/api/opinions/{id}")
async def get_opinion(request: web.Request) -> web.Response:
    return await one(request, await request.app[SERVICES].opinions.get(request[ACTOR], path_id(request)))


@routes.post("/api/opinions/{id}/support")
async def support(request: web.Request) -> web.Response:
    opinion = await request.app[SERVICES].opinions.support(request[ACTOR], path_id(request))
    return json_response(
        {
            "supporters": opinion.supporters,
            "verified_households": opinion.verified_households,
            "opinion": str(opinion.id),
        }
    )


@routes.get("/api/opinions/{id}/similar")
async def similar(request: web.Request) -> web.Response:
    services, actor = request.app[SERVICES], request[ACTOR]
    found = await services.opinions.similar(actor, path_id(request))
    names = await slugs(services)
    return json_response([{"opinion": shape(actor, s.opinion, names), "score": s.score} for s in found])


@routes.post("/api/opinions/{id}/merge")
async def merge(request: web.Request) -> web.Response:
    form = await body(request, schemas.MergeOpinion)
    survivor = await request.app[SERVICES].opinions.merge(request[ACTOR], path_id(request), form.into)
    return await one(request, survivor)


@routes.post("/api/opinions/{id}/reject")
async def reject(request: web.Request) -> web.Response:
    form = await body(request, schemas.RejectOpinion)
    opinion = await request.app[SERVICES].opinions.reject(
        request[ACTOR], path_id(request), form.reason, form.note or ""
    )
    return await one(request, opinion)


@routes.post("/api/opinions/{id}/accept")
async def accept(request: web.Request) -> web.Response:
    opinion = await request.app[SERVICES].opinions.accept(request[ACTOR], path_id(request))
    return await one(request, opinion)
