"""Oswestry Disability Index scoring."""

from __future__ import annotations

import pytest

from nervetrack.domain.odi import band_of, score_odi


@pytest.mark.parametrize(
    ("answers", "score"),
    [
        ([0] * 10, 0.0),
        ([5] * 10, 100.0),
        ([2, 1, 2, 3, 2, 1, 1, 2, 0, 2], 32.0),
        ([2, 2, 2, 2, 2, 2, 2, 2, 0, None], 35.6),  # 16/45
    ],
)
def test_it_scores_sum_over_five_times_answered_sections(knowledge, answers, score):
    assert score_odi(knowledge.odi, answers).score == score


def test_it_refuses_to_score_with_two_sections_missing_and_says_why(knowledge):
    result = score_odi(knowledge.odi, [1, 1, 1, 1, 1, 1, 1, 1, None, None])
    assert result.score is None and result.band is None
    assert "2 of 10 sections unanswered" in result.reason


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "minimal"),
        (20, "minimal"),
        (20.1, "moderate"),
        (40, "moderate"),
        (41, "severe"),
        (60, "severe"),
        (61, "crippling"),
        (80, "crippling"),
        (81, "bed_bound"),
        (100, "bed_bound"),
    ],
)
def test_bands_follow_the_published_cut_points(knowledge, score, band):
    assert band_of(knowledge.odi, score) == band


def test_acceptable_state_is_22_or_less(knowledge):
    assert score_odi(knowledge.odi, [1, 1, 1, 1, 1, 1, 1, 1, 1, 2]).acceptable is True  # 22.0
    assert score_odi(knowledge.odi, [1, 1, 1, 1, 1, 1, 1, 1, 2, 2]).acceptable is False  # 24.0


def test_assessment_reports_the_latest_answered_questionnaire(run):
    from tests.records import checkin, record

    a = run(record(checkin(10, odi=[3] * 10), checkin(40, odi=[1] * 10), checkin(41, leg_pain=2)))
    assert a.odi is not None
    assert a.odi.score == 20.0 and a.odi.band == "minimal" and a.odi.acceptable


def test_assessment_without_questionnaire_has_no_odi(run):
    from tests.records import checkin, record

    assert run(record(checkin(10, leg_pain=2))).odi is None
