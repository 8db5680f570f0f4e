"""Round trip over random valid records (hypothesis): FHIR export then import gives the record back."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nervetrack import assess, load_knowledge, parse_record
from nervetrack.interop.fhir_bundle import PatientFacts, imported_patient, patient_resources
from nervetrack.interop.fhir_responses import StoredCheckin
from nervetrack.interop.fhir_validation import validated
from tests.unit.test_properties import records

KNOWLEDGE = load_knowledge()
MOMENT = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


def answer_to(question_id: str) -> st.SearchStrategy[tuple[str, object]]:
    question = KNOWLEDGE.questions[question_id]
    kinds = {"yes_no": st.booleans(), "0-10": st.integers(0, 10)}
    values = kinds[question.answer] if question.answer in kinds else st.sampled_from(question.choices)
    return values.map(lambda value: (question_id, value))


follow_up_answers = st.lists(st.sampled_from(sorted(KNOWLEDGE.questions)).flatmap(answer_to), max_size=3).map(dict)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records(), st.lists(follow_up_answers, min_size=8, max_size=8), st.sampled_from(["p_1", "p-1", "x" * 64]))
def test_export_then_import_gives_the_record_back(data: dict, answers: list, patient_id: str) -> None:
    data["patient"]["id"] = patient_id
    for checkin, follow_up in zip(data["checkins"], answers, strict=False):
        if follow_up:
            checkin["follow_up"] = follow_up
    record = parse_record(data)
    stored = [StoredCheckin(i + 1, c, MOMENT) for i, c in enumerate(record.ordered_checkins())]
    facts = PatientFacts(record, stored, [], assess(record, KNOWLEDGE, forecast=False))
    resources = [validated(r) for r in patient_resources(facts, KNOWLEDGE)]
    back = imported_patient(resources, KNOWLEDGE.odi.sections).record(as_of=record.as_of)
    assert back == record.model_copy(update={"checkins": record.ordered_checkins()})
