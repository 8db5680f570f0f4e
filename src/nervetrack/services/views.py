"""What the services return: frozen values built from rows, safe to use after the session has closed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from nervetrack.domain.model import CheckIn, PatientRecord, TriageLevel
from nervetrack.domain.results import Assessment

ActorKind = Literal["clinician", "api_token", "patient_link", "system"]


@dataclass(frozen=True)
class Actor:
    """Who is asking: a clinician, a clinic system's API token, a patient's link, or the system (CLI)."""

    kind: ActorKind
    id: str
    name: str
    clinic_id: int | None
    patient_pk: int | None = None  # set for a patient link: the one patient it may see
    patient_ref: str | None = None  # and that patient's id (the contract's patient.id)
    checkin_link_id: int | None = None  # set for a reminder's short-lived check-in link (good for one check-in)

    @staticmethod
    def system(clinic_id: int | None = None) -> Actor:
        return Actor("system", "system", "system", clinic_id)


@dataclass(frozen=True)
class ClinicView:
    """A clinic, with how its patients reach it (for the patient pages) and the time zone of its times."""

    id: int
    name: str
    phone: str | None = None
    hours: str | None = None
    out_of_hours: str | None = None
    timezone: str = "UTC"
    alert_email: str | None = None
    checkin_schedule: str | None = None  # the clinic's own "from_day:every_days, ..."; None: the knowledge base's


@dataclass(frozen=True)
class ClinicianView:
    id: int
    clinic_id: int
    clinic_name: str
    email: str
    name: str

    def as_actor(self) -> Actor:
        """The actor to pass to the other services for this clinician."""
        return Actor("clinician", str(self.id), self.name, self.clinic_id)


@dataclass(frozen=True)
class AlertView:
    id: int
    patient_id: str
    code: str
    level: TriageLevel
    message: str
    raised_at: dt.datetime
    checkin_id: int
    evidence: str | None
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None
    note: str | None

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


@dataclass(frozen=True)
class CheckinView:
    id: int
    patient_id: str
    values: CheckIn
    triage_level: TriageLevel
    submitted_at: dt.datetime


@dataclass(frozen=True)
class CheckinResult:
    """A stored check-in, its assessment, and the alerts it opened; created is False for a retry."""

    checkin: CheckinView
    assessment: Assessment
    created: bool
    new_alerts: list[AlertView]


@dataclass(frozen=True)
class PatientSummary:
    patient_id: str
    clinic_id: int
    procedure: str
    surgery_date: dt.date
    current_level: TriageLevel | None
    last_checkin_date: dt.date | None


@dataclass(frozen=True)
class PatientDetail:
    """Everything the patient page shows: the record as the input contract, check-ins, alerts, assessment."""

    record: PatientRecord
    checkins: list[CheckinView]
    alerts: list[AlertView]
    assessment: Assessment
    has_active_link: bool
    clinic: ClinicView
    phone: str | None = None
    # Paging of the check-ins (and of record.checkins): how many there are in all, and the window shown,
    # counted from the newest (offset 0 is the latest `limit`); limit None is all of them.
    checkins_total: int = 0
    checkins_limit: int | None = None
    checkins_offset: int = 0


@dataclass(frozen=True)
class DashboardRow:
    patient_id: str
    procedure: str
    surgery_date: dt.date
    days_since_surgery: int
    phase: str
    triage_level: TriageLevel | None
    open_alert_level: TriageLevel | None
    open_alerts: int
    last_checkin_date: dt.date | None
    days_since_last_checkin: int | None
    overdue: bool  # missed the last two due check-ins of the schedule
    adherence_done: int = 0  # check-ins done / due in the last 14 days
    adherence_due: int = 0


@dataclass(frozen=True)
class Dashboard:
    rows: list[DashboardRow]
    total: int
    as_of: dt.date
    limit: int
    offset: int


@dataclass(frozen=True)
class IssuedSecret:
    """A newly issued link or API token; `secret` is shown once and only its hash is stored."""

    id: int
    secret: str
    label: str


@dataclass(frozen=True)
class AuditPage:
    """One page of a patient's audit trail, newest first."""

    events: list[AuditView]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class AuditView:
    actor_kind: str
    actor_name: str
    action: str
    entity_type: str
    entity_id: str
    at: dt.datetime


@dataclass(frozen=True)
class DemoLogin:
    clinic_id: int
    clinic_name: str
    email: str
    password: str


@dataclass(frozen=True)
class DemoSeed:
    """The demo clinic's login, and a second clinic's login for isolation checks."""

    demo: DemoLogin
    other: DemoLogin
    patient_ids: list[str] = field(default_factory=list)


JsonDict = dict[str, Any]
