"""Property-based tests: nothing a client sends makes the server answer 5xx, hang or drop.

- schemathesis generates requests from ``/api/openapi.json`` (valid ones and invalid ones) for
  every operation, against the running test server, anonymously and as a signed-in admin (cookie
  and CSRF token), and checks that none is answered 5xx (or not at all within 10 s);
- hypothesis sends arbitrary JSON payloads (and payloads shaped like each event's schema) with
  real socket.io clients to every event the server registers, and checks that each gets an ack
  ``{ok: ...}`` (never ``internal``), and that the connection and the server survive.

Bounded to run in about a minute here: ``RT_FUZZ_EXAMPLES`` (default 5) examples per operation
and generation mode, ``RT_FUZZ_SOCKET_EXAMPLES`` (default 40) payloads per socket event."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from live.realtime.context import REALTIME
from live.schemas import Payload, all_schemas
from tests.conftest import PASSWORD, World, login
from tests.realtime.conftest import Connect, Room, session_cookie

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("RT_FUZZ_EXAMPLES", "5"))
SOCKET_EXAMPLES = int(os.environ.get("RT_FUZZ_SOCKET_EXAMPLES", "40"))
# A signed-in fuzzer must stay signed in: it does not sign itself out or change accounts.
KEEP_SIGNED_IN = {("POST", "/api/auth/logout"), ("PATCH", "/api/admin/users/{id}")}
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


async def seed(client: TestClient[Any, Any]) -> None:
    """A few objects with small ids, so that generated ids sometimes find something."""
    csrf = await login(client, "host-a")
    for title in ("周四直播间", "停车议事"):
        await client.post(
            "/api/sessions", json={"community": "hexie", "title": title}, headers={"X-CSRF-Token": csrf}
        )
    await client.post("/api/sessions/1/start", headers={"X-CSRF-Token": csrf})
    for text in ("路灯坏了", "停车位不够"):
        await client.post(
            "/api/opinions",
            json={"community": "hexie", "text": text, "session": "1"},
            headers={"X-CSRF-Token": csrf},
        )
    await client.post(
        "/api/agenda",
        json={"community": "hexie", "title": "路灯", "opinions": ["1"]},
        headers={"X-CSRF-Token": csrf},
    )


def _sdp_serializer() -> None:
    """WHIP/WHEP bodies are ``application/sdp`` text: sent as UTF-8 bytes."""
    from schemathesis.transport.requests import REQUESTS_TRANSPORT

    def sdp(_ctx: Any, value: Any) -> dict[str, Any]:
        return {"data": value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")}

    REQUESTS_TRANSPORT.serializer("application/sdp")(sdp)


_GENERATED: dict[str, dict[tuple[str, str], list[Any]]] = {}


def generated_cases(document: dict[str, Any]) -> dict[tuple[str, str], list[Any]]:
    """Each operation's requests, ``EXAMPLES`` valid and ``EXAMPLES`` invalid ones, generated
    once per test session for a given document and sent by every run (each database, each
    identity). Nothing is lost by this: the property fails on nothing but the answers, so
    hypothesis never adapts generation to them, and with ``derandomize`` each run generated
    these very requests anyway. Generating them was most of a run's CPU (about 6 s of ~13 s)."""
    import schemathesis
    from schemathesis import GenerationMode

    digest = json.dumps(document, sort_keys=True)
    if digest in _GENERATED:
        return _GENERATED[digest]
    schema = schemathesis.openapi.from_dict(document)
    made: dict[tuple[str, str], list[Any]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        cases = made.setdefault((operation.method.upper(), operation.path), [])
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                strategy = operation.as_strategy(generation_mode=mode)
            except Exception:  # an operation with nothing to make invalid
                continue
            try:
                cases.extend(_examples(strategy))
            except Unsatisfiable:
                assert mode == GenerationMode.NEGATIVE  # nothing in this operation can be made invalid
    _GENERATED[digest] = made
    return made


def _examples(strategy: Any) -> list[Any]:
    found: list[Any] = []

    @FUZZ_SETTINGS
    @given(case=strategy)
    def collect(case: Any) -> None:
        found.append(case)

    collect()
    return found


def fuzz_api(base_url: str, username: str | None) -> list[str]:
    """Run schemathesis over every operation (in a worker thread); the failures found."""
    import requests

    _sdp_serializer()
    http = requests.Session()
    headers: dict[str, str] = {}
    csrf = http.get(f"{base_url}/api/me", timeout=10).json()["csrf"]
    if username is not None:
        signed_in = http.post(
            f"{base_url}/api/auth/login",
            json={"username": username, "password": PASSWORD},
            headers={"X-CSRF-Token": csrf},
            timeout=10,
        )
        assert signed_in.status_code == 200, signed_in.text
        csrf = signed_in.json()["csrf"]
    else:
        http = requests.Session()  # no cookie at all: a script
    headers["X-CSRF-Token"] = csrf
    document = http.get(f"{base_url}/api/openapi.json", timeout=10).json()
    failures: list[str] = []
    calls: list[int] = []
    for (method, path), cases in generated_cases(document).items():
        if username is not None and (method, path) in KEEP_SIGNED_IN:
            continue
        for case in cases:
            try:
                response = case.call(base_url=base_url, session=http, headers=headers, timeout=10)
            except requests.exceptions.RequestException as err:
                failures.append(f"{case.as_curl_command()}: no answer ({err!r})")
                continue
            calls.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.as_curl_command()}: {response.status_code} {response.text[:200]}")
    operations = sum(len(ops) for ops in document["paths"].values())
    assert len(calls) >= operations, (len(calls), operations)  # every operation was called
    assert any(status < 400 for status in calls)  # and some got through validation
    return failures


