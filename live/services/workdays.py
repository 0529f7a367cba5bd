"""Working days in Asia/Shanghai by China's official calendar (``chinese_calendar``), with its
make-up working days (调休), and admins' corrections for years the library does not know yet.

A limit of N working days from a moment falls due at 23:59:59 (Beijing time) of the N-th working
day after the day of that moment. Without data for a year and without corrections, Monday to
Friday are working days."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

ZONE = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)
MAX_DAYS = 365


def local_day(moment: datetime) -> date:
    return moment.astimezone(ZONE).date()


def end_of(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, ZONE).astimezone(UTC)


def known(day: date) -> bool:
    """True when the library has the official calendar of ``day``'s year."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


#: (year, that year's corrections) → running totals of its working days (see ``WorkCalendar._year``)
_RUNNING_TOTALS: dict[tuple[int, tuple[tuple[date, bool], ...]], list[int]] = {}


class WorkCalendar:
    def __init__(self, corrections: Mapping[date, bool] | None = None) -> None:
        self.corrections = dict(corrections or {})
        self._corrected: dict[int, tuple[tuple[date, bool], ...]] = {}
        for day, workday in sorted(self.corrections.items()):
            self._corrected[day.year] = (*self._corrected.get(day.year, ()), (day, workday))

    def is_workday(self, day: date) -> bool:
        if day in self.corrections:
            return self.corrections[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    def add(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start`` (``start`` itself when ``days`` is 0)."""
        day, left = start, max(0, min(days, MAX_DAYS))
        while left:
            day += timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day

    def deadline(self, start: datetime, days: int) -> datetime:
        """When a limit of ``days`` working days counted from ``start`` falls due (UTC)."""
        return end_of(self.add(local_day(start), days))

    def extend(self, due: datetime, days: int) -> datetime:
        """A deadline pushed back by ``days`` more working days."""
        return end_of(self.add(local_day(due), days))

    def _year(self, year: int) -> list[int]:
        """p[k] = working days among the first k days of ``year`` (shared by every calendar
        with the same corrections that year)."""
        key = (year, self._corrected.get(year, ()))
        prefix = _RUNNING_TOTALS.get(key)
        if prefix is None:
            prefix, day, count = [0], date(year, 1, 1), 0
            while day.year == year:
                count += self.is_workday(day)
                prefix.append(count)
                day += timedelta(days=1)
            if len(_RUNNING_TOTALS) > 1000:  # corrections edited many times: start again
                _RUNNING_TOTALS.clear()
            _RUNNING_TOTALS[key] = prefix
        return prefix

    def between(self, after: date, until: date) -> int:
        """Working days ``d`` with ``after < d <= until`` (at most ``MAX_DAYS * 5 + 1``).

        Counted from per-year running totals, not day by day: the statistics ask it for every
        resolved item of five years, the jobs for every overdue item."""
        if until <= after:
            return 0
        first = self._year(after.year)
        a, u = after.timetuple().tm_yday, until.timetuple().tm_yday
        if after.year == until.year:
            count = first[u] - first[a]
        else:
            count = first[-1] - first[a]
            count += sum(self._year(y)[-1] for y in range(after.year + 1, until.year))
            count += self._year(until.year)[u]
        return min(count, MAX_DAYS * 5 + 1)

    def days_overdue(self, due: datetime, now: datetime) -> int:
        """Working days since ``due`` passed (0 while it has not)."""
        if now <= due:
            return 0
        return self.between(local_day(due), local_day(now))
