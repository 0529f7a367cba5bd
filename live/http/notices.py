"""Inbox entries and timeline notes rendered in the reader's language, one function per code.

Codes and their params are defined in ``live/services/notices.py``; the msgids below are
translated in ``web/translations/zh_CN/LC_MESSAGES/notices.po``. A renderer never fails on
missing or odd params (old rows, codes from a newer version): it shows what it has."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from live.http import i18n
from live.http.i18n import gettext
from live.services.notices import Change, InboxKind, TimelineKind

Renderer = Callable[[Mapping[str, Any]], str]
INBOX: dict[str, Renderer] = {}
TIMELINE: dict[str, Renderer] = {}
ZONE = ZoneInfo("Asia/Shanghai")


def inbox(kind: InboxKind) -> Callable[[Renderer], Renderer]:
    def register(fn: Renderer) -> Renderer:
        INBOX[str(kind)] = fn
        return fn

    return register


def timeline(kind: TimelineKind) -> Callable[[Renderer], Renderer]:
    def register(fn: Renderer) -> Renderer:
        TIMELINE[str(kind)] = fn
        return fn

    return register


@contextmanager
def language(lang: str | None) -> Iterator[None]:
    """Render inside ``with language(lang):`` (pages already set it while rendering)."""
    if lang is None:
        yield
        return
    token = i18n.current_language.set(lang)
    try:
        yield
    finally:
        i18n.current_language.reset(token)


def render_inbox(kind: str, params: Mapping[str, Any] | None, lang: str | None = None) -> str:
    with language(lang):
        return _render(INBOX, kind, params or {})


def render_timeline(
    kind: str, params: Mapping[str, Any] | None, note: str = "", lang: str | None = None
) -> str:
    """The line of a timeline event: the rendered code, then the person's own note."""
    with language(lang):
        return _join(_render(TIMELINE, kind, params or {}), note.strip())


def lang_is_zh(lang: str | None) -> bool:
    return (lang or i18n.current_language.get()) != "en"


def _render(table: dict[str, Renderer], kind: str, params: Mapping[str, Any]) -> str:
    fn = table.get(kind)
    if fn is None:
        return str(params.get("text") or "")
    try:
        return fn(params)
    except (KeyError, TypeError, ValueError):
        return str(params.get("text") or "")


# ---- values -----------------------------------------------------------------------------------


def state_name(state: object) -> str:
    names = {
        "proposed": gettext("Proposed"),
        "scheduled": gettext("Scheduled"),
        "deliberating": gettext("Deliberating"),
        "decided": gettext("Decided"),
        "in_progress": gettext("In progress"),
        "resolved": gettext("Resolved"),
        "closed": gettext("Closed"),
    }
    return names.get(str(state), str(state))


def moment(value: object) -> str:
    """An ISO time shown in Asia/Shanghai, to the minute."""
    if not isinstance(value, str) or not value:
        return "—"
    try:
        return datetime.fromisoformat(value).astimezone(ZONE).strftime("%Y-%m-%d %H:%M")
    except (ValueError, OverflowError):
        return value


def which_limit(value: object) -> str:
    return gettext("response") if value == "response" else gettext("resolution")


def field_name(name: object) -> str:
    names = {
        str(Change.TITLE): gettext("Title"),
        str(Change.RESPONSIBLE): gettext("Responsible party"),
        str(Change.DUE_DATE): gettext("Due date"),
        str(Change.OUTCOME): gettext("Outcome"),
        str(Change.MEETING): gettext("Meeting"),
    }
    return names.get(str(name), str(name))


def changes_text(params: Mapping[str, Any]) -> str:
    parts: list[str] = []
    for entry in params.get("changes") or []:
        if not isinstance(entry, Mapping):
            continue
        name, value = entry.get("field"), entry.get("value")
        if name == Change.OPINIONS_ADDED:
            parts.append(gettext("%(count)s more opinions linked", count=value or 1))
            continue
        shown = "—" if value in (None, "") else str(value)
        parts.append(gettext("%(field)s: %(value)s", field=field_name(name), value=shown))
    return ("；" if lang_is_zh(None) else "; ").join(parts)


def meeting_text(params: Mapping[str, Any]) -> str:
    """The meeting that scheduled an item (``{meeting: {title, starts_at, place}}``), or ""."""
    meeting = params.get("meeting")
    if not isinstance(meeting, Mapping):
        return ""
    return gettext(
        "At the meeting «%(title)s», %(when)s, %(place)s",
        title=str(meeting.get("title") or ""),
        when=moment(meeting.get("starts_at")),
        place=str(meeting.get("place") or ""),
    )


def _join(*parts: str) -> str:
    sep = "；" if lang_is_zh(None) else "; "
    return sep.join(p for p in parts if p)


