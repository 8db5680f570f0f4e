"""The library's public API is small and pinned."""

from __future__ import annotations

import nervetrack


def test_public_api_is_pinned():
    assert sorted(nervetrack.__all__) == [
        "Assessment",
        "InvalidInput",
        "KnowledgeError",
        "NerveTrackError",
        "PatientRecord",
        "Problem",
        "SymptomStatus",
        "TriageLevel",
        "__version__",
        "assess",
        "load_knowledge",
        "parse_record",
    ]


def test_assess_accepts_an_explicit_as_of(knowledge):
    from tests.records import checkin, record

    r = nervetrack.parse_record(record(checkin(5, leg_pain=3)))
    a = nervetrack.assess(r, knowledge, as_of=r.surgery.date.replace(day=30))
    assert a.days_since_surgery == 28
