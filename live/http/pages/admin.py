"""The admin page: communities and places, users and roles, words, categories, recordings."""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from live.errors import DomainError
from live.http.auth import ACTOR
from live.http.params import optional_ident
from live.http.templates import render
from live.keys import SERVICES
from live.services.actors import ROLES, require_admin
from live.services.archive import clock_label

routes = web.RouteTableDef()
USERS_PAGE = 25


def human_bytes(size: int | None) -> str:
    """1.5 GB, 320 MB, 12 KB."""
    value = float(size or 0)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"  # pragma: no cover


@routes.get("/admin")
async def admin_page(request: web.Request) -> web.StreamResponse:
    actor = request[ACTOR]
    if not actor.is_user:
        raise web.HTTPSeeOther("/login?next=/admin")
    try:
        require_admin(actor)
    except DomainError:
        return render(request, "admin.html", {"forbidden": True}, status=403)
    services = request.app[SERVICES]
    places = await services.admin.places(actor)
    users_after = optional_ident(request.query.get("users_after"), "users_after")
    search = request.query.get("users_q", "").strip()[:64]
    role = request.query.get("users_role") or None
    role = role if role in ROLES else None
    users = await services.admin.users(actor, USERS_PAGE + 1, users_after, search=search, role=role)
    more_users = users[USERS_PAGE - 1].user.id if len(users) > USERS_PAGE else None
    users = users[:USERS_PAGE]
    # the same search on the next page
    more_query = {"users_q": search, "users_role": role or "", "users_after": more_users}
    recordings = await services.admin.recordings(actor)
    hls_bytes, disk_total, disk_free = services.admin.disk_usage()
    words = await services.words.all()
    categories = await services.categories.all(include_inactive=True)
    return render(
        request,
        "admin.html",
        {
            "forbidden": False,
            "places": places,
            "users": users,
            "more_users": more_users,
            "more_users_query": urlencode({k: v for k, v in more_query.items() if v}),
            "users_search": {"q": search, "role": role or "", "paged": users_after is not None},
            "roles": ROLES,
            "words": words,
            "categories": categories,
            "recordings": recordings,
            "disk": {"hls": hls_bytes, "total": disk_total, "free": disk_free},
            "human_bytes": human_bytes,
            "clock_label": clock_label,
            # The log SMS backend (demo, trial) keeps the last codes it sent, numbers masked.
            "sms_codes": list(getattr(services.sms, "recent", [])),
            "sms_backend": services.sms.backend,
        },
    )
