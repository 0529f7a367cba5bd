"""The one validation layer: a msgspec schema per request (HTTP body, HTTP query, socket payload).

Transports decode what a client sent with ``decode_json`` (bodies), ``decode_query`` (query
strings) and ``decode_payload`` (socket events); any failure is an ``Invalid`` naming the field,
which ``live/http/errors.py`` answers ``400 {error, detail, field}`` and ``live/realtime/acks.py``
``{ok: false, error, detail, field}``. The same classes generate the OpenAPI 3.1 document
(``live/http/openapi.py``): each request schema lists the routes it serves in ``routes``.

What every schema guarantees, so that nothing a client sends can reach the database unbounded:
- ids are ASCII decimal (``"12"``, or the JSON integer ``12``), 1..2**31-1 (``Id``);
- every integer has bounds; every string has a maximum length;
- times are ISO 8601 within the years 1970..2100 (``live.schemas.moment``), dates likewise;
- a JSON text with a lone surrogate (``"\\ud800"``) is refused; free text is cleaned further by
  ``live.services.text.clean_text`` (NFC, no control or bidi-override characters, not empty).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, TypeVar

import msgspec

from live.errors import Invalid
from live.services.text import sanitize

MAX_ID = 2**31 - 1
MIN_YEAR, MAX_YEAR = 1970, 2100
MAX_LIMIT = 1000
MAX_OFFSET_MS = 7 * 24 * 3600 * 1000

Id = Annotated[
    int, msgspec.Meta(ge=1, le=MAX_ID, description="an id: decimal digits (as a string or an integer)")
]
Limit = Annotated[int, msgspec.Meta(ge=1, le=MAX_LIMIT)]
Seconds = Annotated[int, msgspec.Meta(ge=0, le=365 * 86400)]
Position = Annotated[int, msgspec.Meta(ge=-1_000_000, le=1_000_000)]
Attendance = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
Slug = Annotated[str, msgspec.Meta(max_length=64)]
Code = Annotated[str, msgspec.Meta(max_length=32)]
Name = Annotated[str, msgspec.Meta(max_length=200)]
Short = Annotated[str, msgspec.Meta(max_length=1000)]
Long = Annotated[str, msgspec.Meta(max_length=10000)]
Minutes = Annotated[str, msgspec.Meta(max_length=20000)]
WorkingDays = Annotated[int, msgspec.Meta(ge=1, le=250, description="a number of working days, 1-250")]
Moment = Annotated[
    str,
    msgspec.Meta(
        max_length=40,
        extra_json_schema={"format": "date-time"},
        description=f"ISO 8601 time with an offset, years {MIN_YEAR}..{MAX_YEAR}",
    ),
]
Day = Annotated[
    str,
    msgspec.Meta(
        max_length=40, extra_json_schema={"format": "date"}, description="YYYY-MM-DD, years 1970..2100"
    ),
]


class Schema(msgspec.Struct, kw_only=True):
    """A request schema; ``routes`` are the ``"METHOD /path"`` it describes (for OpenAPI).

    Every text field is sanitised on decoding (``live.services.text.sanitize``: NFC, no control
    or bidi-override characters, trimmed) except those named in ``raw_fields`` (passwords)."""

    routes: ClassVar[tuple[str, ...]] = ()
    where: ClassVar[str] = "body"  # body | query | socket
    raw_fields: ClassVar[frozenset[str]] = frozenset()
    # the error code of a field of the wrong type, where the interface promised one (chat: empty)
    type_codes: ClassVar[dict[str, str]] = {}
    # the error code of any refusal of a field (chat: bad_nonce)
    field_codes: ClassVar[dict[str, str]] = {}


class Query(Schema):
    where: ClassVar[str] = "query"


class Payload(Schema):
    where: ClassVar[str] = "socket"
    event: ClassVar[str] = ""


class Page(Query):
    limit: Limit = 100
    after: Id | None = None


# -- HTTP bodies ---------------------------------------------------------------------------------


class Login(Schema):
    routes = ("POST /api/auth/login",)
    raw_fields = frozenset({"password"})
    username: Slug
    password: Annotated[str, msgspec.Meta(max_length=256)]


class CreateSession(Schema):
    routes = ("POST /api/sessions",)
    community: Slug
    title: Name
    description: Annotated[str, msgspec.Meta(max_length=5000)] | None = None
    scheduled_at: Moment | None = None


class SubmitOpinion(Schema):
    routes = ("POST /api/opinions",)
    text: Long
    community: Slug | None = None
    category: Code | None = None
    location: Short | None = None
    session: Id | None = None
    source: Annotated[str, msgspec.Meta(max_length=16)] | None = None
    contact: Short | None = None


class SubmitOpinionForm(Schema):
    """``POST /api/opinions`` as multipart/form-data: the same fields (the files are read by the
    transport); ``text`` may be empty when a voice message comes with it."""

    text: Long = ""
    community: Slug | None = None
    category: Code | None = None
    location: Short | None = None
    session: Id | None = None
    source: Annotated[str, msgspec.Meta(max_length=16)] | None = None
    contact: Short | None = None


class TranscribeOpinion(Schema):
    routes = ("PATCH /api/opinions/{id}",)
    text: Long


class BulkOpinions(Schema):
    routes = ("POST /api/opinions/bulk",)
    ids: Annotated[list[Id], msgspec.Meta(max_length=1000)]
    action: Annotated[str, msgspec.Meta(max_length=16)]
    reason: Code | None = None
    note: Short | None = None
    into: Id | None = None


class MergeOpinion(Schema):
    routes = ("POST /api/opinions/{id}/merge",)
    into: Id


class RejectOpinion(Schema):
    routes = ("POST /api/opinions/{id}/reject",)
    reason: Code
    note: Short | None = None


class CreateAgendaItem(Schema):
    routes = ("POST /api/agenda",)
    community: Slug
    title: Short
    summary: Long | None = None
    opinions: Annotated[list[Id], msgspec.Meta(max_length=1000)] = []
    category: Code | None = None
    location: Short | None = None
    responsible: Short | None = None
    due_date: Day | None = None


class ChangeAgendaItem(Schema):
    routes = ("PATCH /api/agenda/{id}",)
    status: Code | None = None
    note: Long | None = None
    meeting: Id | None = None
    responsible: Short | None = None
    outcome: Long | None = None
    due_date: Day | None = None
    title: Short | None = None
    summary: Long | None = None
    opinions: Annotated[list[Id], msgspec.Meta(max_length=1000)] = []
    # accountability (CONTRACT §7): the lead party, supporting parties, the item's own limits
    party: Id | None = None
    supporting: Annotated[list[Id], msgspec.Meta(max_length=50)] | None = None
    response_days: WorkingDays | None = None
    resolve_days: WorkingDays | None = None
    field_codes: ClassVar[dict[str, str]] = {"response_days": "bad_days", "resolve_days": "bad_days"}


class CreateMeeting(Schema):
    routes = ("POST /api/meetings",)
    community: Slug
    format: Code
    title: Short
    starts_at: Moment
    place: Short
    agenda: Annotated[list[Id], msgspec.Meta(max_length=1000)] = []


class RecordMeeting(Schema):
    routes = ("PATCH /api/meetings/{id}",)
    attendance: Attendance | None = None
    # places at the meeting (null: no limit); more places move the waiting list up
    capacity: Annotated[int, msgspec.Meta(ge=1, le=100000)] | msgspec.UnsetType | None = msgspec.UNSET
    minutes: Minutes | None = None
    decisions: Annotated[dict[Id, Long], msgspec.Meta(max_length=1000)] = {}
    title: Short | None = None
    place: Short | None = None
    starts_at: Moment | None = None


class AddCommunity(Schema):
    routes = ("POST /api/admin/communities",)
    slug: Slug
    name: Annotated[str, msgspec.Meta(max_length=128)]


class AddPlace(Schema):
    routes = ("POST /api/admin/places",)
    kind: Annotated[str, msgspec.Meta(max_length=16)]
    community: Slug
    name: Name
    parent: Id | None = None


class CreateUser(Schema):
    routes = ("POST /api/admin/users",)
    raw_fields = frozenset({"password"})
    username: Slug
    password: Annotated[str, msgspec.Meta(max_length=256)]
    role: Annotated[str, msgspec.Meta(max_length=16)]
    community: Slug | None = None
    name: Slug | None = None


class UpdateUser(Schema):
    """``community: null`` (or ``""``) takes the user out of their community; absent leaves it."""

    routes = ("PATCH /api/admin/users/{id}",)
    role: Annotated[str, msgspec.Meta(max_length=16)] | None = None
    community: Slug | msgspec.UnsetType | None = msgspec.UNSET
    disabled: bool | None = None


class AddCategory(Schema):
    routes = ("POST /api/categories",)
    key: Code
    name_zh: Slug
    name_en: Slug | None = None


class EditCategory(Schema):
    routes = ("PATCH /api/categories/{key}",)
    name_zh: Slug | None = None
    name_en: Slug | None = None
    position: Position | None = None
    active: bool | None = None
    response_days: WorkingDays | None = None
    resolve_days: WorkingDays | None = None
    community: Slug | None = None  # with the limits: that community's own limits for the category
    field_codes: ClassVar[dict[str, str]] = {"response_days": "bad_days", "resolve_days": "bad_days"}


class Words(Schema):
    """``{"words": [...]}`` or ``{"word": "..."}``."""

    routes = ("POST /api/words", "DELETE /api/words")
    words: Annotated[list[Slug], msgspec.Meta(max_length=1000)] | Slug | None = None
    word: Slug | None = None


class HouseholdCode(Schema):
    routes = ("POST /api/households/codes",)
    field_codes = {"room": "bad_room"}
    unit: Id
    room: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class JoinHousehold(Schema):
    routes = ("POST /api/households/join",)
    field_codes = {"code": "bad_code"}
    code: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class HouseholdMember(Schema):
    routes = ("POST /api/households/verify", "POST /api/households/move")
    field_codes = {"room": "bad_room"}
    user: Id
    unit: Id
    room: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class RevokeHousehold(Schema):
    routes = ("POST /api/households/revoke",)
    user: Id


class AskQuestion(Schema):
    routes = ("POST /api/sessions/{id}/questions",)
    text: Annotated[str, msgspec.Meta(max_length=5000)]


class QuestionStatus(Schema):
    routes = ("PATCH /api/questions/{id}",)
    status: Code


class MergeQuestion(Schema):
    routes = ("POST /api/questions/{id}/merge",)
    into: Id


class OpenPoll(Schema):
    routes = ("POST /api/sessions/{id}/polls",)
    field_codes = {"options": "bad_options"}
    question: Short
    options: Annotated[list[Short], msgspec.Meta(max_length=8)]
    multiple: bool | None = False
    closes_at: Moment | None = None


class Vote(Schema):
    routes = ("POST /api/polls/{id}/vote",)
    field_codes = {"options": "bad_options"}
    options: Annotated[list[Id], msgspec.Meta(max_length=8)]


# -- accountability (CONTRACT §7) ---------------------------------------------------------------

Month = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^(19[7-9][0-9]|20[0-9][0-9]|2100)-(0[1-9]|1[0-2])$",
        description="a month, YYYY-MM, years 1970..2100",
    ),
]


class CreateParty(Schema):
    routes = ("POST /api/parties",)
    name: Short
    kind: Code
    community: Slug | None = None
    contact: Short | None = None


class ProgressNote(Schema):
    """``POST /api/agenda/{id}/progress`` as JSON (multipart with photos is read by the transport)."""

    routes = ("POST /api/agenda/{id}/progress",)
    note: Long


class MarkDone(Schema):
    routes = ("POST /api/agenda/{id}/done",)
    outcome: Long | None = None


class ExtendItem(Schema):
    routes = ("POST /api/agenda/{id}/extend",)
    field_codes = {"days": "bad_days", "which": "bad_which"}
    days: WorkingDays
    reason: Short
    which: Annotated[str, msgspec.Meta(max_length=16)] | None = None


class RateItem(Schema):
    routes = ("POST /api/agenda/{id}/rating",)
    field_codes = {"rating": "bad_rating"}
    rating: Code
    comment: Short | None = None


class CorrectDay(Schema):
    """``workday``: true (a working day), false (a day off) or null (back to the calendar)."""

    routes = ("PUT /api/admin/calendar/{day}",)
    field_codes = {"workday": "bad_workday"}
    workday: bool | None = None
    note: Annotated[str, msgspec.Meta(max_length=128)] | None = None


# -- household votes (表决) and entries on behalf of residents (代录) -----------------------------

Ids = Annotated[list[Id], msgspec.Meta(max_length=200)]


class OpenVote(Schema):
    routes = ("POST /api/agenda/{id}/votes",)
    field_codes = {"options": "bad_options"}
    question: Short
    options: Annotated[list[Short], msgspec.Meta(max_length=8)]
    secret: bool | None = False
    compounds: Ids | None = None
    buildings: Ids | None = None
    closes_at: Moment | None = None


class CastBallot(Schema):
    routes = ("POST /api/votes/{id}/ballot",)
    option: Id


class EnterBallot(Schema):
    """Staff: a paper ballot, or one on behalf of a named resident with their consent."""

    routes = ("POST /api/votes/{id}/entries",)
    household: Id
    option: Id
    channel: Annotated[str, msgspec.Meta(max_length=16)]
    voter_name: Name
    consent: bool | None = False


class OnBehalf(Schema):
    """Who a moderator enters something for: the household (its id, or its unit and room: found
    or made), the resident's name, their consent."""

    resident: Name
    household: Id | None = None
    unit: Id | None = None
    room: Code | None = None
    consent: bool | None = False
    channel: Annotated[str, msgspec.Meta(max_length=16)] | None = None


