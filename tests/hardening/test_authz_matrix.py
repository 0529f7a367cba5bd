"""The authorisation matrix: every route (API and pages) and every socket event against every
kind of person.

People: anonymous (a script, no cookie), a guest (browser cookie), a resident, the moderator and
the host of community A (hexie, which owns every object addressed here), the moderator and the host
of community B (xingfu), and the admin. Each row says the least role allowed:

- ``anyone``: nobody is refused (401/403);
- ``user``: signed-in accounts only;
- ``moderator`` / ``host``: staff of community A (and the admin); B's staff are refused like guests;
- ``admin``: the admin only;
- ``bearer``: a stream key, not a person (everyone without it is refused).

A refused request answers 401 or 403 (or 404 where the row says the object is hidden); an allowed
one anything but 401/403/5xx. The routes come from the router: a new route without a row fails
``test_every_route_has_a_row`` — add a row to ROUTES (path ids refer to community A's objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from live.http.openapi import api_routes
from live.keys import SERVICES
from live.realtime.context import REALTIME
from tests.conftest import PASSWORD, World
from tests.realtime.conftest import open_peer, session_cookie

pytestmark = pytest.mark.slow

LEVELS = ("anyone", "user", "moderator", "host", "admin", "bearer")
PEOPLE = ("anonymous", "guest", "resident", "mod-b", "host-b", "mod-a", "host-a", "admin")
ALLOWED = {
    "anyone": set(PEOPLE),
    "user": {"resident", "mod-b", "host-b", "mod-a", "host-a", "admin"},
    "moderator": {"mod-a", "host-a", "admin"},
    "host": {"host-a", "admin"},
    "admin": {"admin"},
    "bearer": set(),
}


@dataclass(frozen=True)
class Row:
    level: str
    body: Any = None
    hidden: bool = False  # a refused person may get 404 (the object is not theirs to see)
    last: int = 0  # 1: changes the objects the others address, 2: signs out; run after the rest
    any_status: bool = False  # the answer depends on the body, not on the person (sign-in)
    raw: dict[str, str] = field(default_factory=dict)
    also: tuple[str, ...] = ()  # people allowed besides the level (the object's owner)
    exists: bool = False  # the path names a real object: the allowed must not get 404


SESSION, OPINION, ITEM, MEETING, POLL, QUESTION = "1", "1", "1", "1", "1", "1"
REGISTRATION = "1"  # the resident's, made first by seed()

ROUTES: dict[str, Row] = {
    "GET /api/admin/communities": Row("admin"),
    "POST /api/admin/communities": Row("admin", {"slug": "newplace", "name": "新社区"}),
    "POST /api/admin/places": Row("admin", {"kind": "grid", "community": "hexie", "name": "一网格"}),
    "GET /api/admin/recordings": Row("admin"),
    "DELETE /api/admin/recordings/{id}": Row("admin", last=1),
    "GET /api/admin/users": Row("admin"),
    "POST /api/admin/users": Row("admin", {"username": "newbie", "password": PASSWORD, "role": "resident"}),
    "PATCH /api/admin/users/{id}": Row("admin", {"disabled": False}),
    "GET /api/agenda": Row("anyone"),
    "POST /api/agenda": Row("moderator", {"community": "hexie", "title": "新议题"}),
    "GET /api/agenda.csv": Row("moderator", raw={"community": "hexie"}),
    "GET /api/agenda.xlsx": Row("moderator", raw={"community": "hexie"}),
    "GET /api/agenda/{id}": Row("anyone"),
    "GET /api/agenda/{id}/votes": Row("anyone"),
    "POST /api/agenda/{id}/votes": Row("moderator", {"question": "同意吗？", "options": ["同意", "反对"]}),
    "PATCH /api/agenda/{id}": Row("moderator", {"responsible": "王主任"}),
    "POST /api/agenda/{id}/follow": Row("anyone"),
    "DELETE /api/agenda/{id}/follow": Row("anyone"),
    "GET /api/audit.csv": Row("moderator", raw={"community": "hexie"}),
    "POST /api/auth/login": Row("anyone", {"username": "nobody", "password": "wrong"}, any_status=True),
    "POST /api/auth/logout": Row("anyone", last=2),
    "POST /api/auth/register": Row(
        "anyone", {"name": "新居民", "phone": "13700009999", "password": PASSWORD}, any_status=True
    ),
    "POST /api/auth/register/confirm": Row(
        "anyone", {"phone": "13700009999", "code": "000000"}, any_status=True
    ),
    "POST /api/auth/reset": Row("anyone", {"phone": "13700009999"}, any_status=True),
    "POST /api/auth/reset/confirm": Row(
        "anyone", {"phone": "13700009999", "code": "000000", "password": PASSWORD}, any_status=True
    ),
    "GET /api/categories": Row("anyone"),
    "POST /api/categories": Row("admin", {"key": "newkey", "name_zh": "新类别"}),
    "PATCH /api/categories/{key}": Row("admin", {"name_en": "Other"}),
    "GET /api/communities": Row("anyone"),
    "POST /api/households/codes": Row("moderator", {"unit": "1", "room": "101"}, hidden=True),
    "POST /api/households/join": Row("user", {"code": "NOPE"}),
    "GET /api/households/members": Row("moderator", raw={"community": "hexie"}),
    "GET /api/households/mine": Row("anyone"),
    "GET /api/units/{id}/households": Row("moderator", hidden=True),
    "POST /api/households/move": Row("moderator", {"user": "4", "unit": "1", "room": "101"}, hidden=True),
    "POST /api/households/revoke": Row("moderator", {"user": "4"}, hidden=True),
    "POST /api/households/verify": Row("moderator", {"user": "4", "unit": "1", "room": "101"}, hidden=True),
    "GET /api/inbox": Row("anyone"),
    "POST /api/inbox/read": Row("anyone"),
    "GET /api/me": Row("anyone"),
    "GET /api/meetings": Row("anyone"),
    "POST /api/meetings": Row(
        "moderator",
        {
            "community": "hexie",
            "format": "roundtable",
            "title": "议事会",
            "place": "活动室",
            "starts_at": "2026-12-05T19:00:00+08:00",
        },
    ),
    "GET /api/meetings/{id}": Row("anyone"),
    "PATCH /api/meetings/{id}": Row("moderator", {"attendance": 12}),
    "POST /api/meetings/{id}/checkin": Row("moderator", {"code": "NOPE2345"}),
    "GET /api/meetings/{id}/registrations": Row("anyone"),
    "POST /api/meetings/{id}/registrations": Row("anyone", {"name": "王阿姨"}),
    # {rid}: the resident's registration (seeded); its registrant and A's staff only
    "DELETE /api/meetings/{id}/registrations/{rid}": Row(
        "moderator", also=("resident",), hidden=True, last=1, exists=True
    ),
    "GET /api/meetings/{id}/registrations/{rid}/qr.svg": Row(
        "moderator", also=("resident",), hidden=True, exists=True
    ),
    "GET /api/on-behalf": Row("moderator", raw={"community": "hexie"}),
    "POST /api/on-behalf/opinions": Row(
        "moderator",
        {"household": "1", "resident": "赵奶奶", "consent": True, "text": "楼道灯坏了"},
        hidden=True,
    ),
    "POST /api/on-behalf/supports": Row(
        "moderator", {"household": "1", "resident": "赵奶奶", "consent": True, "opinion": "1"}, hidden=True
    ),
    "POST /api/on-behalf/ratings": Row(
        "moderator",
        {"household": "1", "resident": "赵奶奶", "consent": True, "item": "1", "rating": "satisfied"},
        hidden=True,
    ),
    "POST /api/on-behalf/votes": Row(
        "moderator",
        {"household": "1", "resident": "赵奶奶", "consent": True, "vote": "1", "option": "1"},
        hidden=True,
    ),
    "GET /api/openapi.json": Row("anyone"),
    "GET /api/opinions": Row("anyone"),
    "POST /api/opinions": Row("anyone", {"community": "hexie", "text": "楼道灯坏了"}),
    "GET /api/opinions.csv": Row("moderator", raw={"community": "hexie"}),
    "GET /api/opinions.xlsx": Row("moderator", raw={"community": "hexie"}),
    "POST /api/opinions/bulk": Row("moderator", {"ids": [OPINION], "action": "accept"}),
    "GET /api/opinions/{id}": Row("anyone"),
    "PATCH /api/opinions/{id}": Row("moderator", {"text": "转写的文字"}),
    "POST /api/opinions/{id}/accept": Row("moderator"),
    "POST /api/opinions/{id}/merge": Row("moderator", {"into": "2"}, last=1),
    "POST /api/opinions/{id}/reject": Row("moderator", {"reason": "duplicate"}),
    "GET /api/opinions/{id}/similar": Row("moderator"),
    "POST /api/opinions/{id}/support": Row("anyone"),
    "GET /api/places": Row("anyone", raw={"community": "hexie"}),
    "GET /api/polls/{id}": Row("anyone"),
    "POST /api/polls/{id}/close": Row("moderator", last=1),
    "POST /api/polls/{id}/vote": Row("anyone", {"options": ["1"]}),
    "GET /api/questions/{id}": Row("anyone"),
    "PATCH /api/questions/{id}": Row("moderator", {"status": "answered"}),
    "POST /api/questions/{id}/merge": Row("moderator", {"into": "2"}, last=1),
    "POST /api/questions/{id}/upvote": Row("anyone"),
    "GET /api/stats/channels": Row("anyone", raw={"community": "hexie"}),
    "GET /api/sessions": Row("anyone"),
    "POST /api/sessions": Row("host", {"community": "hexie", "title": "新直播"}),
    "GET /api/sessions/{id}": Row("anyone"),
    "GET /api/sessions/{id}/audit": Row("moderator"),
    "POST /api/sessions/{id}/end": Row("host", last=1),
    "GET /api/sessions/{id}/health": Row("anyone"),
    "GET /api/sessions/{id}/messages": Row("anyone"),
    "GET /api/sessions/{id}/polls": Row("anyone"),
    "POST /api/sessions/{id}/polls": Row(
        "moderator", {"question": "几点开会？", "options": ["早上", "晚上"]}
    ),
    "GET /api/sessions/{id}/questions": Row("anyone"),
    "POST /api/sessions/{id}/questions": Row("anyone", {"text": "停车费怎么收？"}),
    "GET /api/sessions/{id}/recording.mp4": Row("moderator"),
    "POST /api/sessions/{id}/start": Row("host"),
    "GET /api/sessions/{id}/viewers": Row("anyone"),
    "OPTIONS /api/sessions/{id}/whep": Row("anyone"),
    "POST /api/sessions/{id}/whep": Row("anyone"),
    "DELETE /api/sessions/{id}/whep/{resource}": Row("anyone"),
    "OPTIONS /api/sessions/{id}/whep/{resource}": Row("anyone"),
    "OPTIONS /api/sessions/{id}/whip": Row("anyone"),
    "POST /api/sessions/{id}/whip": Row("bearer"),
    "DELETE /api/sessions/{id}/whip/{resource}": Row("bearer"),
    "OPTIONS /api/sessions/{id}/whip/{resource}": Row("anyone"),
    "GET /api/votes/{id}": Row("anyone"),
    "GET /api/votes/{id}/audit": Row("moderator"),
    # eligibility depends on the person's verified household (tests/interact/test_votes.py)
    "POST /api/votes/{id}/ballot": Row("user", {"option": "1"}, any_status=True),
    "POST /api/votes/{id}/close": Row("moderator", last=1),
    "POST /api/votes/{id}/entries": Row(
        "moderator", {"household": "999", "option": "1", "channel": "paper", "voter_name": "李叔"}
    ),
    "GET /api/words": Row("admin"),
    "POST /api/words": Row("admin", {"words": ["测试词"]}),
    "DELETE /api/words": Row("admin", {"words": ["测试词"]}),
    # accountability (CONTRACT §7); "bearer" rows are for a party's own accounts, none of these people
    "POST /api/parties": Row("moderator", {"community": "hexie", "name": "和谐物业", "kind": "property"}),
    "GET /api/parties": Row("anyone"),
    "GET /api/parties/{id}": Row("anyone"),
    "GET /api/party/items": Row("bearer"),
    "GET /api/board/parties": Row("anyone"),
    "POST /api/agenda/{id}/progress": Row("moderator", {"note": "已联系物业"}),
    "POST /api/agenda/{id}/done": Row("bearer", {}),
    "POST /api/agenda/{id}/extend": Row("moderator", {"days": 2, "reason": "等配件"}),
    # participants only (whoever wrote or supported its opinions): depends on the item, not a role
    "POST /api/agenda/{id}/rating": Row("anyone", {"rating": "satisfied"}, any_status=True),
    "GET /api/stats": Row("anyone"),
    "GET /api/stats/{table}": Row("anyone"),
    "GET /api/admin/calendar": Row("admin"),
    "PUT /api/admin/calendar/{day}": Row("admin", {"workday": False}),
}

# Socket events: the least role allowed, and a payload addressing community A's live session.
EVENTS: dict[str, Row] = {
    "join": Row("anyone", {"session": SESSION}),
    "leave": Row("anyone", {"session": SESSION}),
    "watch": Row("anyone", {"meeting": MEETING}),
    "chat": Row("anyone", {"session": SESSION, "text": "大家好"}),
    "opinion": Row("anyone", {"session": SESSION, "text": "垃圾分类点太远"}),
    "moderate": Row("moderator", {"session": SESSION, "action": "slow_mode", "seconds": 0}),
    "showcase": Row("host", {"session": SESSION, "item": ITEM}),
}


def fill(path: str) -> str:
    path = path.replace("{id}", "1").replace("{rid}", REGISTRATION).replace("{key}", "other")
    path = path.replace("{resource}", "none")
    return path.replace("{day}", "2030-01-01").replace("{table}", "communities")


async def test_every_route_has_a_row(client: TestClient[Any, Any]) -> None:
    routes = {f"{method} {path}" for method, path in api_routes(client.app)}
    assert sorted(routes - set(ROUTES)) == [], (
        "new routes need a row in ROUTES (tests/hardening/test_authz_matrix.py)"
    )
    assert sorted(set(ROUTES) - routes) == [], "rows for routes that no longer exist"
    assert all(row.level in LEVELS for row in ROUTES.values())
    events = {
        name for name in client.app[REALTIME].sio.handlers["/"] if name not in ("connect", "disconnect")
    }
    assert sorted(events - set(EVENTS)) == [], "new socket events need a row in EVENTS"


class Person:
    def __init__(self, name: str, http: aiohttp.ClientSession, csrf: str | None, cookie: str | None) -> None:
        self.name, self.http, self.csrf, self.cookie = name, http, csrf, cookie

    async def request(self, method: str, path: str, row: Row) -> int:
        headers = {"X-CSRF-Token": self.csrf} if self.csrf else {}
        if path.endswith(("/whip", "/whep")) and method == "POST":
            headers["Content-Type"] = "application/sdp"
            async with self.http.request(method, path, data="v=0\r\n", headers=headers, params=row.raw) as r:
                return r.status
        kwargs: dict[str, Any] = {"json": row.body} if row.body is not None else {}
        async with self.http.request(method, path, headers=headers, params=row.raw, **kwargs) as r:
            await r.read()
            return r.status


async def people(client: TestClient[Any, Any]) -> dict[str, Person]:
    base = str(client.make_url("/"))
    found: dict[str, Person] = {}
    for name in PEOPLE:
        jar: aiohttp.abc.AbstractCookieJar = (
            aiohttp.DummyCookieJar() if name == "anonymous" else aiohttp.CookieJar(unsafe=True)
        )
        http = aiohttp.ClientSession(base_url=base, cookie_jar=jar)
        csrf: str | None = None
        cookie: str | None = None
        if name != "anonymous":
            csrf = (await (await http.get("/api/me")).json())["csrf"]
        if name not in ("anonymous", "guest"):
            signed = await http.post(
                "/api/auth/login",
                json={"username": name, "password": PASSWORD},
                headers={"X-CSRF-Token": csrf or ""},
            )
            assert signed.status == 200, (name, await signed.text())
            csrf = (await signed.json())["csrf"]
            cookie = await session_cookie(client, name)
        found[name] = Person(name, http, csrf, cookie)
    return found


async def seed(client: TestClient[Any, Any], person: dict[str, Person]) -> None:
    host, mod = person["host-a"], person["mod-a"]
    for title in ("周四直播间", "第二场"):
        assert (
            await host.request("POST", "/api/sessions", Row("host", {"community": "hexie", "title": title}))
            == 201
        )
    assert await host.request("POST", f"/api/sessions/{SESSION}/start", Row("host")) == 200
    for text in ("路灯坏了", "路灯不亮"):
        row = Row("anyone", {"community": "hexie", "text": text, "session": SESSION})
        assert await mod.request("POST", "/api/opinions", row) == 201
    assert await mod.request("POST", "/api/agenda", ROUTES["POST /api/agenda"]) == 201
    assert await mod.request("POST", "/api/meetings", ROUTES["POST /api/meetings"]) == 201
    registering = Row("anyone", {"name": "王阿姨"})
    resident = person["resident"]
    registered = await resident.request("POST", f"/api/meetings/{MEETING}/registrations", registering)
    assert registered == 201
    assert (
        await mod.request("POST", f"/api/agenda/{ITEM}/votes", ROUTES["POST /api/agenda/{id}/votes"]) == 201
    )
    await host.request("POST", f"/api/sessions/{SESSION}/polls", ROUTES["POST /api/sessions/{id}/polls"])
    for text in ("问题一", "问题二"):
        await host.request("POST", f"/api/sessions/{SESSION}/questions", Row("anyone", {"text": text}))


async def test_http_matrix(client: TestClient[Any, Any], world: World) -> None:
    services = client.app[SERVICES]
    await services.accounts.create_user("mod-b", PASSWORD, "moderator", "xingfu", "幸福网格员")
    person = await people(client)
    try:
        await seed(client, person)
        wrong: list[str] = []
        ordered = sorted(ROUTES.items(), key=lambda kv: kv[1].last)
        for route, row in ordered:
            method, path = route.split(" ", 1)
            allowed = ALLOWED[row.level] | set(row.also)
            # the refused first (they must change nothing), then the allowed
            for name in sorted(PEOPLE, key=lambda n: n in allowed):
                status = await person[name].request(method, fill(path), row)
                refused = status in (401, 403) or (row.hidden and status == 404)
                if status >= 500:
                    wrong.append(f"{route} as {name}: {status}")
                elif row.any_status:
                    continue
                elif name in allowed and (status in (401, 403) or (row.exists and status == 404)):
                    wrong.append(f"{route} as {name}: refused ({status}) but should be allowed")
                elif name not in allowed and not refused:
                    wrong.append(f"{route} as {name}: {status} but should be refused")
        assert wrong == [], "\n".join(wrong)
    finally:
        for p in person.values():
            await p.http.close()


async def test_socket_matrix(client: TestClient[Any, Any], world: World) -> None:
    services = client.app[SERVICES]
    await services.accounts.create_user("mod-b", PASSWORD, "moderator", "xingfu", "幸福网格员")
    person = await people(client)
    url = str(client.make_url("")).rstrip("/")
    peers = []
    try:
        await seed(client, person)
        wrong: list[str] = []
        for name in PEOPLE:
            headers = {"Cookie": person[name].cookie} if person[name].cookie else {}
            peer = await open_peer(url, name=None if headers else "居民", headers=headers)
            peers.append(peer)
            assert (await peer.call("join", {"session": SESSION}))["ok"], name
            for event, row in EVENTS.items():
                ack = await peer.call(event, row.body)
                allowed = name in ALLOWED[row.level]
                if not isinstance(ack, dict) or ack.get("error") == "internal":
                    wrong.append(f"{event} as {name}: {ack!r}")
                elif allowed and ack.get("error") in ("forbidden", "unauthenticated"):
                    wrong.append(f"{event} as {name}: refused but should be allowed ({ack})")
                elif not allowed and ack.get("ok"):
                    wrong.append(f"{event} as {name}: allowed but should be refused")
                if event == "leave":
                    await peer.call("join", {"session": SESSION})
        assert wrong == [], "\n".join(wrong)
    finally:
        for peer in peers:
            if peer.sio.connected:
                await peer.sio.disconnect()
        for p in person.values():
            await p.http.close()


# Pages (and the other routes outside /api): the same people, the same levels, plus ``staff``
# (staff of any community: their own desk or console) and ``hosts`` (a host of any community).
# A refused page is a redirect to /login, 401, 403 or 404.
ALLOWED["staff"] = {"mod-b", "host-b", "mod-a", "host-a", "admin"}
ALLOWED["hosts"] = {"host-b", "host-a", "admin"}
PAGES: dict[str, Row] = {
    "GET /live/{id}.ics": Row("anyone"),
    "GET /meetings/{id}.ics": Row("anyone"),
    "GET /communities/{slug}/calendar.ics": Row("anyone"),
    "GET /{kind}/{id}/qr.svg": Row("anyone"),
    "GET /{kind}/{id}/poster": Row("anyone"),
    "GET /care": Row("anyone"),
    "GET /meetings/{id}": Row("anyone"),
    "GET /healthz": Row("anyone"),
    "GET /metrics": Row("anyone"),  # from loopback; other addresses: tests/test_cli.py and docs
    "GET /": Row("anyone"),
    "GET /favicon.ico": Row("anyone"),
    "GET /live/{id}": Row("anyone"),
    "GET /login": Row("anyone"),
    "POST /login": Row("anyone", any_status=True),
    "POST /logout": Row("anyone", last=2),
    "GET /lang": Row("anyone"),
    "GET /register": Row("anyone"),
    "POST /register": Row("anyone", any_status=True),
    "POST /register/confirm": Row("anyone", any_status=True),
    "GET /reset": Row("anyone"),
    "POST /reset": Row("anyone", any_status=True),
    "POST /reset/confirm": Row("anyone", any_status=True),
    "GET /households/join": Row("anyone"),
    "POST /households/join": Row("anyone", any_status=True),
    "GET /households": Row("moderator", raw={"community": "hexie"}),
    "POST /households": Row("moderator", raw={"community": "hexie"}, any_status=True),
    "GET /admin": Row("admin"),
    "GET /archive": Row("anyone"),
    "GET /archive/{id}": Row("anyone"),
    "GET /uploads/{name}": Row("anyone", any_status=True),  # an opinion's photo: unguessable name
    "GET /agenda": Row("anyone"),
    "GET /agenda/{id}": Row("anyone"),
    "GET /triage": Row("moderator", raw={"community": "hexie"}),
    "GET /on-behalf": Row("moderator", raw={"community": "hexie"}),
    "GET /audit": Row("moderator", raw={"community": "hexie"}),
    "GET /inbox": Row("anyone"),
    "POST /inbox/read": Row("anyone"),
    "GET /host": Row("hosts"),
    "POST /host": Row("host", {"community": "hexie", "title": "表单直播"}),
    "GET /host/{id}": Row("host"),
    "GET /host/{id}/presenter": Row("moderator"),
    "GET /meetings/{id}/checkin": Row("moderator"),
    "GET /moderate/{id}": Row("moderator"),
    "GET /households/qr/{code}.svg": Row("anyone", any_status=True),
    "GET /hls/{id}/{name}": Row("anyone"),
    "GET /hls/{id}/{rendition}/{name}": Row("anyone"),  # the HLS ladder's low and audio renditions
    "GET /static/{path}": Row("anyone"),
    "GET /socket.io/": Row("anyone", any_status=True),
    "POST /socket.io/": Row("anyone", any_status=True),
    "OPTIONS /socket.io/": Row("anyone", any_status=True),
    # accountability: statistics and the report are public; "bearer": a party's own accounts only
    "GET /stats": Row("anyone"),
    "GET /stats/{slug}": Row("anyone"),
    "GET /reports/{slug}/{month}": Row("anyone"),
    "GET /party": Row("bearer"),
    "GET /files/photos/{name}": Row("anyone", any_status=True),  # a progress photo: unguessable name
    "POST /agenda/{id}/assign": Row("moderator", {"party": "1"}),
    "POST /agenda/{id}/progress": Row("moderator", {"note": "已联系物业"}),
    "POST /agenda/{id}/done": Row("bearer", {}),
    "POST /agenda/{id}/extend": Row("moderator", {"days": "2", "reason": "等配件"}),
    "POST /agenda/{id}/rate": Row("anyone", {"rating": "satisfied"}, any_status=True),  # participants
}


def page_routes(app: Any) -> set[str]:
    from aiohttp import web

    found = set()
    for route in app.router.routes():
        if isinstance(route.resource, web.StaticResource) or route.method == "HEAD":
            continue
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("path") or info.get("formatter") or ""
        if not path.startswith("/api/"):
            found.add(f"{route.method} {path}")
    return found


def fill_page(path: str) -> str:
    return (
        path.replace("{kind}", "live")
        .replace("{slug}", "hexie")
        .replace("{name}", "index.m3u8" if path.startswith("/hls/") else "none.jpg")
        .replace("{code}", "ABCDEFGH")
        .replace("{rendition}", "low")
        .replace("{path}", "css/app.css")
        .replace("{month}", "2026-11")
        .replace("{id}", "1")
    )


async def test_every_page_has_a_row(client: TestClient[Any, Any]) -> None:
    routes = page_routes(client.app)
    assert sorted(routes - set(PAGES)) == [], (
        "new pages need a row in PAGES (tests/hardening/test_authz_matrix.py)"
    )
    assert sorted(set(PAGES) - routes) == [], "rows for pages that no longer exist"


async def test_page_matrix(client: TestClient[Any, Any], world: World) -> None:
    services = client.app[SERVICES]
    await services.accounts.create_user("mod-b", PASSWORD, "moderator", "xingfu", "幸福网格员")
    person = await people(client)
    try:
        await seed(client, person)
        wrong: list[str] = []
        for route, row in sorted(PAGES.items(), key=lambda kv: kv[1].last):
            method, path = route.split(" ", 1)
            allowed = ALLOWED[row.level]
            for name in sorted(PEOPLE, key=lambda n: n in allowed):
                p = person[name]
                headers = {"Accept": "text/html"}
                if p.csrf:
                    headers["X-CSRF-Token"] = p.csrf
                kwargs: dict[str, Any] = {"data": row.body} if row.body is not None else {}
                async with p.http.request(
                    method, fill_page(path), headers=headers, params=row.raw, allow_redirects=False, **kwargs
                ) as response:
                    await response.read()
                    status, location = response.status, response.headers.get("Location", "")
                to_login = status in (302, 303) and location.startswith("/login")
                if status >= 500:
                    wrong.append(f"{route} as {name}: {status}")
                elif row.any_status:
                    continue
                elif name in allowed and (status in (401, 403) or to_login):
                    wrong.append(f"{route} as {name}: refused ({status} {location}) but should be allowed")
                elif name not in allowed and not (status in (401, 403, 404) or to_login):
                    wrong.append(f"{route} as {name}: {status} but should be refused")
        assert wrong == [], "\n".join(wrong)
    finally:
        for p in person.values():
            await p.http.close()
