"""A symptom judged worse or off its usual course always says what to do, in words, with its sources; a
symptom on course or better does not add an instruction (issue 8, item 4)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nervetrack.domain.model import SymptomStatus
from tests.records import TYPICAL_BASELINE, checkin, record

OFF_COURSE = {SymptomStatus.SLOWER_THAN_EXPECTED, SymptomStatus.NOT_IMPROVING, SymptomStatus.WORSENING}
DAYS = (3, 10, 21, 42, 70, 100, 140, 200, 300, 400)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.integers(0, 10), min_size=3, max_size=len(DAYS)),
    symptom=st.sampled_from(["leg_pain", "back_pain", "numbness", "tingling", "weakness"]),
    procedure=st.sampled_from(["microdiscectomy", "laminectomy", "fusion"]),
)
def test_every_symptom_off_course_says_what_to_do(run, values, symptom, procedure) -> None:
    checkins = [checkin(day, **{symptom: value}) for day, value in zip(DAYS, values, strict=False)]
    a = run(record(*checkins, procedure=procedure, baseline=TYPICAL_BASELINE))
    for s in a.symptoms:
        if s.status in OFF_COURSE:
            assert s.action is not None and s.action.text and s.action.sources, (s.name, s.status)
        if s.status in (SymptomStatus.RESOLVED, SymptomStatus.IMPROVING, SymptomStatus.AS_EXPECTED):
            assert s.action is None, (s.name, s.status)


def test_worsening_weakness_asks_for_a_same_day_check(run) -> None:
    a = run(
        record(checkin(21, weakness=1), checkin(28, weakness=3), checkin(35, weakness=5), baseline=TYPICAL_BASELINE)
    )
    weakness = next(s for s in a.symptoms if s.name == "weakness")
    assert weakness.status is SymptomStatus.WORSENING
    assert weakness.action is not None and "today" in weakness.action.text