class OnBehalfOpinion(OnBehalf, kw_only=True):
    routes = ("POST /api/on-behalf/opinions",)
    text: Long
    category: Code | None = None
    location: Short | None = None


class OnBehalfSupport(OnBehalf, kw_only=True):
    routes = ("POST /api/on-behalf/supports",)
    opinion: Id


class OnBehalfVote(OnBehalf, kw_only=True):
    routes = ("POST /api/on-behalf/votes",)
    vote: Id
    option: Id


class OnBehalfRating(OnBehalf, kw_only=True):
    routes = ("POST /api/on-behalf/ratings",)
    field_codes = {"rating": "bad_rating"}
    item: Id
    rating: Code
    comment: Short | None = None


# -- meeting registrations and check-in ---------------------------------------------------------


class RegisterForMeeting(Schema):
    routes = ("POST /api/meetings/{id}/registrations",)
    name: Name | None = None


class CheckIn(Schema):
    """``{code}`` (scanned or typed at the door) or ``{registration}`` (found by name)."""

    routes = ("POST /api/meetings/{id}/checkin",)
    code: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    registration: Id | None = None


# -- HTTP queries --------------------------------------------------------------------------------


class SessionList(Page):
    routes = ("GET /api/sessions",)
    status: Code | None = None
    community: Slug | None = None


