"""The pure rules: the same numbers and words as the platform's Python and the service."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sensei


def python_percent(passed: int, engaged: int, total: int) -> int:
    """The seed model's `engagement_percent`, verbatim."""
    if total == 0:
        return 0
    return round((engaged + passed) / total * 100)


def test_engagement_percent_equals_pythons_round_for_every_input_up_to_200_goals():
    checked = 0
    for total in range(0, 201):
        for passed in range(0, total + 1):
            for engaged in range(0, total - passed + 1):
                assert sensei.engagement_percent(passed, engaged, total) == python_percent(
                    passed, engaged, total
                ), (passed, engaged, total)
                checked += 1
    assert checked == sum((t + 1) * (t + 2) // 2 for t in range(201))


@st.composite
def counts(draw, most=2**32 - 1):
    """A challenge's goals and a student's progress on them (passed + engaged <= total)."""
    total = draw(st.integers(0, most))
    passed = draw(st.integers(0, total))
    engaged = draw(st.integers(0, total - passed))
    return passed, engaged, total


@settings(max_examples=500, deadline=None)
@given(counts())
def test_engagement_percent_equals_pythons_round_for_any_progress(progress):
    assert sensei.engagement_percent(*progress) == python_percent(*progress)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**20), st.integers(0, 2**20), st.integers(0, 2**20))
def test_engagement_percent_equals_pythons_round_even_for_counts_above_the_total(passed, engaged, total):
    assert sensei.engagement_percent(passed, engaged, total) == python_percent(passed, engaged, total)


def test_halves_round_to_even_like_python():
    assert sensei.engagement_percent(1, 0, 8) == 12 == round(12.5)
    assert sensei.engagement_percent(3, 0, 8) == 38 == round(37.5)
    assert sensei.engagement_percent(0, 1, 200) == 0


@pytest.mark.parametrize("counts", [(-1, 0, 3), (0, -1, 3), (0, 0, -1), (2**32, 0, 1), (0, 0, 2**80)])
def test_counts_out_of_range_are_invalid_input_and_a_value_error(counts):
    with pytest.raises(sensei.InvalidInput) as raised:
        sensei.engagement_percent(*counts)
    assert isinstance(raised.value, ValueError)
    assert raised.value.code == "invalid_input"


def test_a_count_of_the_wrong_type_is_a_type_error():
    with pytest.raises(TypeError):
        sensei.engagement_percent("1", 0, 3)


def test_a_needs_work_review_is_the_reason_even_with_full_engagement():
    eligibility = sensei.evaluate_eligibility("needs_work", 3, 0, 3)
    assert eligibility
    assert eligibility.eligible
    assert eligibility.reason is sensei.EligibilityReason.NEEDS_WORK_FEEDBACK
    assert eligibility.reason == "needs_work_feedback"
    assert eligibility.refusal is None


def test_every_goal_engaged_or_passed_is_digi_trainer_engagement():
    eligibility = sensei.evaluate_eligibility(None, 2, 2, 4)
    assert eligibility.reason is sensei.EligibilityReason.DIGI_TRAINER_ENGAGEMENT


def test_a_refusal_says_which_conditions_failed_and_by_how_much():
    eligibility = sensei.evaluate_eligibility("approved", 1, 1, 5)
    assert not eligibility
    assert eligibility.reason is None
    assert eligibility.refusal == (
        'not eligible for a sensei session: the latest review is "approved", not '
        '"needs_work"; and 2 of 5 goals engaged; 5 needed (40% engagement, 100% required)'
    )


def test_the_threshold_is_the_policys():
    assert sensei.evaluate_eligibility(None, 1, 2, 5, engagement_threshold=60)
    refused = sensei.evaluate_eligibility(None, 1, 1, 5, engagement_threshold=60)
    assert "2 of 5 goals engaged; 3 needed (40% engagement, 60% required)" in refused.refusal
    with pytest.raises(sensei.InvalidInput, match="engagement_threshold must be from 1 to 100"):
        sensei.evaluate_eligibility(None, 1, 1, 5, engagement_threshold=0)


def test_more_goals_touched_than_exist_is_invalid_input():
    with pytest.raises(sensei.InvalidInput, match="cannot exceed total_goals"):
        sensei.evaluate_eligibility(None, 3, 3, 5)
