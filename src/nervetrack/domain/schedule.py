"""When check-ins are due, from the knowledge base's check-in schedule (schedule.toml) or a clinic's own.

Due days follow from the surgery date alone: each interval asks for a check-in on from_day, from_day +
every_days, ... until the next interval starts (every_days 0 stops the schedule). A due day's window runs
from it to the next due day; a check-in made in the window counts for it (done), a window that closed
without one is missed. Adherence is done / due over the last 14 days; a patient who missed the last two due
check-ins is overdue. Reminder moments are local times of day in the patient's time zone, moved out of
quiet hours; they are computed from calendar dates, so a daylight-saving change neither doubles nor skips
one. Pure functions: dates and `as_of` are passed in.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from nervetrack.domain.errors import InvalidInput, Problem
from nervetrack.domain.knowledge import Knowledge

# A schedule that never stops is followed for ten years at most.
HORIZON_DAYS = 3650
ADHERENCE_DAYS = 14
MISSED_FOR_OVERDUE = 2


class Step(Protocol):
    """One interval of a schedule: from `from_day` after surgery, a check-in every `every_days` (0: stop)."""

    @property
    def from_day(self) -> int: ...

    @property
    def every_days(self) -> int: ...


@dataclass(frozen=True)
class ScheduleStep:
    """An interval of a clinic's own schedule (the knowledge base's carry their reasons and sources)."""

    from_day: int
    every_days: int


@dataclass(frozen=True)
class Adherence:
    """Due check-ins of the last 14 days: how many were done, how many were due (open windows not yet
    done are not counted as due), and how many of the latest closed windows in a row were missed."""

    done: int
    due: int
    missed_in_a_row: int

    @property
    def overdue(self) -> bool:
        return self.missed_in_a_row >= MISSED_FOR_OVERDUE


@dataclass(frozen=True)
class QuietHours:
    """Local times between which no reminder is sent; `start` after `end` spans midnight (21:00-08:00)."""

    start: dt.time
    end: dt.time

    def holds(self, moment: dt.time) -> bool:
        """Whether a local time of day falls in the quiet hours (start included, end excluded)."""
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


Window = tuple[int, int]  # [first day, day after the last day], in days since surgery


def steps_of(schedule: Iterable[Step]) -> tuple[tuple[int, int], ...]:
    """The schedule as sorted (from_day, every_days) pairs, the form the cached functions take."""
    return tuple(sorted((s.from_day, s.every_days) for s in schedule))


@functools.lru_cache(maxsize=64)
def due_windows(steps: tuple[tuple[int, int], ...]) -> tuple[Window, ...]:
    """Every due day's window, in days since surgery, oldest first."""
    days: list[int] = []
    ends: list[int] = []
    for index, (start, every) in enumerate(steps):
        stop = steps[index + 1][0] if index + 1 < len(steps) else HORIZON_DAYS
        if every <= 0:
            break
        days.extend(range(start, stop, every))
        ends.append(days[-1] + every if days else start)
    if not days:
        return ()
    last_end = min(ends[-1], HORIZON_DAYS)
    return tuple((day, days[i + 1] if i + 1 < len(days) else last_end) for i, day in enumerate(days))


def windows_of(schedule: Iterable[Step]) -> tuple[Window, ...]:
    """Every due day's window of a schedule."""
    return due_windows(steps_of(schedule))


def due_dates(schedule: Iterable[Step], surgery: dt.date, start: dt.date, end: dt.date) -> list[dt.date]:
    """The due dates from `start` to `end`, both included."""
    first, last = (start - surgery).days, (end - surgery).days
    return [surgery + dt.timedelta(days=d) for d, _ in windows_of(schedule) if first <= d <= last]


def window_on(schedule: Iterable[Step], surgery: dt.date, day: dt.date) -> tuple[dt.date, dt.date] | None:
    """The open window holding `day`: (its due date, the day it closes), or None outside the schedule."""
    found = window_at(steps_of(schedule), (day - surgery).days)
    if found is None:
        return None
    return surgery + dt.timedelta(days=found[0]), surgery + dt.timedelta(days=found[1])


@functools.lru_cache(maxsize=65536)
def window_at(steps: tuple[tuple[int, int], ...], offset: int) -> Window | None:
    """The window holding day `offset` after surgery, or None (cached: thousands of patients share a day)."""
    windows = due_windows(steps)
    index = bisect.bisect_right([w[0] for w in windows], offset) - 1
    if index < 0 or offset >= windows[index][1]:
        return None
    return windows[index]


def reminder_due(
    schedule: Iterable[Step], surgery: dt.date, checkins: Iterable[dt.date], local_today: dt.date
) -> dt.date | None:
    """The due date to remind the patient of today: that of the open window, unless a check-in was already
    made in it; None outside the schedule."""
    window = window_on(schedule, surgery, local_today)
    if window is None or any(window[0] <= c < window[1] for c in checkins):
        return None
    return window[0]