@pytest.mark.parametrize("who", [None, "admin"])
async def test_schemathesis_finds_no_5xx(client: TestClient[Any, Any], world: World, who: str | None) -> None:
    await seed(client)
    base_url = str(client.make_url("")).rstrip("/")
    failures = await asyncio.to_thread(fuzz_api, base_url, who)
    assert failures == [], "\n".join(failures[:20])
    assert (await client.get("/healthz")).status == 200


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["\ud800", "\u202e", "\u200b", "1\u00b2", "１", "0", "-1", "", " ", "x" * 600]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def payloads(fields: list[str], session_id: str) -> st.SearchStrategy[Any]:
    ids = st.sampled_from([session_id, "1", "2", 1, "999999"]) | json_values
    shaped = st.fixed_dictionaries(
        {"session": ids},
        optional={
            name: ids if name in ("item", "message") else json_values for name in fields if name != "session"
        },
    )
    return shaped | json_values


def fuzz_socket(
    call: Callable[[str, Any], Any], events: list[str], fields: dict[str, list[str]], session_id: str
) -> list[str]:
    problems: list[str] = []

    def for_event(event: str) -> Callable[[], None]:
        @settings(
            max_examples=SOCKET_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(data=payloads(fields.get(event, ["text", "action", "user", "seconds", "reason"]), session_id))
        def run(data: Any) -> None:
            try:
                ack = call(event, data)
            except Exception as err:
                problems.append(f"{event} {data!r}: no ack ({err!r})")
                return
            if not isinstance(ack, dict) or "ok" not in ack:
                problems.append(f"{event} {data!r}: ack {ack!r}")
            elif ack["ok"] is False and (
                ack.get("error") == "internal" or not isinstance(ack.get("error"), str)
            ):
                problems.append(f"{event} {data!r}: {ack!r}")

        return run  # type: ignore[no-any-return]

    for event in events:
        for_event(event)()
    return problems


async def test_socket_events_survive_arbitrary_payloads(
    client: TestClient[Any, Any], connect: Connect, room: Room
) -> None:
    sio = client.app[REALTIME].sio
    events = sorted(name for name in sio.handlers["/"] if name not in ("connect", "disconnect", "*"))
    assert {"join", "chat", "opinion", "moderate"} <= set(events)
    fields = {s.event: list(s.__struct_fields__) for s in all_schemas() if issubclass(s, Payload) and s.event}
    guest = await connect(name="路人", guest="fuzz-guest-1")
    staff = await connect(name=None, headers={"Cookie": await session_cookie(client, "host-a")})
    loop = asyncio.get_running_loop()
    for peer in (guest, staff):
        assert (await peer.call("join", {"session": room.id}))["ok"]

        def call(event: str, data: Any, peer: Any = peer) -> Any:
            return asyncio.run_coroutine_threadsafe(peer.sio.call(event, data, timeout=10), loop).result(15)

        problems = await asyncio.to_thread(fuzz_socket, call, events, fields, room.id)
        assert problems == [], "\n".join(problems[:20])
        assert peer.sio.connected
    # the server still serves everyone
    fresh = await connect(name="新来的")
    assert (await fresh.call("join", {"session": room.id}))["ok"]
    assert (await client.get("/healthz")).status == 200


async def test_socket_connect_auth_goes_through_its_schema(
    client: TestClient[Any, Any], room: Room, caplog: pytest.LogCaptureFixture
) -> None:
    """The ``auth`` object of a connection (``SocketAuth``): anything a client puts there is either
    accepted or refused with a clear ``{error, detail}`` (never ``internal``, never a crash)."""
    import socketio

    url = str(client.make_url("")).rstrip("/")
    loop = asyncio.get_running_loop()

    async def attempt(auth: Any) -> dict[str, Any] | None:
        """None when the connection was accepted; else the refusal the server sent."""
        sio = socketio.AsyncClient(reconnection=False)
        refused: list[Any] = []
        sio.on("connect_error", lambda data=None: refused.append(data))
        try:
            await sio.connect(url, auth=auth, transports=["websocket"], wait_timeout=10)
        except socketio.exceptions.ConnectionError:
            assert refused, f"auth {auth!r}: refused without a reason"
            reason = refused[-1]
            assert isinstance(reason, dict) and isinstance(reason.get("data"), dict), reason
            assert reason["message"] == reason["data"]["detail"]
            return reason["data"]  # type: ignore[no-any-return]
        await sio.disconnect()
        return None

    def run(auth: Any) -> dict[str, Any] | None:
        return asyncio.run_coroutine_threadsafe(attempt(auth), loop).result(20)

    # the refusals the interface names
    assert await attempt({"name": "王阿姨"}) is None
    assert await attempt(None) is None
    assert (await attempt("a string")) == {"error": "bad_request", "detail": "the payload must be an object"}
    assert (await attempt({"name": 12}))["error"] == "bad_name"  # type: ignore[index]
    assert (await attempt({"name": "x" * 300}))["error"] == "bad_name"  # type: ignore[index]
    bad_guest = await attempt({"guest": ["not", "a", "token"]})
    assert bad_guest is not None and bad_guest["field"] == "guest"

    problems: list[str] = []
    # Socket.IO's CONNECT packet carries an object (or nothing); a bare number would be read by the
    # packet decoder as an ack id (python-socketio logs it and the client times out) before any
    # handler of ours runs, so the fuzzed ``auth`` is always an object.
    shaped = st.fixed_dictionaries({}, optional={"guest": json_values, "name": json_values})

    @settings(
        max_examples=SOCKET_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(auth=shaped | st.dictionaries(st.text(max_size=8), json_values, max_size=3))
    def fuzz(auth: Any) -> None:
        try:
            refusal = run(auth)
        except Exception as err:
            problems.append(f"{auth!r}: {err!r}")
            return
        if refusal is not None and (
            refusal.get("error") == "internal" or not isinstance(refusal.get("error"), str)
        ):
            problems.append(f"{auth!r}: {refusal!r}")

    await asyncio.to_thread(fuzz)
    assert problems == [], "\n".join(problems[:20])
    assert "identifying a socket failed" not in caplog.text
    assert (await client.get("/healthz")).status == 200
