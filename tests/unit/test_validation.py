"""Bad input is rejected with one clear problem per fault, naming the field and what is allowed."""

from __future__ import annotations

import pytest

from nervetrack import InvalidInput, parse_record
from tests.records import checkin, record


def problems(data) -> list[str]:
    with pytest.raises(InvalidInput) as error:
        parse_record(data)
    return [str(p) for p in error.value.problems]


def test_a_valid_record_parses_and_as_of_defaults_to_the_last_checkin():
    r = parse_record(record(checkin(3, leg_pain=4), checkin(10, leg_pain=3)))
    assert r.effective_as_of().isoformat() == "2026-03-12"


def test_unknown_procedure_names_the_field_and_allowed_values():
    data = record(procedure="spinal_tap")
    assert problems(data) == [
        "surgery.procedure: must be one of discectomy, microdiscectomy, laminectomy, laminotomy, "
        "foraminotomy, fusion (got 'spinal_tap')"
    ]


def test_score_of_eleven_names_the_field_path_and_range():
    assert problems(record(checkin(3, leg_pain=11))) == [
        "checkins[0].leg_pain: must be a whole number from 0 to 10 (got 11)"
    ]


def test_checkin_before_surgery_is_rejected():
    (line,) = problems(record(checkin(-1, leg_pain=3)))
    assert line.startswith("checkins[0].date: must be on or after the surgery date 2026-03-02")


def test_checkin_after_as_of_is_rejected():
    (line,) = problems(record(checkin(20, leg_pain=3), as_of_day=10))
    assert line == "checkins[0].date: must be on or before as_of 2026-03-12 (got 2026-03-22)"


@pytest.mark.parametrize("temperature", [29.9, 45.1])
def test_temperature_outside_30_to_45_is_rejected(temperature):
    (line,) = problems(record(checkin(3, temperature_c=temperature)))
    assert line == f"checkins[0].temperature_c: must be degrees Celsius from 30 to 45 (got {temperature})"


def test_malformed_date_is_rejected():
    data = record()
    data["surgery"]["date"] = "2026-13-45"
    assert problems(data) == ["surgery.date: must be a date as YYYY-MM-DD (got '2026-13-45')"]


def test_unknown_field_is_an_error_not_silently_dropped():
    (line,) = problems(record(checkin(3, leg_pian=4)))
    assert line.startswith("checkins[0].leg_pian: unknown field; allowed here: leg_pain, back_pain")


def test_every_problem_is_reported_at_once():
    data = record(checkin(3, leg_pain=12, numbness=-1), procedure="x")
    assert len(problems(data)) == 3


def test_odi_needs_ten_answers_of_zero_to_five():
    assert problems(record(checkin(3, odi=[1, 2, 3]))) == [
        "checkins[0].odi: must be a list of 10 section answers, each 0-5 or null (got [1, 2, 3])"
    ]
    assert problems(record(checkin(3, odi=[1] * 9 + [6]))) == [
        "checkins[0].odi[9]: must be an ODI section answer 0-5 or null (got 6)"
    ]


def test_a_non_object_input_is_rejected():
    assert problems([1, 2]) == ["the input must be a JSON object with patient and surgery"]


def test_missing_required_field_says_what_is_expected():
    data = record()
    del data["patient"]["birth_year"]
    assert problems(data) == ["patient.birth_year: is required (a year from 1900 to 2100)"]


def test_implausible_age_is_rejected():
    data = record()
    data["patient"]["birth_year"] = 1900
    (line,) = problems(data)
    assert line.startswith("patient.birth_year: must give an age of 0-120 at surgery")
