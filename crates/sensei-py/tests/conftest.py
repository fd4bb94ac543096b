"""Fixtures of the `sensei` package's tests: a platform database per test, on SQLite and on
PostgreSQL (skipped, loudly, when SENSEI_TEST_POSTGRES_URL does not reach a server), the
platform made by the seed's SQLAlchemy models, a Scheduler on it, and `sensei serve` on it.
The helpers are in sensei_testing.py (importable by the tests and the benchmark)."""

from __future__ import annotations

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import sensei  # noqa: E402
from sensei_testing import (  # noqa: E402
    Database,
    Platform,
    Server,
    drop_postgres,
    new_postgres_database,
    postgres_problem,
    postgres_was_checked,
)


def pytest_terminal_summary(terminalreporter):
    problem = postgres_problem() if postgres_was_checked() else None
    if problem:
        banner = "!" * 78
        terminalreporter.write_line(banner, red=True, bold=True)
        terminalreporter.write_line(
            f"SKIPPED: the PostgreSQL tests of the sensei package did not run: {problem}",
            red=True,
            bold=True,
        )
        terminalreporter.write_line(banner, red=True, bold=True)


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "platform.db"
        yield Database("sqlite", f"sqlite://{path}", f"sqlite:///{path}")
        return
    problem = postgres_problem()
    if problem:
        print(f"\nSKIPPED (PostgreSQL): {problem}", file=sys.stderr)
        pytest.skip(f"PostgreSQL: {problem}")
    name, found = new_postgres_database()
    try:
        yield found
    finally:
        drop_postgres(name)


@pytest.fixture
def platform(database):
    made = Platform(database)
    yield made
    made.dispose()


@pytest.fixture
def scheduler(platform) -> sensei.Scheduler:
    return sensei.Scheduler(platform.database.url)


@pytest.fixture
def server(platform):
    started = Server(platform.database.url)
    yield started
    started.stop()
