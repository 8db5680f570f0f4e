"""What a recovery report shows about one patient, as plain values (no templates here, so that the services
can build it without knowing how it is drawn)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from nervetrack.domain.model import PatientRecord
from nervetrack.domain.results import Assessment


@dataclass(frozen=True)
class ReportAlert:
    """An alert as the report shows it: open (not yet acknowledged) or past."""

    level: str
    message: str
    raised: dt.date
    acknowledged: dt.date | None = None
    note: str | None = None


@dataclass(frozen=True)
class ReportInput:
    record: PatientRecord
    assessment: Assessment
    alerts: Sequence[ReportAlert] = ()
    clinic: str | None = None
    generated: dt.date | None = None