class OpinionList(Page):
    routes = ("GET /api/opinions", "GET /api/opinions.csv", "GET /api/opinions.xlsx")
    community: Slug | None = None
    status: Code | None = None
    category: Code | None = None
    session: Id | None = None
    location: Short | None = None
    q: Short | None = None


class AgendaList(Page):
    routes = ("GET /api/agenda", "GET /api/agenda.csv", "GET /api/agenda.xlsx")
    community: Slug | None = None
    status: Code | None = None
    category: Code | None = None
    location: Short | None = None


class MeetingList(Page):
    routes = ("GET /api/meetings",)
    community: Slug | None = None


class PageOnly(Page):
    routes = (
        "GET /api/inbox",
        "GET /api/sessions/{id}/viewers",
        "GET /api/sessions/{id}/audit",
        "GET /api/admin/users",
        "GET /api/sessions/{id}/questions",
    )


class MessageList(Page):
    """A session's messages; ``from_ms``/``to_ms`` read one stretch of the broadcast (replay)."""

    routes = ("GET /api/sessions/{id}/messages",)
    from_ms: Annotated[int, msgspec.Meta(ge=0, le=MAX_OFFSET_MS)] | None = None
    to_ms: Annotated[int, msgspec.Meta(ge=0, le=MAX_OFFSET_MS)] | None = None


