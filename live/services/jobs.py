"""The scheduled job over time limits: due soon, overdue (response and resolution), escalation;
and the meeting reminders in the inbox the day before (once per registration).

One runner at a time across processes: a lock row (``job_locks``) taken with a conditional
UPDATE and a lease. Each step happens at most once per item however the runs interleave: its
flag (``due_soon_at``, ``response_overdue_at``, ``overdue_at``, ``escalated_at``) is claimed by
a conditional UPDATE inside the same transaction as its timeline event and inbox entries.

``run(as_of)`` judges the items as of ``as_of`` (``python -m live jobs run --now``); the lock's
lease runs on the real (injected) clock."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from live.clock import Clock
from live.services.accountability import calendar, due_soon, iso
from live.services.inbox import deliver
from live.services.notices import InboxKind, Notice, TimelineKind
from live.services.registrations import send_reminders
from live.storage import accountability as store
from live.storage.agenda import AgendaEvent, add_event, get_item
from live.storage.db import Database, Duplicate
from live.storage.places import community_by_id

log = logging.getLogger(__name__)
LOCK = "time_limits"
LEASE_S = 300


@dataclass
class JobReport:
    ran: bool
    due_soon: int = 0
    response_overdue: int = 0
    overdue: int = 0
    escalated: int = 0
    reminders: int = 0

    def __str__(self) -> str:
        if not self.ran:
            return "another process is running the jobs; nothing done"
        return (
            f"due soon {self.due_soon}, response overdue {self.response_overdue}, "
            f"overdue {self.overdue}, escalated {self.escalated}, meeting reminders {self.reminders}"
        )


class Jobs:
    def __init__(self, db: Database, clock: Clock, *, due_soon_days: int = 1, escalate_days: int = 5) -> None:
        self.db = db
        self.clock = clock
        self.due_soon_days = due_soon_days
        self.escalate_days = escalate_days
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    async def run_waiting(self, as_of: datetime | None = None, wait_s: float = 60.0) -> JobReport:
        """Like ``run``, but when another process holds the lock, wait for it (up to ``wait_s``
        seconds of real time) and then run: the command line always does its pass."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        while True:
            report = await self.run(as_of)
            if report.ran or loop.time() >= deadline:
                return report
            await asyncio.sleep(0.2)

    async def run(self, as_of: datetime | None = None) -> JobReport:
        as_of = as_of or self.clock.now()
        now = self.clock.now()
        try:
            async with self.db.transaction() as s:
                await store.ensure_lock_row(s, LOCK, now)
        except Duplicate:
            pass  # another process made the row first
        async with self.db.transaction() as s:
            if not await store.take_lock(s, LOCK, self.holder, now, now + timedelta(seconds=LEASE_S)):
                return JobReport(ran=False)
        try:
            return await self._run(as_of)
        finally:
            async with self.db.transaction() as s:
                await store.release_lock(s, LOCK, self.holder, self.clock.now())

    async def _run(self, as_of: datetime) -> JobReport:
        report = JobReport(ran=True)
        async with self.db.read() as s:
            ids = [i.id for i in await store.tracked_items(s)]
        for item_id in ids:
            try:
                await self._item(item_id, as_of, report)
            except Exception:  # one broken item must not stop the others
                log.exception("time-limit job failed on item %s", item_id)
        try:
            report.reminders = await send_reminders(self.db, self.clock, as_of)
        except Exception:
            log.exception("meeting reminders failed")
        return report

    async def _item(self, item_id: int, as_of: datetime, report: JobReport) -> None:
        async with self.db.transaction() as s:
            item = await get_item(s, item_id)
            if item is None or item.party_id is None or item.status in ("resolved", "closed"):
                return
            party = await store.get_party(s, item.party_id)
            party_name = party.name if party else ""
            cal = await calendar(s)
            owners = set(
                await store.party_accounts(
                    s, [a.party_id for a in await store.active_assignments(s, item.id)]
                )
            )
            staff = set(await store.staff_of(s, item.community_id))

            async def step(
                column: str,
                kind: TimelineKind,
                params: Mapping[str, object],
                notice: Notice,
                people: Iterable[str],
            ) -> bool:
                if not await store.claim_flag(s, item.id, column, as_of):
                    return False
                add_event(
                    s,
                    AgendaEvent(
                        item_id=item.id,
                        at=as_of,
                        actor="",
                        from_status=None,
                        to_status=None,
                        note="",
                        kind=str(kind),
                        params=dict(params),
                    ),
                )
                await deliver(s, _At(as_of), people, notice, item.id)
                return True

            title = item.title
            if (
                item.responded_at is None
                and item.response_due_at is not None
                and as_of > item.response_due_at
            ):
                params = {"due_at": iso(item.response_due_at), "which": "response"}
                notice = Notice(InboxKind.ITEM_OVERDUE, {"title": title, **params})
                if await step("response_overdue_at", TimelineKind.OVERDUE, params, notice, owners | staff):
                    report.response_overdue += 1
            due = item.resolve_due_at
            if due is None:
                return
            if as_of <= due:
                if item.due_soon_at is None and due_soon(cal, due, as_of, self.due_soon_days):
                    params = {"due_at": iso(due), "which": "resolve"}
                    notice = Notice(InboxKind.ITEM_DUE_SOON, {"title": title, **params})
                    if await step("due_soon_at", TimelineKind.DUE_SOON, params, notice, owners | staff):
                        report.due_soon += 1
                return
            if item.overdue_at is None:
                params = {"due_at": iso(due), "which": "resolve"}
                notice = Notice(InboxKind.ITEM_OVERDUE, {"title": title, **params})
                if await step("overdue_at", TimelineKind.OVERDUE, params, notice, owners | staff):
                    report.overdue += 1
            late = cal.days_overdue(due, as_of)
            if item.escalated_at is None and late > self.escalate_days:
                community = await community_by_id(s, item.community_id)
                notice = Notice(
                    InboxKind.ITEM_ESCALATED,
                    {
                        "title": title,
                        "party": party_name,
                        "days": late,
                        "community": community.name if community else "",
                    },
                )
                if await step(
                    "escalated_at", TimelineKind.ESCALATED, {"days": late}, notice, await store.admins(s)
                ):
                    report.escalated += 1


class _At:
    """A clock stopped at the job's ``as_of`` (inbox entries carry the time they judge)."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def monotonic(self) -> float:
        return 0.0


async def run_periodically(jobs: Jobs, interval_s: float, stop: asyncio.Event) -> None:
    """``serve``'s background task: run the jobs every ``interval_s`` until ``stop`` is set."""
    while not stop.is_set():
        try:
            report = await jobs.run()
            if report.ran and (
                report.due_soon
                or report.overdue
                or report.escalated
                or report.response_overdue
                or report.reminders
            ):
                log.info("time-limit jobs: %s", report)
        except Exception:
            log.exception("time-limit jobs failed")
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(interval_s):  # (3.11's wait_for can lose a cancellation)
                await stop.wait()
