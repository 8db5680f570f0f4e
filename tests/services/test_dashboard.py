"""The dashboard: open alerts first (emergency, urgent, soon), then longest since the last check-in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from nervetrack.domain.model import TriageLevel
from nervetrack.services.alerts import acknowledge_alert
from nervetrack.services.checkins import record_checkin
from nervetrack.services.dashboard import dashboard
from nervetrack.services.errors import NotFound
from nervetrack.services.unit_of_work import UnitOfWork
from tests.services.conftest import SURGERY, TODAY, Clinics, checkin_dict


@pytest.fixture
def ward(uow: UnitOfWork, clinics: Clinics, make_patient: Callable[..., str]) -> dict[str, int]:
    """Four patients: an emergency, one checked in 15 days ago, one yesterday, one never; alert ids."""
    for name in ("emergency", "quiet", "recent", "never"):
        make_patient(name)
    alert = record_checkin(uow, clinics.alice, "emergency", checkin_dict(19, bladder_problem=True), today=TODAY)
    record_checkin(uow, clinics.alice, "quiet", checkin_dict(5), today=TODAY)
    record_checkin(uow, clinics.alice, "recent", checkin_dict(19), today=TODAY)
    return {"emergency": alert.new_alerts[0].id}


def test_open_alerts_come_first_then_the_longest_silence(
    uow: UnitOfWork, clinics: Clinics, ward: dict[str, int]
) -> None:
    board = dashboard(uow, clinics.alice, today=TODAY)
    assert [r.patient_id for r in board.rows] == ["emergency", "never", "quiet", "recent"]
    top = board.rows[0]
    assert (top.open_alert_level, top.open_alerts, top.triage_level) == (
        TriageLevel.EMERGENCY,
        1,
        TriageLevel.EMERGENCY,
    )


def test_patients_who_stopped_checking_in_are_overdue(uow: UnitOfWork, clinics: Clinics, ward: dict[str, int]) -> None:
    rows = {r.patient_id: r for r in dashboard(uow, clinics.alice, today=TODAY).rows}
    assert {name for name, row in rows.items() if row.overdue} == {"quiet", "never"}
    assert rows["quiet"].days_since_last_checkin == 15
    assert rows["never"].days_since_last_checkin is None


def test_acknowledging_the_alert_moves_the_patient_down(
    uow: UnitOfWork, clinics: Clinics, ward: dict[str, int]
) -> None:
    acknowledge_alert(uow, clinics.alice, ward["emergency"], "called the patient in")
    rows = dashboard(uow, clinics.alice, today=TODAY).rows
    assert [r.patient_id for r in rows] == ["never", "quiet", "emergency", "recent"]
    assert rows[-1].open_alert_level is None


def test_the_dashboard_filters_by_triage_level_and_searches_ids(
    uow: UnitOfWork, clinics: Clinics, ward: dict[str, int]
) -> None:
    def ids(**filters: object) -> list[str]:
        return [r.patient_id for r in dashboard(uow, clinics.alice, today=TODAY, **filters).rows]  # type: ignore[arg-type]

    assert ids(level="emergency") == ["emergency"]
    assert ids(search="REC") == ["recent"]
    assert ids(search="%") == []
    assert ids(procedure="fusion") == []
    assert len(ids(procedure="microdiscectomy")) == 4


def test_the_dashboard_filters_by_phase_from_the_surgery_date(
    uow: UnitOfWork, clinics: Clinics, make_patient: Callable[..., str]
) -> None:
    make_patient("long-ago", date=(TODAY - dt.timedelta(days=400)).isoformat())
    make_patient("fresh", date=SURGERY.isoformat())
    phases = {r.patient_id: r.phase for r in dashboard(uow, clinics.alice, today=TODAY).rows}
    for phase in set(phases.values()):
        board = dashboard(uow, clinics.alice, today=TODAY, phase=phase)
        assert {r.patient_id for r in board.rows} == {p for p, code in phases.items() if code == phase}
    with pytest.raises(NotFound):
        dashboard(uow, clinics.alice, phase="no-such-phase")


def test_the_dashboard_pages_through_the_patients(uow: UnitOfWork, clinics: Clinics, ward: dict[str, int]) -> None:
    page = dashboard(uow, clinics.alice, today=TODAY, limit=2, offset=2)
    assert (page.total, [r.patient_id for r in page.rows]) == (4, ["quiet", "recent"])


def test_among_emergencies_the_one_waiting_longest_comes_first(
    uow: UnitOfWork, clinics: Clinics, ward: dict[str, int], make_patient: Callable[..., str]
) -> None:
    # "emergency" reported on day 19 and is still open; "later" reports one on day 20 (today)
    make_patient("later")
    record_checkin(uow, clinics.alice, "later", checkin_dict(20, saddle_numbness=True), today=TODAY)
    rows = dashboard(uow, clinics.alice, today=TODAY).rows
    assert [r.patient_id for r in rows[:2]] == ["emergency", "later"]
    assert {rows[0].open_alert_level, rows[1].open_alert_level} == {TriageLevel.EMERGENCY}
