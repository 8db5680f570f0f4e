"""The services' clock: the one place that reads the time (the domain takes `as_of` instead)."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """The current moment in UTC."""
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today's date on this machine."""
    return dt.date.today()


def aware(moment: dt.datetime) -> dt.datetime:
    """Treat a naive datetime read back from SQLite as the UTC it was stored in."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