def _s(params: Mapping[str, Any], key: str) -> str:
    value = params.get(key)
    return "" if value is None else str(value)


# ---- inbox ------------------------------------------------------------------------------------


@inbox(InboxKind.TEXT)
def _text(p: Mapping[str, Any]) -> str:
    return _s(p, "text")


@inbox(InboxKind.OPINION_LISTED)
def _listed(p: Mapping[str, Any]) -> str:
    return gettext("Your opinion is now the agenda item «%(title)s»", title=_s(p, "title"))


@inbox(InboxKind.OPINION_MERGED)
def _merged(p: Mapping[str, Any]) -> str:
    return gettext(
        "Your opinion was merged with a similar one, now supported by %(count)s people: «%(excerpt)s»",
        count=p.get("supporters", 0),
        excerpt=_s(p, "excerpt"),
    )


@inbox(InboxKind.ITEM_STATUS)
def _status(p: Mapping[str, Any]) -> str:
    head = gettext("«%(title)s» is now %(status)s", title=_s(p, "title"), status=state_name(p.get("status")))
    return _join(head, meeting_text(p), _s(p, "note"), changes_text(p))


@inbox(InboxKind.ITEM_UPDATED)
def _updated(p: Mapping[str, Any]) -> str:
    head = gettext("News on «%(title)s»", title=_s(p, "title"))
    return _join(head, _s(p, "note"), changes_text(p))


@inbox(InboxKind.ITEM_ASSIGNED)
def _assigned(p: Mapping[str, Any]) -> str:
    return gettext(
        "«%(title)s» is assigned to %(party)s: respond by %(response)s, resolve by %(resolve)s",
        title=_s(p, "title"),
        party=_s(p, "party"),
        response=moment(p.get("response_due_at")),
        resolve=moment(p.get("resolve_due_at")),
    )


@inbox(InboxKind.ITEM_PROGRESS)
def _progress(p: Mapping[str, Any]) -> str:
    return _join(gettext("Progress on «%(title)s»", title=_s(p, "title")), _s(p, "note"))


@inbox(InboxKind.ITEM_PART_DONE)
def _part_done(p: Mapping[str, Any]) -> str:
    return gettext("%(party)s has done its part of «%(title)s»", party=_s(p, "party"), title=_s(p, "title"))


@inbox(InboxKind.ITEM_DUE_SOON)
def _due_soon(p: Mapping[str, Any]) -> str:
    return gettext(
        "«%(title)s»: the %(which)s limit ends at %(due)s",
        title=_s(p, "title"),
        which=which_limit(p.get("which")),
        due=moment(p.get("due_at")),
    )


@inbox(InboxKind.ITEM_OVERDUE)
def _overdue(p: Mapping[str, Any]) -> str:
    return gettext(
        "«%(title)s» is overdue: the %(which)s limit ended at %(due)s",
        title=_s(p, "title"),
        which=which_limit(p.get("which")),
        due=moment(p.get("due_at")),
    )


@inbox(InboxKind.ITEM_ESCALATED)
def _escalated(p: Mapping[str, Any]) -> str:
    return gettext(
        "Escalated: «%(title)s» (%(community)s, %(party)s) is overdue by %(days)s working days",
        title=_s(p, "title"),
        community=_s(p, "community"),
        party=_s(p, "party") or "—",
        days=p.get("days", 0),
    )


@inbox(InboxKind.ITEM_EXTENDED)
def _extended(p: Mapping[str, Any]) -> str:
    return gettext(
        "«%(title)s»: the limit is extended to %(due)s (%(reason)s)",
        title=_s(p, "title"),
        due=moment(p.get("due_at")),
        reason=_s(p, "reason"),
    )


@inbox(InboxKind.ITEM_RATE)
def _rate(p: Mapping[str, Any]) -> str:
    return gettext(
        "«%(title)s» is resolved. Are you satisfied? Please rate it by %(until)s",
        title=_s(p, "title"),
        until=moment(p.get("until")),
    )


@inbox(InboxKind.ITEM_REOPENED)
def _reopened(p: Mapping[str, Any]) -> str:
    return gettext(
        "«%(title)s» is reopened: %(unsatisfied)s of %(ratings)s ratings were unsatisfied",
        title=_s(p, "title"),
        unsatisfied=p.get("unsatisfied", 0),
        ratings=p.get("ratings", 0),
    )


# ---- timeline ---------------------------------------------------------------------------------


@timeline(TimelineKind.NOTE)
def _t_note(p: Mapping[str, Any]) -> str:
    return changes_text(p)


@timeline(TimelineKind.CREATED)
def _t_created(p: Mapping[str, Any]) -> str:
    count = p.get("opinions")
    if not count:
        return ""
    return gettext("Proposed from %(count)s residents' opinions", count=count)


