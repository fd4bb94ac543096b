"""One `Scheduler` shared by Python threads: distinct pairs all booked, one pair booked once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import sensei


def test_eight_threads_book_distinct_pairs_through_one_scheduler(platform, scheduler):
    pairs = [platform.student_with_submission(f"t{i}@example.com") for i in range(8)]
    start = threading.Barrier(8)

    def book(pair):
        start.wait()
        return scheduler.book(*pair)

    with ThreadPoolExecutor(8) as pool:
        bookings = list(pool.map(book, pairs))
    assert all(booking.created for booking in bookings)
    assert len({booking.session.id for booking in bookings}) == 8
    for pair in pairs:
        assert len(platform.rows(*pair)) == 1


def test_sixteen_threads_booking_one_pair_record_one_session(platform, scheduler):
    pair = platform.student_with_submission("same@example.com")
    start = threading.Barrier(16)

    def book(_):
        start.wait()
        return scheduler.book(*pair)

    with ThreadPoolExecutor(16) as pool:
        bookings = list(pool.map(book, range(16)))
    assert sum(booking.created for booking in bookings) == 1
    assert len({booking.session.id for booking in bookings}) == 1
    assert len(platform.rows(*pair)) == 1
    assert all(
        booking.outcome in (sensei.BookingOutcome.CREATED, sensei.BookingOutcome.DUPLICATE)
        for booking in bookings
    )


def test_a_forked_child_is_told_to_make_its_own_scheduler(scheduler):
    # gunicorn forks workers: a Scheduler made before the fork cannot run in the child (its
    # threads stayed in the parent); the child gets an exception saying so, not a hang.
    import os

    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child process
        code = 3
        try:
            scheduler.pending()
            code = 1
        except sensei.Unavailable as error:
            code = 0 if "before a fork" in str(error) else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert scheduler.pending().total == 0
