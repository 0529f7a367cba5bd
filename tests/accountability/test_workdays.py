"""Working-day limits on China's real 2025/2026 calendar: weekends, holidays, make-up days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from live.services.workdays import MAX_DAYS, ZONE, WorkCalendar, known


def beijing(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZONE)


def due(start: datetime, days: int, cal: WorkCalendar | None = None) -> datetime:
    return (cal or WorkCalendar()).deadline(start, days).astimezone(ZONE)


def test_a_weekend_is_skipped() -> None:
    # assigned on Friday 2026-03-06: Monday 9th is the first working day, Tuesday 10th the second
    assert due(beijing(2026, 3, 6, 10, 0), 2) == beijing(2026, 3, 10, 23, 59, 59)
    # assigned on the Saturday: the day of assignment is Saturday, so the same two days
    assert due(beijing(2026, 3, 7, 9, 0), 2) == beijing(2026, 3, 10, 23, 59, 59)


def test_the_day_of_assignment_is_the_beijing_day() -> None:
    # 2026-03-05 20:00 UTC is already Friday 04:00 in Beijing
    start = datetime(2026, 3, 5, 20, 0, tzinfo=UTC)
    assert due(start, 1) == beijing(2026, 3, 9, 23, 59, 59)


def test_national_day_holiday_and_its_make_up_days_2025() -> None:
    # 2025-10-01..08 are holidays; Sunday 2025-09-28 and Saturday 2025-10-11 are working days
    assert due(beijing(2025, 9, 26, 15, 0), 1) == beijing(2025, 9, 28, 23, 59, 59)  # a Sunday
    assert due(beijing(2025, 9, 30, 9, 0), 2) == beijing(2025, 10, 10, 23, 59, 59)
    assert due(beijing(2025, 9, 30, 9, 0), 3) == beijing(2025, 10, 11, 23, 59, 59)  # a Saturday


def test_spring_festival_2026_and_new_year() -> None:
    # Saturday 2026-02-14 is a make-up working day; 02-15..02-23 are the Spring Festival holiday
    assert due(beijing(2026, 2, 13, 11, 0), 1) == beijing(2026, 2, 14, 23, 59, 59)
    assert due(beijing(2026, 2, 13, 11, 0), 2) == beijing(2026, 2, 24, 23, 59, 59)
    # New Year 2026: 01-01..03 off, Sunday 01-04 is a working day
    assert due(beijing(2025, 12, 31, 18, 0), 1) == beijing(2026, 1, 4, 23, 59, 59)
    # the default resolution limit, 15 working days, across the Spring Festival
    assert due(beijing(2026, 2, 9, 10, 0), 15) == beijing(2026, 3, 6, 23, 59, 59)


def test_a_year_the_library_does_not_know_is_corrected_by_admins() -> None:
    assert not known(date(2030, 1, 1))
    plain = WorkCalendar()
    # without data: Monday to Friday (2030-01-01 is a Tuesday)
    assert due(beijing(2029, 12, 31, 10, 0), 1, plain) == beijing(2030, 1, 1, 23, 59, 59)
    corrected = WorkCalendar({date(2030, 1, 1): False, date(2030, 1, 5): True})
    assert due(beijing(2029, 12, 31, 10, 0), 1, corrected) == beijing(2030, 1, 2, 23, 59, 59)
    assert due(beijing(2030, 1, 4, 10, 0), 1, corrected) == beijing(2030, 1, 5, 23, 59, 59)  # a Saturday


def test_days_overdue_count_working_days_only() -> None:
    cal = WorkCalendar()
    deadline = beijing(2026, 3, 6, 23, 59, 59)  # a Friday
    assert cal.days_overdue(deadline, beijing(2026, 3, 6, 23, 0)) == 0
    assert cal.days_overdue(deadline, beijing(2026, 3, 8, 12, 0)) == 0  # the weekend
    assert cal.days_overdue(deadline, beijing(2026, 3, 9, 8, 0)) == 1
    assert cal.days_overdue(deadline, beijing(2026, 3, 16, 8, 0)) == 6


def test_between_counted_from_running_totals_equals_counting_day_by_day() -> None:
    """``between`` (used for every resolved item's days to resolve) counts by per-year running
    totals; across years, holidays, corrections and its cap it equals a day-by-day count."""
    corrected = WorkCalendar({date(2030, 1, 1): False, date(2030, 1, 5): True, date(2025, 2, 8): False})
    for cal in (WorkCalendar(), corrected):

        def by_day(after: date, until: date, cal: WorkCalendar = cal) -> int:
            count, day = 0, after
            while day < until and count <= MAX_DAYS * 5:
                day += timedelta(days=1)
                count += cal.is_workday(day)
            return count

        start = date(2021, 12, 20)
        for offset in range(0, 3000, 37):
            after = start + timedelta(days=offset)
            for span in (-3, 0, 1, 6, 12, 40, 400, 1000):
                until = after + timedelta(days=span)
                assert cal.between(after, until) == by_day(after, until), (after, until)
        assert cal.between(date(2000, 1, 1), date(2040, 1, 1)) == MAX_DAYS * 5 + 1  # the cap
