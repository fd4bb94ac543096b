"""Whatever Python passes, the package answers with a `SenseiError` or Python's own
`TypeError`, never a crash or a Rust panic (`pyo3_runtime.PanicException`). Bounded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sensei

anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True),
    st.text(max_size=50),
    st.binary(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.timedeltas(),
)
ids = st.one_of(st.integers(min_value=-(2**70), max_value=2**70), anything)
texts = st.one_of(st.none(), st.text(max_size=12_000), anything)

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def call(function, *args, **kwargs) -> None:
    try:
        function(*args, **kwargs)
    except (sensei.SenseiError, TypeError):
        pass
    except BaseException as error:  # pragma: no cover - the failure this test looks for
        pytest.fail(f"{function.__name__} raised {type(error).__module__}.{type(error).__name__}: {error!r}")


@pytest.fixture
def sqlite_scheduler(tmp_path):
    from sensei_testing import Database, Platform

    platform = Platform(Database("sqlite", f"sqlite://{tmp_path}/f.db", f"sqlite:///{tmp_path}/f.db"))
    student, submission = platform.student_with_submission("fuzz@example.com")
    teacher = platform.user("fuzz-teacher@example.com", role="instructor")
    scheduler = sensei.Scheduler(platform.database.url)
    session_id = scheduler.book(student, submission).session.id
    yield scheduler, student, submission, teacher, session_id
    platform.dispose()


@FUZZ
@given(anything, anything, anything, anything)
def test_the_rules_take_any_arguments(a, b, c, d):
    call(sensei.engagement_percent, a, b, c)
    call(sensei.evaluate_eligibility, a, b, c, d)
    call(sensei.evaluate_eligibility, None, 1, 1, 3, engagement_threshold=a)


@FUZZ
@given(ids, ids, texts, texts)
def test_the_scheduler_takes_any_arguments(sqlite_scheduler, a, b, text, other):
    scheduler, student, submission, teacher, session_id = sqlite_scheduler
    call(scheduler.book, a, b)
    call(scheduler.book, student, a)
    call(scheduler.get, a)
    call(scheduler.complete, session_id, instructor_id=a, notes=text, student_notes=other)
    call(scheduler.claim, a, instructor_id=b)
    call(scheduler.renew, a, instructor_id=teacher)
    call(scheduler.release, session_id, instructor_id=a)
    call(scheduler.cancel, a, user_id=b, reason=text)
    call(scheduler.pending, status=text, reason=other, challenge_id=a, student=text, limit=b, after=other)


# URLs that open nothing on disk: random text as a file path would create files.
urls = st.one_of(
    anything.filter(lambda value: not isinstance(value, str)),
    st.text(max_size=60).map(lambda text: "postgres://" + text),
    st.text(max_size=60).map(lambda text: "mysql://" + text),
    st.just("sqlite:///nonexistent-directory-for-sensei-tests/x.db"),
)


@FUZZ
@given(urls, anything, anything, anything)
def test_the_constructor_takes_any_arguments(tmp_path, url, threshold, window, limit):
    call(
        sensei.Scheduler,
        url,
        engagement_threshold=threshold,
        dedup_window=window,
        max_open_sessions=limit,
        timeout=timedelta(milliseconds=100),
    )
    call(
        sensei.Scheduler,
        f"sqlite://{tmp_path}/k.db",
        engagement_threshold=threshold,
        dedup_window=window,
        claim_time=window,
        max_live_claims=limit,
        max_connections=threshold,
        timeout=window,
    )