def adherence(
    schedule: Iterable[Step], surgery: dt.date, checkins: Iterable[dt.date], as_of: dt.date, days: int = ADHERENCE_DAYS
) -> Adherence:
    """Done / due check-ins of the `days` days up to `as_of`, and the latest missed windows in a row."""
    dates = sorted({(c - surgery).days for c in checkins if c <= as_of})
    today = (as_of - surgery).days
    last = dates[-1] if dates else None
    done = due = missed = 0
    for start, end in windows_of(schedule):
        if start > today:
            break
        made = _any_between(dates, start, end)
        closed = end <= today
        if today - start < days and (made or closed):
            done, due = done + made, due + 1
        # Missed in a row: the closed windows since the latest check-in (as overdue_from counts them).
        if closed and (last is None or start > last):
            missed += 1
    return Adherence(done, due, missed)


def _any_between(sorted_days: Sequence[int], start: int, end: int) -> bool:
    index = bisect.bisect_left(sorted_days, start)
    return index < len(sorted_days) and sorted_days[index] < end


def overdue_from(schedule: Iterable[Step], surgery: dt.date, last_checkin: dt.date | None) -> dt.date | None:
    """The day from which the patient counts as overdue (two due check-ins missed) if they make no further
    check-in after `last_checkin`; None when the schedule ends before that."""
    windows = windows_of(schedule)
    after = windows if last_checkin is None else [w for w in windows if w[0] > (last_checkin - surgery).days]
    if len(after) < MISSED_FOR_OVERDUE:
        return None
    return surgery + dt.timedelta(days=after[MISSED_FOR_OVERDUE - 1][1])


def next_checkin_due(
    knowledge: Knowledge,
    surgery: dt.date,
    last_checkin: dt.date | None,
    as_of: dt.date,
    schedule: Sequence[Step] | None = None,
) -> dt.date | None:
    """The next day a check-in is due: today while today's window is open and not yet done, else the next
    due date; None once the schedule asks for no more."""
    steps: Sequence[Step] = knowledge.schedule if schedule is None else schedule
    offset = (as_of - surgery).days
    last = (last_checkin - surgery).days if last_checkin is not None else None
    for start, end in windows_of(steps):
        if end <= offset:
            continue
        if start <= offset and (last is None or not start <= last < end):
            return as_of
        if start > offset:
            return surgery + dt.timedelta(days=start)
    return None


_STEP = re.compile(r"^\s*(\d{1,4})\s*:\s*(\d{1,3})\s*$")


def parse_schedule(text: str, field: str = "checkin_schedule") -> tuple[ScheduleStep, ...]:
    """Read a clinic's schedule written as "from_day:every_days" pairs separated by commas, for example
    "1:1, 8:2, 14:7, 91:14, 183:30, 548:0"; InvalidInput naming `field` when it cannot be followed."""
    parts = [p for p in text.split(",") if p.strip()]
    matches = [_STEP.match(p) for p in parts]
    if not parts or any(m is None for m in matches):
        raise InvalidInput(
            [Problem(field, 'must be "from_day:every_days" pairs separated by commas, e.g. "1:1, 14:7"')]
        )
    steps = tuple(ScheduleStep(int(m[1]), int(m[2])) for m in matches if m is not None)
    days = [s.from_day for s in steps]
    problems = []
    if days != sorted(set(days)):
        problems.append(Problem(field, "the from_day values must rise from pair to pair"))
    if any(s.from_day > HORIZON_DAYS or s.every_days > 365 for s in steps):
        problems.append(Problem(field, f"from_day must be 0 to {HORIZON_DAYS} and every_days 0 to 365"))
    if steps and steps[0].every_days == 0:
        problems.append(Problem(field, "the first pair must ask for check-ins (every_days 1 or more)"))
    if problems:
        raise InvalidInput(problems)
    return steps


def format_schedule(schedule: Iterable[Step]) -> str:
    """A schedule in the form parse_schedule reads."""
    return ", ".join(f"{start}:{every}" for start, every in steps_of(schedule))


def send_moment(
    due: dt.date,
    local_time: dt.time,
    zone: ZoneInfo,
    quiet: QuietHours | None,
    not_before: dt.datetime,
) -> dt.datetime:
    """The UTC moment to send the reminder of `due`: the patient's local time of day on that date, not before
    `not_before`, and moved to the end of the quiet hours when it falls in them."""
    planned = local_moment(due, local_time, zone)
    return out_of_quiet_hours(max(planned, not_before), zone, quiet)


def local_moment(day: dt.date, local_time: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The UTC moment of a local date and time. A time the clocks skip (02:30 on the spring change) is read
    with the offset before the change, so it lands an hour later on the wall clock; a time that happens
    twice (the autumn change) is its first occurrence. Either way one moment per date."""
    naive = dt.datetime.combine(day, local_time)
    return naive.replace(tzinfo=zone, fold=0).astimezone(dt.UTC)


def out_of_quiet_hours(moment: dt.datetime, zone: ZoneInfo, quiet: QuietHours | None) -> dt.datetime:
    """`moment`, or the end of the quiet hours it falls in (as a UTC moment)."""
    if quiet is None:
        return moment
    local = moment.astimezone(zone)
    if not quiet.holds(local.time()):
        return moment
    end_day = local.date()
    if quiet.start > quiet.end and local.time() >= quiet.start:
        end_day += dt.timedelta(days=1)
    return max(local_moment(end_day, quiet.end, zone), moment)


def in_quiet_hours(moment: dt.datetime, zone: ZoneInfo, quiet: QuietHours | None) -> bool:
    """Whether a UTC moment falls in the patient's quiet hours."""
    return quiet is not None and quiet.holds(moment.astimezone(zone).time())