class CommunityFilter(Query):
    routes = ("GET /api/parties", "GET /api/board/parties", "GET /api/stats/channels")
    community: Slug | None = None


class StatsQuery(Query):
    routes = ("GET /api/stats", "GET /api/stats/{table}")
    field_codes = {"month": "bad_month"}
    community: Slug | None = None
    month: Month | None = None


class OnBehalfList(Page):
    routes = ("GET /api/on-behalf",)
    community: Slug | None = None


class CommunityQuery(Query):
    routes = ("GET /api/households/members",)
    community: Slug


class WordList(Query):
    routes = ("GET /api/words",)
    limit: Limit = 100
    after: Slug | None = None


class AuditExport(Query):
    routes = ("GET /api/audit.csv",)
    community: Slug | None = None
    session: Id | None = None


class CategoryList(Query):
    routes = ("GET /api/categories",)
    all: Annotated[str, msgspec.Meta(max_length=1)] | None = None


class PlaceList(Query):
    routes = ("GET /api/places",)
    community: Slug


# -- identity: residents' accounts and households (issue 8) --------------------------------------

Phone = Annotated[str, msgspec.Meta(max_length=32, description="an 11-digit mainland mobile number")]
Password = Annotated[str, msgspec.Meta(max_length=256)]
Room = Annotated[str, msgspec.Meta(max_length=32, description="a room of the unit, e.g. 301")]


