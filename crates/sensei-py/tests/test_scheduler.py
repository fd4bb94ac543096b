"""`Scheduler` over the platform's database (made by the seed's SQLAlchemy models), on SQLite
and PostgreSQL: the core's use cases, their refusals as exception classes, and rows the
platform's own models read back."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import sensei


def test_a_booking_records_the_session_and_the_next_one_within_the_hour_is_its_duplicate(
    platform, scheduler
):
    student, submission = platform.student_with_submission("ada@example.com", passed=1, engaged=1)
    before = datetime.now(timezone.utc)
    first = scheduler.book(student, submission)
    again = scheduler.book(student, submission)

    assert first.created and first.outcome is sensei.BookingOutcome.CREATED
    assert not again.created and again.outcome == "duplicate"
    assert again.session.id == first.session.id
    session = first.session
    assert (session.user_id, session.submission_id) == (student, submission)
    assert session.eligibility_reason is sensei.EligibilityReason.NEEDS_WORK_FEEDBACK
    assert (session.goals_passed, session.goals_engaged, session.total_goals) == (1, 1, 3)
    assert session.engagement_percent == 67
    assert session.state is sensei.SessionState.PENDING
    assert session.scheduled_at.tzinfo is not None
    assert session.scheduled_at.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=1) <= session.scheduled_at <= datetime.now(timezone.utc)

    # The platform's own model reads the same row: one row, the same numbers and instant.
    rows = platform.rows(student, submission)
    assert len(rows) == 1
    row = rows[0]
    assert row.eligibility_reason == "needs_work_feedback"
    assert row.engagement_percent() == session.engagement_percent
    assert row.scheduled_at == session.scheduled_at.replace(tzinfo=None)
    assert row.session_completed_at is None


def test_a_student_not_eligible_is_refused_with_the_reason(platform, scheduler):
    student, submission = platform.student_with_submission(
        "carol@example.com", verdict=None, engaged=1, total=5
    )
    with pytest.raises(sensei.NotEligible) as raised:
        scheduler.book(student, submission)
    assert "1 of 5 goals engaged; 5 needed" in str(raised.value)
    assert raised.value.code == "ineligible"
    assert isinstance(raised.value, sensei.Refused)
    assert platform.rows(student, submission) == []


def test_someone_elses_submission_is_forbidden_and_an_unknown_one_not_found(platform, scheduler):
    owner, submission = platform.student_with_submission("owner@example.com")
    other = platform.user("other@example.com")
    with pytest.raises(sensei.Forbidden):
        scheduler.book(other, submission)
    with pytest.raises(sensei.NotFound, match="submission 999999 does not exist"):
        scheduler.book(owner, 999_999)
    with pytest.raises(sensei.NotFound):
        scheduler.book(owner, 2**40)
    assert platform.rows(other, submission) == []


def test_the_open_session_limit_refuses_the_next_booking(platform):
    scheduler = sensei.Scheduler(platform.database.url, max_open_sessions=2)
    student = platform.user("busy@example.com")
    first, second, third = (platform.submission(student) for _ in range(3))
    scheduler.book(student, first)
    scheduler.book(student, second)
    with pytest.raises(sensei.NotEligible) as raised:
        scheduler.book(student, third)
    assert raised.value.code == "too_many_open_sessions"
    assert "2 open sensei sessions; at most 2 at a time" in str(raised.value)


def test_pending_pages_oldest_first_with_filters_and_a_cursor(platform, scheduler):
    booked = []
    for index in range(5):
        student, submission = platform.student_with_submission(
            f"s{index}@example.com", challenge=f"Challenge {index}"
        )
        booked.append(scheduler.book(student, submission).session.id)

    first = scheduler.pending(limit=2)
    assert first.total == 5 and len(first) == 2
    assert [s.id for s in first] == booked[:2]
    assert first.items[0].student_email == "s0@example.com"
    assert first.items[0].challenge_name == "Challenge 0"
    second = scheduler.pending(limit=2, after=first.next_cursor)
    third = scheduler.pending(limit=2, after=second.next_cursor)
    assert [s.id for s in second.items + third.items] == booked[2:]
    assert third.next_cursor is None

    only = scheduler.pending(student="S3@EXAMPLE")
    assert [s.id for s in only] == [booked[3]] and only.total == 1
    assert scheduler.pending(reason="digi_trainer_engagement").total == 0
    assert scheduler.pending(challenge_id=first.items[1].challenge_id).total == 1
    assert scheduler.pending(status=sensei.StatusFilter.COMPLETED).total == 0


def test_completion_is_recorded_once_and_read_back_by_the_platform(platform, scheduler):
    student, submission = platform.student_with_submission("done@example.com")
    teacher = platform.user("teacher@example.com", role="instructor")
    session_id = scheduler.book(student, submission).session.id

    done = scheduler.complete(session_id, instructor_id=teacher, notes="  went well  ", student_notes="keep going")
    assert done.state is sensei.SessionState.COMPLETED
    assert done.notes == "went well" and done.student_notes == "keep going"
    assert done.completed_by == teacher
    assert done.completed_at is not None and done.completed_at.tzinfo is not None

    with pytest.raises(sensei.Conflict, match="already completed"):
        scheduler.complete(session_id, instructor_id=teacher, notes="again")
    again = scheduler.get(session_id)
    assert again.notes == "went well"
    assert again.completed_at == done.completed_at
    assert again.student_email == "done@example.com"

    row = platform.rows(student, submission)[0]
    assert row.session_completed_at == done.completed_at.replace(tzinfo=None)
    assert row.notes == "went well"
    assert scheduler.pending().total == 0


def test_notes_longer_than_10000_characters_are_refused_and_nothing_is_saved(platform, scheduler):
    student, submission = platform.student_with_submission("long@example.com")
    teacher = platform.user("t@example.com", role="instructor")
    session_id = scheduler.book(student, submission).session.id
    with pytest.raises(sensei.Refused) as raised:
        scheduler.complete(session_id, instructor_id=teacher, notes="x" * 10_001)
    assert not isinstance(raised.value, sensei.NotEligible)
    assert raised.value.code == "invalid_notes"
    assert scheduler.get(session_id).state is sensei.SessionState.PENDING


def test_a_claim_is_held_by_one_instructor_until_released(platform, scheduler):
    student, submission = platform.student_with_submission("claimed@example.com")
    first = platform.user("first@example.com", role="instructor")
    second = platform.user("second@example.com", role="instructor")
    session_id = scheduler.book(student, submission).session.id

    held = scheduler.claim(session_id, instructor_id=first)
    assert held.state is sensei.SessionState.CLAIMED and held.claimed_by == first
    assert held.claim_expires_at > datetime.now(timezone.utc) + timedelta(minutes=29)
    assert scheduler.get(session_id).holder_email == "first@example.com"
    with pytest.raises(sensei.Conflict, match="claimed by first@example.com until"):
        scheduler.claim(session_id, instructor_id=second)
    with pytest.raises(sensei.Conflict) as raised:
        scheduler.complete(session_id, instructor_id=second)
    assert raised.value.code == "held_by_other"
    assert scheduler.renew(session_id, instructor_id=first).claimed_by == first
    released = scheduler.release(session_id, instructor_id=first)
    assert released.state is sensei.SessionState.PENDING and released.claimed_by is None
    with pytest.raises(sensei.Conflict):
        scheduler.release(session_id, instructor_id=first)


def test_the_student_cancels_their_own_session_and_may_book_again(platform, scheduler):
    student, submission = platform.student_with_submission("cancel@example.com")
    other = platform.user("not-owner@example.com")
    session_id = scheduler.book(student, submission).session.id
    with pytest.raises(sensei.Forbidden):
        scheduler.cancel(session_id, user_id=other)
    cancelled = scheduler.cancel(session_id, user_id=student, reason="solved it")
    assert cancelled.state is sensei.SessionState.CANCELLED
    assert cancelled.cancel_reason == "solved it"
    with pytest.raises(sensei.Conflict, match="can no longer be cancelled"):
        scheduler.cancel(session_id, user_id=student)
    rebooked = scheduler.book(student, submission)
    assert rebooked.created and rebooked.session.id != session_id


def test_unknown_sessions_are_not_found(scheduler):
    with pytest.raises(sensei.NotFound, match="scheduled session 424242 does not exist"):
        scheduler.get(424242)
    with pytest.raises(sensei.NotFound):
        scheduler.complete(-1, instructor_id=1)
    with pytest.raises(sensei.NotFound):
        scheduler.claim(2**63, instructor_id=1)


def test_arguments_out_of_range_are_invalid_input(platform, scheduler):
    with pytest.raises(sensei.InvalidInput, match="limit must be from 1 to 100"):
        scheduler.pending(limit=0)
    with pytest.raises(sensei.InvalidInput, match="not a cursor"):
        scheduler.pending(after="yesterday")
    with pytest.raises(sensei.InvalidInput, match="status must be one of"):
        scheduler.pending(status="lost")
    with pytest.raises(sensei.InvalidInput, match="unknown eligibility reason"):
        scheduler.pending(reason="bored")
    with pytest.raises(sensei.InvalidInput, match="is not a user id"):
        scheduler.book(2**40, 1)
    with pytest.raises(sensei.InvalidInput, match="dedup window"):
        sensei.Scheduler(platform.database.url, dedup_window=timedelta(0))
    with pytest.raises(sensei.InvalidInput, match="dedup_window must be a datetime.timedelta"):
        sensei.Scheduler(platform.database.url, dedup_window=3600)
    with pytest.raises(sensei.InvalidInput, match="invalid database URL"):
        sensei.Scheduler("mysql://nowhere/db")


def test_the_dedup_window_is_the_policys(platform):
    scheduler = sensei.Scheduler(platform.database.url, dedup_window=timedelta(seconds=1))
    student, submission = platform.student_with_submission("window@example.com")
    first = scheduler.book(student, submission)
    # A row booked two seconds ago is outside a one-second window.
    platform.execute(
        "UPDATE scheduled_sessions SET scheduled_at = :at WHERE id = :id",
        at=datetime.utcnow() - timedelta(seconds=2),
        id=first.session.id,
    )
    assert scheduler.book(student, submission).created
    assert len(platform.rows(student, submission)) == 2


def test_a_row_the_platform_wrote_reads_back(platform, scheduler):
    student, submission = platform.student_with_submission("legacy@example.com")
    platform.execute(
        "INSERT INTO scheduled_sessions (submission_id, user_id, eligibility_reason, goals_passed,"
        " goals_engaged, total_goals, scheduled_at) VALUES (:s, :u, 'from_an_old_version', 1, 1, 3, :at)",
        s=submission,
        u=student,
        at=datetime(2026, 11, 28, 9, 15, 2, 123456),
    )
    page = scheduler.pending()
    assert page.total == 1
    session = page.items[0]
    assert session.eligibility_reason == "from_an_old_version"
    assert session.scheduled_at == datetime(2026, 11, 28, 9, 15, 2, 123456, tzinfo=timezone.utc)
    assert session.state is sensei.SessionState.PENDING
