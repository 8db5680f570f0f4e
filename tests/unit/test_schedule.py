"""The check-in schedule: due days of the issue's schedule, adherence and overdue, DST-safe reminder moments
and quiet hours, and a clinic's own schedule."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nervetrack.domain.errors import InvalidInput
from nervetrack.domain.knowledge import Knowledge
from nervetrack.domain.schedule import (
    QuietHours,
    adherence,
    due_dates,
    format_schedule,
    in_quiet_hours,
    local_moment,
    next_checkin_due,
    overdue_from,
    parse_schedule,
    reminder_due,
    send_moment,
    windows_of,
)

SURGERY = dt.date(2026, 1, 5)
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
NIGHT = QuietHours(dt.time(21, 0), dt.time(8, 0))


def day(n: int) -> dt.date:
    return SURGERY + dt.timedelta(days=n)


def test_the_schedule_is_daily_in_week_1_every_other_day_to_week_2_weekly_to_3_months_then_fortnightly_then_monthly(
    knowledge: Knowledge,
) -> None:
    days = [start for start, _ in windows_of(knowledge.schedule)]
    assert days[:10] == [1, 2, 3, 4, 5, 6, 7, 8, 10, 12]
    assert days[10:21] == list(range(14, 91, 7))
    assert [d for d in days if 91 <= d < 183] == list(range(91, 183, 14))
    assert [d for d in days if d >= 183] == list(range(183, 548, 30))
    assert days[-1] < 548  # no more check-ins are asked after 18 months


def test_every_interval_says_why_and_cites_known_sources(knowledge: Knowledge) -> None:
    for interval in knowledge.schedule:
        assert interval.why and interval.sources
        assert all(sid in knowledge.sources for sid in interval.sources)


def test_adherence_counts_done_over_due_in_the_last_14_days(knowledge: Knowledge) -> None:
    made = [day(d) for d in (1, 2, 3, 5, 8)]
    found = adherence(knowledge.schedule, SURGERY, made, day(11))
    # due days 1-8 and 10 fall in the 14 days; 10's window is still open and not yet done
    assert (found.done, found.due, found.missed_in_a_row, found.overdue) == (5, 8, 0, False)
    later = adherence(knowledge.schedule, SURGERY, made, day(14))
    assert (later.done, later.due, later.missed_in_a_row, later.overdue) == (5, 10, 2, True)


def test_a_late_check_in_still_counts_for_its_window(knowledge: Knowledge) -> None:
    found = adherence(knowledge.schedule, SURGERY, [day(20)], day(27))  # due day 14, window 14-20
    assert (found.done, found.due) == (1, 1)


@pytest.mark.parametrize(
    ("last", "overdue"),
    [(None, 3), (5, 8), (19, 35), (100, 133), (540, None)],
)
def test_a_patient_is_overdue_from_the_close_of_the_second_missed_window(
    knowledge: Knowledge, last: int | None, overdue: int | None
) -> None:
    expected = day(overdue) if overdue is not None else None
    assert overdue_from(knowledge.schedule, SURGERY, day(last) if last is not None else None) == expected


@given(st.lists(st.integers(0, 600), max_size=12), st.integers(0, 600))
def test_overdue_day_and_adherence_agree(checkins: list[int], today: int) -> None:
    from nervetrack.knowledge import load_knowledge

    schedule = load_knowledge().schedule
    made = sorted({day(d) for d in checkins if d <= today})
    last = made[-1] if made else None
    start = overdue_from(schedule, SURGERY, last)
    assert adherence(schedule, SURGERY, made, day(today)).overdue == (start is not None and start <= day(today))


def test_the_reminder_is_for_the_open_window_unless_already_checked_in(knowledge: Knowledge) -> None:
    assert reminder_due(knowledge.schedule, SURGERY, [], day(3)) == day(3)
    assert reminder_due(knowledge.schedule, SURGERY, [day(3)], day(3)) is None
    assert reminder_due(knowledge.schedule, SURGERY, [day(14)], day(16)) is None
    assert reminder_due(knowledge.schedule, SURGERY, [day(13)], day(16)) == day(14)
    assert reminder_due(knowledge.schedule, SURGERY, [], day(0)) is None  # the day of the operation
    assert reminder_due(knowledge.schedule, SURGERY, [], day(600)) is None


def test_the_next_due_date_follows_the_schedule(knowledge: Knowledge) -> None:
    assert next_checkin_due(knowledge, SURGERY, None, day(2)) == day(2)
    assert next_checkin_due(knowledge, SURGERY, day(2), day(2)) == day(3)
    assert next_checkin_due(knowledge, SURGERY, day(8), day(8)) == day(10)
    assert next_checkin_due(knowledge, SURGERY, day(15), day(16)) == day(21)
    assert next_checkin_due(knowledge, SURGERY, day(545), day(545)) is None


def test_a_clinic_schedule_is_read_and_written_back(knowledge: Knowledge) -> None:
    mine = parse_schedule(" 1:2, 14 : 7 ,90:0 ")
    assert format_schedule(mine) == "1:2, 14:7, 90:0"
    assert [d for d, _ in windows_of(mine)][:8] == [1, 3, 5, 7, 9, 11, 13, 14]
    assert format_schedule(knowledge.schedule) == "1:1, 8:2, 14:7, 91:14, 183:30, 548:0"


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "pairs"), ("1-1", "pairs"), ("14:7, 1:1", "rise"), ("1:0", "first pair"), ("1:400", "every_days")],
)
def test_a_bad_clinic_schedule_is_refused_naming_the_setting(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_schedule(text)
    assert raised.value.problems[0].path == "checkin_schedule" and message in raised.value.problems[0].message


def test_due_dates_lists_the_dates_between_two_days(knowledge: Knowledge) -> None:
    assert due_dates(knowledge.schedule, SURGERY, day(6), day(14)) == [
        day(6),
        day(7),
        day(8),
        day(10),
        day(12),
        day(14),
    ]


NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("zone", "date", "local", "utc"),
    [
        # London springs forward at 01:00 on 29 March 2026: 01:30 does not exist that day
        (LONDON, dt.date(2026, 3, 28), dt.time(9, 0), dt.datetime(2026, 3, 28, 9, 0, tzinfo=dt.UTC)),
        (LONDON, dt.date(2026, 3, 29), dt.time(9, 0), dt.datetime(2026, 3, 29, 8, 0, tzinfo=dt.UTC)),
        (LONDON, dt.date(2026, 3, 29), dt.time(1, 30), dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)),
        # and falls back at 02:00 on 25 October: 01:30 happens twice, the first is taken
        (LONDON, dt.date(2026, 10, 25), dt.time(1, 30), dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)),
        (LONDON, dt.date(2026, 10, 25), dt.time(9, 0), dt.datetime(2026, 10, 25, 9, 0, tzinfo=dt.UTC)),
        (NEW_YORK, dt.date(2026, 3, 8), dt.time(2, 30), dt.datetime(2026, 3, 8, 7, 30, tzinfo=dt.UTC)),
        (NEW_YORK, dt.date(2026, 11, 1), dt.time(1, 30), dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC)),
    ],
)
def test_a_local_time_becomes_one_moment_on_each_date_across_daylight_saving_changes(
    zone: ZoneInfo, date: dt.date, local: dt.time, utc: dt.datetime
) -> None:
    assert local_moment(date, local, zone) == utc


@pytest.mark.parametrize("zone", [LONDON, NEW_YORK, ZoneInfo("Australia/Lord_Howe"), ZoneInfo("UTC")])
@pytest.mark.parametrize("local", [dt.time(0, 0), dt.time(1, 30), dt.time(2, 30), dt.time(9, 0), dt.time(23, 59)])
def test_daily_reminders_through_a_year_are_never_doubled_or_skipped(zone: ZoneInfo, local: dt.time) -> None:
    """One moment per local date, each on a different local date, through both changes of the year."""
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(365)]
    moments = [send_moment(d, local, zone, None, NOW) for d in days]
    assert len(set(moments)) == 365
    assert sorted(moments) == moments
    assert [m.astimezone(zone).date() for m in moments] == days
    gaps = {round((b - a).total_seconds() / 3600, 1) for a, b in itertools.pairwise(moments)}
    assert gaps <= {23.0, 23.5, 24.0, 24.5, 25.0}


def test_a_reminder_in_quiet_hours_waits_until_they_end() -> None:
    due = dt.date(2026, 6, 1)
    assert send_moment(due, dt.time(22, 0), LONDON, NIGHT, NOW) == dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC)
    assert send_moment(due, dt.time(6, 0), LONDON, NIGHT, NOW) == dt.datetime(2026, 6, 1, 7, 0, tzinfo=dt.UTC)
    assert send_moment(due, dt.time(9, 0), LONDON, NIGHT, NOW) == dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
    late = dt.datetime(2026, 6, 1, 21, 30, tzinfo=dt.UTC)  # 22:30 in London: held to 08:00 the next day
    assert send_moment(due, dt.time(9, 0), LONDON, NIGHT, late) == dt.datetime(2026, 6, 2, 7, 0, tzinfo=dt.UTC)
    assert in_quiet_hours(late, LONDON, NIGHT) and not in_quiet_hours(late, LONDON, None)


def test_daytime_quiet_hours_and_empty_ones() -> None:
    lunch = QuietHours(dt.time(12, 0), dt.time(14, 0))
    assert lunch.holds(dt.time(12, 0)) and lunch.holds(dt.time(13, 59)) and not lunch.holds(dt.time(14, 0))
    assert not QuietHours(dt.time(9, 0), dt.time(9, 0)).holds(dt.time(9, 0))
