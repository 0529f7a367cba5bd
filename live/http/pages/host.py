"""The host's desk (schedule sessions, list them) and the host console of one session."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from aiohttp import web

from live.errors import DomainError, Forbidden, Invalid
from live.http.auth import ACTOR
from live.http.params import ident, path_id
from live.http.templates import render
from live.keys import SERVICES
from live.schemas import in_range
from live.services.actors import Actor
from live.storage.agenda import AgendaItem
from live.storage.places import Community
from live.storage.rooms import LiveSession
from media import layout

routes = web.RouteTableDef()

#: Times typed into the desk's form are China Standard Time (the committees' wall clock).
LOCAL_TZ = timezone(timedelta(hours=8))


def _signed_in_host(request: web.Request) -> Actor:
    """Hosts and admins; a signed-out visitor goes to the sign-in page, others get 403."""
    actor = request[ACTOR]
    if not actor.is_user:
        raise web.HTTPSeeOther(f"/login?next={request.path}")
    if actor.role not in ("host", "admin"):
        raise web.HTTPForbidden(text="Hosts only / 仅限主持人")
    return actor


async def _desk_context(request: web.Request, actor: Actor) -> dict[str, object]:
    services = request.app[SERVICES]
    communities: list[Community] = (
        await services.places.communities()
        if actor.is_admin
        else [await services.places.by_slug(actor.community_slug or "")]
    )
    slug = None if actor.is_admin else actor.community_slug
    sessions: list[LiveSession] = await services.rooms.list(None, slug, 200)
    agenda: dict[str, list[AgendaItem]] = {
        c.slug: await services.rooms.open_agenda(c.id) for c in communities
    }
    return {
        "communities": communities,
        "sessions": sessions,
        "agenda": agenda,
        "local_tz": LOCAL_TZ,
        "slugs": {c.id: c.slug for c in communities},
    }


@routes.get("/host")
async def host_desk(request: web.Request) -> web.Response:
    actor = _signed_in_host(request)
    return render(request, "host.html", await _desk_context(request, actor))


def _local_time(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as err:
        raise Invalid("scheduled_at: not a valid time") from err
    return in_range(parsed if parsed.tzinfo else parsed.replace(tzinfo=LOCAL_TZ), "scheduled_at")


@routes.post("/host")
async def schedule_session(request: web.Request) -> web.StreamResponse:
    """The desk's form (works without JavaScript): schedule, then open the console."""
    actor = _signed_in_host(request)
    form = await request.post()
    services = request.app[SERVICES]
    slug = str(form.get("community") or actor.community_slug or "")[:64]
    try:
        items = [ident(v, "agenda") for v in form.getall("agenda", []) if isinstance(v, str)]
        session = await services.rooms.schedule(
            actor,
            slug,
            str(form.get("title", ""))[:200],
            str(form.get("description", ""))[:5000],
            _local_time(str(form.get("scheduled_at", ""))[:40]),
            items,
        )
    except DomainError as err:
        context = await _desk_context(request, actor)
        context.update(error=err.detail, form=form)
        return render(request, "host.html", context, status=err.status)
    raise web.HTTPSeeOther(f"/host/{session.id}")


@routes.get("/host/{id}")
async def host_console(request: web.Request) -> web.Response:
    actor = request[ACTOR]
    if not actor.is_user:
        raise web.HTTPSeeOther(f"/login?next={request.path}")
    services = request.app[SERVICES]
    session = await services.rooms.get(path_id(request))
    if not actor.can("host", session.community_id):
        raise Forbidden("needs host of this community")
    community = await services.places.by_id(session.community_id)
    config = {
        "session": str(session.id),
        "status": session.status,
        "community": community.slug,
        "streamKey": session.stream_key,
        "hls": layout.playlist_url(session.id),
        "console": True,
    }
    return render(
        request,
        "host_console.html",
        {
            "session": session,
            "community": community,
            "config": config,
            "agenda": await services.rooms.agenda(session.id),
            "interact_staff": True,
        },
    )
