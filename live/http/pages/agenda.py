"""The public tracking board (/agenda: columns by state, filters, counts) and one item's page."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from live.http import i18n
from live.http.auth import ACTOR
from live.http.community_choice import chosen_community
from live.http.params import optional_ident, path_id
from live.http.templates import render
from live.keys import SERVICES
from live.services.agenda import STATES, next_states
from live.services.archive import clock_label
from live.services.container import Services

routes = web.RouteTableDef()
#: cards per column on the board (each column's count is the true total and links to the rest),
#: and per page when one state is shown whole (``?status=``, paged with ``after=``)
BOARD_PER_STATE = 50
STATE_PAGE = 100


async def category_names(services: Services, request: web.Request) -> dict[str, str]:
    english = i18n.request_language(request) == "en"
    return {c.key: (c.name_en if english else c.name_zh) for c in await services.categories.all()}


@routes.get("/agenda")
async def board(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    q = request.query
    filters = {k: q.get(k, "").strip()[:200] for k in ("community", "category", "location")}
    communities = await services.places.communities()
    known = {c.slug for c in communities}
    if "community" not in q:  # first visit: the person's own community; "all" stays a choice
        filters["community"] = chosen_community(request, known) or ""
    if filters["community"] not in known:
        filters["community"] = ""
    status = q.get("status", "")
    board_view = await services.agenda.board(
        community_slug=filters["community"] or None,
        category=filters["category"] or None,
        location=filters["location"] or None,
        per_state=STATE_PAGE if status in STATES else BOARD_PER_STATE,
        status=status if status in STATES else None,
        after=optional_ident(q.get("after"), "after") if status in STATES else None,
    )
    shown = [status] if status in STATES else list(STATES)
    columns: dict[str, list[Any]] = {state: [] for state in shown}
    for item, slug, _party in board_view.items:
        columns[item.status].append({"item": item, "community": slug})
    older = None
    if status in STATES and len(board_view.items) == STATE_PAGE:
        older = board_view.items[-1][0].id
    names = {c.slug: c.name for c in communities}
    return render(
        request,
        "agenda_board.html",
        {
            "columns": columns,
            "counts": {state: board_view.counts.get(state, 0) for state in STATES},
            "total": sum(board_view.counts.values()),
            "status": status if status in STATES else "",
            "older": older,
            "filters": filters,
            "communities": communities,
            "community_names": names,
            "categories": await category_names(services, request),
            "loads": await services.accountability.board(filters["community"] or None),
        },
    )


@routes.get("/agenda/{id}")
async def item_page(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    view = await services.agenda.view(path_id(request))
    actor = request[ACTOR]
    account = await services.accountability.view(view.item.id, actor, item=view.item)
    staff = actor.can("moderator", view.item.community_id)
    days_left = await services.accountability.working_days_left(view.item)
    votes = await services.votes.of_item(actor, view.item.id)
    return render(
        request,
        "agenda_item.html",
        {
            "view": view,
            "item": view.item,
            "community": view.place,
            "meeting": view.meeting,
            "decision": view.decision,
            "states": STATES,
            "next_states": next_states(view.item.status),
            "saved": request.query.get("saved") == "1",
            "categories": await category_names(services, request),
            "following": await services.inbox.is_following(actor, view.item.id),
            "staff": staff,
            "account": account,
            "days_left": days_left,
            "parties": await services.accountability.parties(community_id=view.item.community_id)
            if staff
            else [],
            "config": {"item": str(view.item.id), "status": view.item.status},
            "moments": await services.moments.of_item(view.item.id),
            "clock_label": clock_label,
            "votes": votes,
            # the paper/on-behalf ballot form's household picker, only while a vote is open
            "units": await services.households.units(actor, view.item.community_id)
            if staff and any(v.is_open for v in votes)
            else [],
        },
    )
