"""When the next check-in is due, from the knowledge base's check-in schedule (schedule.toml)."""

from __future__ import annotations

import datetime as dt

from nervetrack.domain.knowledge import CheckinInterval, Knowledge


def interval_on(knowledge: Knowledge, day: int) -> CheckinInterval | None:
    """The schedule interval that holds `day` after surgery (None before the schedule or without one)."""
    found = [i for i in knowledge.schedule if i.from_day <= day]
    return max(found, key=lambda i: i.from_day) if found else None


def next_checkin_due(
    knowledge: Knowledge, surgery: dt.date, last_checkin: dt.date | None, as_of: dt.date
) -> dt.date | None:
    """The day the next check-in is due: the interval after the last one (today when that day has passed, or
    with no check-in yet); None once the schedule asks for no more."""
    if last_checkin is None:
        return as_of
    interval = interval_on(knowledge, (last_checkin - surgery).days)
    if interval is None or interval.every_days == 0:
        return None
    return max(last_checkin + dt.timedelta(days=interval.every_days), as_of)
