"""Every exception class of the package, raised by a real call (the other test files raise
them too, in context); every one a `SenseiError` with the core's stable code."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import timedelta

import pytest

import sensei
from sensei import _errors

RAISED_HERE = {
    "SenseiError",
    "NotFound",
    "Forbidden",
    "Refused",
    "NotEligible",
    "Conflict",
    "InvalidInput",
    "Unavailable",
    "InternalError",
}


def test_this_file_raises_every_exception_class_of_the_package():
    assert set(_errors.__all__) == RAISED_HERE


@pytest.fixture
def booked(platform, scheduler):
    student, submission = platform.student_with_submission("err@example.com")
    teacher = platform.user("err-teacher@example.com", role="instructor")
    return student, submission, teacher, scheduler.book(student, submission).session.id


def test_not_found(scheduler):
    with pytest.raises(sensei.NotFound) as raised:
        scheduler.get(123456)
    assert isinstance(raised.value, LookupError) and isinstance(raised.value, sensei.SenseiError)
    assert raised.value.code == "not_found"


def test_forbidden(platform, scheduler, booked):
    _, submission, _, _ = booked
    stranger = platform.user("stranger@example.com")
    with pytest.raises(sensei.Forbidden) as raised:
        scheduler.book(stranger, submission)
    assert raised.value.code == "forbidden"
    assert str(raised.value) == "you can only schedule sensei sessions for your own submissions"


def test_not_eligible_and_refused(platform, scheduler, booked):
    student, _, teacher, session_id = booked
    hopeless = platform.submission(student, verdict="approved", engaged=1, total=4)
    with pytest.raises(sensei.NotEligible) as raised:
        scheduler.book(student, hopeless)
    assert raised.value.code == "ineligible"
    assert "1 of 4 goals engaged; 4 needed" in raised.value.message
    with pytest.raises(sensei.Refused) as refused:
        scheduler.cancel(session_id, user_id=student, reason="r" * 501)
    assert refused.value.code == "invalid_reason"
    assert type(refused.value) is sensei.Refused


def test_conflict(scheduler, booked):
    _, _, teacher, session_id = booked
    scheduler.complete(session_id, instructor_id=teacher)
    with pytest.raises(sensei.Conflict) as raised:
        scheduler.claim(session_id, instructor_id=teacher)
    assert raised.value.code == "session_closed"


def test_invalid_input(scheduler):
    with pytest.raises(sensei.InvalidInput) as raised:
        scheduler.pending(limit=101)
    assert isinstance(raised.value, ValueError)
    assert raised.value.code == "invalid_input"


def test_unavailable_when_the_database_is_unreachable():
    closed_port = sensei.Scheduler("postgres://nobody@127.0.0.1:1/none", timeout=timedelta(milliseconds=500))
    with pytest.raises(sensei.Unavailable) as raised:
        closed_port.pending()
    assert raised.value.code == "unavailable"


def test_unavailable_when_another_connection_holds_the_sqlite_lock_and_the_gil_is_free_meanwhile(
    tmp_path,
):
    # The platform on SQLite, locked by another writer (the platform's own transaction).
    from sensei_testing import Database, Platform

    platform = Platform(Database("sqlite", f"sqlite://{tmp_path}/l.db", f"sqlite:///{tmp_path}/l.db"))
    student, submission = platform.student_with_submission("locked@example.com")
    scheduler = sensei.Scheduler(platform.database.url, timeout=timedelta(seconds=1))
    blocker = sqlite3.connect(tmp_path / "l.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    outcome: list[BaseException] = []
    finished = threading.Event()

    def book() -> None:
        try:
            scheduler.book(student, submission)
        except BaseException as error:  # noqa: BLE001 - recorded for the assertion below
            outcome.append(error)
        finally:
            finished.set()

    thread = threading.Thread(target=book)
    thread.start()
    # While the booking waits for the lock, this thread keeps running Python: the call does
    # not hold the GIL. (Progress is counted, not timed.)
    spins = 0
    while not finished.is_set():
        spins += 1
        if spins % 1000 == 0:
            time.sleep(0)
    thread.join()
    blocker.execute("ROLLBACK")
    blocker.close()
    assert len(outcome) == 1 and isinstance(outcome[0], sensei.Unavailable), outcome
    assert spins > 10_000
    assert platform.rows(student, submission) == []
    assert scheduler.book(student, submission).created
    platform.dispose()


def test_internal_error_for_a_row_that_cannot_be_read(tmp_path):
    from sensei_testing import Database, Platform

    platform = Platform(Database("sqlite", f"sqlite://{tmp_path}/c.db", f"sqlite:///{tmp_path}/c.db"))
    student, submission = platform.student_with_submission("corrupt@example.com")
    platform.execute(
        "INSERT INTO scheduled_sessions (submission_id, user_id, scheduled_at) VALUES (:s, :u, 'not a date')",
        s=submission,
        u=student,
    )
    scheduler = sensei.Scheduler(platform.database.url)
    with pytest.raises(sensei.InternalError) as raised:
        scheduler.pending()
    assert raised.value.code == "internal"
    platform.dispose()


def test_every_error_is_a_sensei_error():
    for name in RAISED_HERE:
        assert issubclass(getattr(sensei, name), sensei.SenseiError)
