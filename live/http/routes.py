"""Every HTTP route module, registered in one place."""

from __future__ import annotations

from aiohttp import web

from live.http import health, openapi, static
from live.http.api import accountability as accountability_api
from live.http.api import admin as admin_api
from live.http.api import agenda as agenda_api
from live.http.api import auth, communities, sessions
from live.http.api import categories as categories_api
from live.http.api import chat as chat_api
from live.http.api import households as households_api
from live.http.api import inbox as inbox_api
from live.http.api import meetings as meetings_api
from live.http.api import moderation as moderation_api
from live.http.api import onbehalf as onbehalf_api
from live.http.api import opinions as opinions_api
from live.http.api import polls as polls_api
from live.http.api import questions as questions_api
from live.http.api import votes as votes_api
from live.http.pages import accountability as accountability_pages
from live.http.pages import admin as admin_page
from live.http.pages import agenda as agenda_pages
from live.http.pages import archive, home, live, login, outreach
from live.http.pages import host as host_pages
from live.http.pages import identity as identity_pages
from live.http.pages import inbox as inbox_page
from live.http.pages import interact as interact_pages
from live.http.pages import moderate as moderate_page
from live.http.pages import triage as triage_page

# outreach first: its /live/{id}.ics must be matched before the watch page's /live/{id}
ROUTE_MODULES = [outreach, static, health, openapi, auth, communities, sessions, home, live, login]
ROUTE_MODULES += [admin_api, admin_page, archive]
ROUTE_MODULES += [opinions_api, categories_api, agenda_api, meetings_api, inbox_api]
ROUTE_MODULES += [agenda_pages, triage_page, inbox_page]
ROUTE_MODULES += [host_pages]
ROUTE_MODULES += [chat_api, moderation_api, moderate_page]
ROUTE_MODULES += [households_api, identity_pages]
ROUTE_MODULES += [accountability_api, accountability_pages]
ROUTE_MODULES += [polls_api, questions_api, interact_pages, votes_api, onbehalf_api]


def setup_routes(app: web.Application) -> None:
    for module in ROUTE_MODULES:
        app.add_routes(module.routes)