class Register(Schema):
    routes = ("POST /api/auth/register",)
    raw_fields = frozenset({"password"})
    name: Annotated[str, msgspec.Meta(max_length=64)]
    phone: Phone
    password: Password


class PhoneCode(Schema):
    routes = ("POST /api/auth/register/confirm",)
    phone: Phone
    code: Annotated[str, msgspec.Meta(max_length=16)]


class ResetRequest(Schema):
    routes = ("POST /api/auth/reset",)
    phone: Phone


class ResetConfirm(Schema):
    routes = ("POST /api/auth/reset/confirm",)
    raw_fields = frozenset({"password"})
    phone: Phone
    code: Annotated[str, msgspec.Meta(max_length=16)]
    password: Password


# -- socket payloads -----------------------------------------------------------------------------


class JoinSession(Payload):
    event = "join"
    session: Id


class LeaveSession(Payload):
    event = "leave"
    session: Id


class ChatMessage(Payload):
    event = "chat"
    type_codes = {"text": "empty"}
    field_codes = {"nonce": "bad_nonce"}
    session: Id
    text: Annotated[str, msgspec.Meta(max_length=4000)] | None = None
    nonce: Annotated[str, msgspec.Meta(max_length=64)] | int | None = None


class RaiseOpinion(Payload):
    event = "opinion"
    type_codes = {"text": "empty"}
    session: Id
    text: Long | None = None
    category: Code | None = None
    location: Short | None = None


class Watch(Payload):
    """Follow an agenda item's household votes or a meeting's registrations live (public counts)."""

    event = "watch"
    item: Id | None = None
    meeting: Id | None = None


class Showcase(Payload):
    event = "showcase"
    session: Id
    item: Id


class Moderate(Payload):
    event = "moderate"
    session: Id
    action: Code | None = None
    message: Id | None = None
    user: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    seconds: Seconds | None = None
    reason: Short | None = None


class SocketAuth(Payload):
    """The ``auth`` object of a Socket.IO connection: a guest token the server signed and the
    display name (checked further by ``live.services.guests.clean_display_name``, which refuses
    control characters rather than dropping them, hence ``raw_fields``)."""

    event = "connect"
    raw_fields = frozenset({"name"})
    type_codes = {"name": "bad_name"}
    field_codes = {"name": "bad_name"}
    guest: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    name: Annotated[str, msgspec.Meta(max_length=200)] | None = None


# -- decoding ------------------------------------------------------------------------------------

S = TypeVar("S", bound=Schema)
_AT = re.compile(r" - at `\$\.?([A-Za-z_][A-Za-z0-9_]*)?")
_MISSING = re.compile(r"missing required field `([^`]+)`")