@timeline(TimelineKind.STATUS)
def _t_status(p: Mapping[str, Any]) -> str:
    return _join(meeting_text(p), changes_text(p))


@timeline(TimelineKind.ASSIGNED)
def _t_assigned(p: Mapping[str, Any]) -> str:
    head = gettext(
        "Assigned to %(party)s: respond by %(response)s, resolve by %(resolve)s",
        party=_s(p, "party"),
        response=moment(p.get("response_due_at")),
        resolve=moment(p.get("resolve_due_at")),
    )
    previous = gettext("previously %(party)s", party=_s(p, "previous")) if p.get("previous") else ""
    supporting = (
        gettext("supported by %(parties)s", parties="、".join(str(x) for x in p.get("supporting") or []))
        if p.get("supporting")
        else ""
    )
    return _join(head, supporting, previous)


@timeline(TimelineKind.PROGRESS)
def _t_progress(p: Mapping[str, Any]) -> str:
    party = _s(p, "party")
    return gettext("Progress from %(party)s", party=party) if party else gettext("Progress")


@timeline(TimelineKind.PART_DONE)
def _t_part_done(p: Mapping[str, Any]) -> str:
    return gettext("%(party)s marked its part done", party=_s(p, "party"))


@timeline(TimelineKind.DUE_SOON)
def _t_due_soon(p: Mapping[str, Any]) -> str:
    return gettext(
        "Due soon: the %(which)s limit ends at %(due)s",
        which=which_limit(p.get("which")),
        due=moment(p.get("due_at")),
    )


@timeline(TimelineKind.OVERDUE)
def _t_overdue(p: Mapping[str, Any]) -> str:
    return gettext(
        "Overdue: the %(which)s limit ended at %(due)s",
        which=which_limit(p.get("which")),
        due=moment(p.get("due_at")),
    )


@timeline(TimelineKind.ESCALATED)
def _t_escalated(p: Mapping[str, Any]) -> str:
    return gettext("Escalated to the subdistrict: overdue by %(days)s working days", days=p.get("days", 0))


@timeline(TimelineKind.EXTENDED)
def _t_extended(p: Mapping[str, Any]) -> str:
    return gettext(
        "The %(which)s limit is extended by %(days)s working days to %(due)s",
        which=which_limit(p.get("which")),
        days=p.get("days", 0),
        due=moment(p.get("due_at")),
    )


@timeline(TimelineKind.LIMITS)
def _t_limits(p: Mapping[str, Any]) -> str:
    return gettext(
        "Limits: respond in %(response)s working days, resolve in %(resolve)s",
        response=p.get("response_days", 0),
        resolve=p.get("resolve_days", 0),
    )


@timeline(TimelineKind.REOPENED)
def _t_reopened(p: Mapping[str, Any]) -> str:
    return gettext(
        "Reopened: %(unsatisfied)s of %(ratings)s ratings were unsatisfied",
        unsatisfied=p.get("unsatisfied", 0),
        ratings=p.get("ratings", 0),
    )


@timeline(TimelineKind.ANNOUNCED)
def _t_announced(p: Mapping[str, Any]) -> str:
    return gettext("The outcome was presented on the broadcast «%(title)s»", title=_s(p, "title"))


@timeline(TimelineKind.VOTE_OPENED)
def _t_vote_opened(p: Mapping[str, Any]) -> str:
    if p.get("secret"):
        return gettext("Household vote opened (secret ballot): %(question)s", question=_s(p, "question"))
    return gettext("Household vote opened: %(question)s", question=_s(p, "question"))


@timeline(TimelineKind.VOTE_RESULT)
def _t_vote_result(p: Mapping[str, Any]) -> str:
    raw = p.get("results")
    results: list[Any] = raw if isinstance(raw, list) else []
    sep = "，" if lang_is_zh(None) else ", "
    parts = sep.join(
        gettext("%(option)s %(votes)s", option=_s(r, "text"), votes=r.get("votes", 0))
        for r in results
        if isinstance(r, dict)
    )
    head = gettext(
        "Household vote result: %(question)s, %(turnout)s of %(eligible)s households voted",
        question=_s(p, "question"),
        turnout=p.get("turnout", 0),
        eligible=p.get("eligible", 0),
    )
    return _join(head, parts)


@inbox(InboxKind.MEETING_REMINDER)
def _meeting_reminder(p: Mapping[str, Any]) -> str:
    head = gettext(
        "Reminder: «%(title)s» starts at %(when)s, %(place)s",
        title=_s(p, "title"),
        when=moment(p.get("starts_at")),
        place=_s(p, "place"),
    )
    return _join(head, gettext("You are on the waiting list.") if p.get("waitlisted") else "")
