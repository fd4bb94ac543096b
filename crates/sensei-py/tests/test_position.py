"""`Scheduler.position`: an open session's place in line and expected wait, as students see
it, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

import sensei


def test_positions_follow_booking_order_and_move_up_when_an_earlier_session_is_claimed(
    platform, scheduler
):
    students = [
        platform.student_with_submission(f"s{i}@example.com", passed=1, engaged=1)
        for i in range(3)
    ]
    sessions = [scheduler.book(student, submission).session.id for student, submission in students]

    places = [scheduler.position(session_id) for session_id in sessions]
    assert [place.position for place in places] == [1, 2, 3]
    for place in places:
        assert isinstance(place, sensei.QueuePosition)
        assert not place.with_instructor
        # A fresh database has no history to learn from.
        assert place.estimated_wait_minutes is None
        assert place.estimate_basis_days is None
        assert place.summary.endswith("no estimate yet")
        assert place.as_of.utcoffset() == timedelta(0)
    assert "number 2 in line" in repr(places[1])

    teacher = platform.user("teacher@example.com", role="instructor")
    scheduler.claim(sessions[0], instructor_id=teacher)
    held = scheduler.position(sessions[0])
    assert held.with_instructor and held.position is None
    assert held.summary == "an instructor has it"
    assert [scheduler.position(s).position for s in sessions[1:]] == [1, 2]

    scheduler.complete(sessions[0], instructor_id=teacher)
    assert scheduler.position(sessions[0]) is None


def test_an_unknown_session_has_no_position(scheduler):
    with pytest.raises(sensei.NotFound):
        scheduler.position(987654)
    with pytest.raises(sensei.NotFound):
        scheduler.position(2**40)
    with pytest.raises(TypeError):
        scheduler.position("not a number")