def _refusal(err: msgspec.ValidationError, schema: type[Schema]) -> Invalid:
    message = str(err)
    if message.startswith("Expected `object`") and " - at " not in message:
        return Invalid("body must be a JSON object", code="invalid_json")
    missing = _MISSING.search(message)
    if missing:
        field = missing.group(1)
        return Invalid(f"{field} is required", code="missing_field", field=field)
    at = _AT.search(message)
    field = at.group(1) if at and at.group(1) else None
    detail = message.split(" - at ")[0]
    code = "too_long" if "length <=" in message else schema.type_codes.get(field or "", "invalid")
    code = schema.field_codes.get(field or "", code)
    return Invalid(f"{field}: {detail}" if field else detail, code=code, field=field)


def _clean(value: Any, field: str) -> Any:
    if isinstance(value, str):
        return sanitize(value, field)
    if isinstance(value, list):
        return [_clean(v, field) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v, field) for k, v in value.items()}
    return value


def _sanitized(obj: S) -> S:
    for name in obj.__struct_fields__:
        if name not in obj.raw_fields:
            setattr(obj, name, _clean(getattr(obj, name), name))
    return obj


def decode_json(raw: bytes, schema: type[S]) -> S:
    """A JSON body (empty means ``{}``) as ``schema``; lone surrogates and bad JSON: invalid_json."""
    if not raw.strip():
        raw = b"{}"
    try:
        return _sanitized(msgspec.json.decode(raw, type=schema, strict=False))
    except msgspec.ValidationError as err:
        raise _refusal(err, schema) from err
    except msgspec.DecodeError as err:
        raise Invalid("body is not valid JSON", code="invalid_json") from err


def decode_query(query: Mapping[str, str], schema: type[S]) -> S:
    """Query parameters as ``schema`` (an empty value counts as absent)."""
    values = {key: value for key, value in query.items() if value != ""}
    return decode_payload(values, schema)


def decode_payload(data: Any, schema: type[S]) -> S:
    """A socket payload (already parsed JSON) as ``schema``, with the same rules as a body."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise Invalid("the payload must be an object", code="bad_request")
    try:
        raw = msgspec.json.encode(data)
    except (UnicodeEncodeError, TypeError, OverflowError) as err:
        raise Invalid("the payload is not valid text", code="invalid") from err
    try:
        return _sanitized(msgspec.json.decode(raw, type=schema, strict=False))
    except msgspec.ValidationError as err:
        raise _refusal(err, schema) from err
    except msgspec.DecodeError as err:
        raise Invalid("the payload is not valid JSON", code="invalid") from err


def in_range(value: datetime, field: str) -> datetime:
    """Refuse a time outside the years 1970..2100 (in UTC and in its own offset)."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise Invalid(f"{field}: years {MIN_YEAR}..{MAX_YEAR} only", field=field)
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError) as err:
        raise Invalid(f"{field}: years {MIN_YEAR}..{MAX_YEAR} only", field=field) from err
    if not MIN_YEAR <= utc.year <= MAX_YEAR:
        raise Invalid(f"{field}: years {MIN_YEAR}..{MAX_YEAR} only", field=field)
    return value


def moment(value: str | None, field: str) -> datetime | None:
    """An ISO 8601 time (``Z`` or an offset; naive means UTC) within 1970..2100, or None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.isascii():
        raise Invalid(f"{field} must be an ISO 8601 time", field=field)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as err:
        raise Invalid(f"{field} must be an ISO 8601 time", field=field) from err
    return in_range(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC), field)


def day(value: str | None, field: str = "due_date") -> date | None:
    """A calendar date ``YYYY-MM-DD`` (a time's date part accepted) within 1970..2100, or None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.isascii():
        raise Invalid(f"{field} must be a date (YYYY-MM-DD)", field=field)
    try:
        parsed = date.fromisoformat(value[:10])
    except ValueError as err:
        raise Invalid(f"{field} must be a date (YYYY-MM-DD)", field=field) from err
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise Invalid(f"{field}: years {MIN_YEAR}..{MAX_YEAR} only", field=field)
    return parsed


def all_schemas() -> list[type[Schema]]:
    """Every concrete request schema (those that name a route or an event)."""
    found: list[type[Schema]] = []
    stack: list[type[Schema]] = [Schema]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if sub.routes or (issubclass(sub, Payload) and sub.event):
                found.append(sub)
    return sorted(set(found), key=lambda c: c.__name__)
