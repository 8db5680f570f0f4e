"""Login back-off kept in the database (every server process sees the same counts).

- Per account: after `free_failures` failed logins the account waits 1 s, then 2, 4, ... up to `max_delay`
  before the next attempt is checked. A stranger can therefore slow an account down but never lock it for
  long, and the real owner is not held by the stranger's failures at all once they have logged in from their
  browser before: that browser carries a signed device cookie, and its attempts count against the account on
  that device only (the device cookie of OWASP's guidance on account lock-out).
- Per address: `address_failures` failed logins (over all accounts) within `window` are allowed before the
  same back-off applies, so one office behind a shared address is not blocked by a few typos.
Failures older than `window` are forgotten; a successful login forgets the account's (or device's) failures.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.orm import Session

from nervetrack.adapters.db.tables import LoginThrottle
from nervetrack.services import clock
from nervetrack.services.errors import RateLimited


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int = 5
    address_failures: int = 50
    window: dt.timedelta = dt.timedelta(minutes=15)
    max_delay: dt.timedelta = dt.timedelta(minutes=15)

    def free_for(self, key: str) -> int:
        return self.address_failures if key.startswith("address:") else self.free_failures

    def delay(self, failures: int, free: int) -> dt.timedelta:
        """The wait after `failures` failures: none up to `free`, then 1 s doubling up to max_delay."""
        if failures <= free:
            return dt.timedelta(0)
        return min(dt.timedelta(seconds=2 ** min(failures - free - 1, 30)), self.max_delay)


def check(session: Session, policy: ThrottlePolicy, keys: list[str]) -> None:
    """Raise RateLimited (with the seconds to wait) if any key must still wait."""
    moment = clock.now()
    waits = []
    for key in keys:
        row = session.get(LoginThrottle, key)
        if row is not None and row.blocked_until is not None and clock.aware(row.blocked_until) > moment:
            waits.append((clock.aware(row.blocked_until) - moment).total_seconds())
    if waits:
        raise RateLimited(max(1, math.ceil(max(waits))))


def fail(session: Session, policy: ThrottlePolicy, keys: list[str]) -> None:
    """Count one failed login against every key (in the caller's transaction)."""
    moment = clock.now()
    for key in keys:
        row = session.get(LoginThrottle, key)
        if row is None or moment - clock.aware(row.first_failure_at) > policy.window:
            if row is not None:
                session.delete(row)
                session.flush()
            row = LoginThrottle(key=key, failures=0, first_failure_at=moment)
            session.add(row)
        row.failures += 1
        wait = policy.delay(row.failures, policy.free_for(key))
        row.blocked_until = moment + wait if wait else None


def forget(session: Session, key: str) -> None:
    """Forget a key's failures (after a successful login)."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
