"""How much 8 Python threads sharing one `sensei.Scheduler` gain over 1 (the GIL is released
while the database works): bookings of distinct pairs, and reads of one session.

    target/python-venv/bin/python crates/sensei-py/bench/threads.py            # SQLite
    target/python-venv/bin/python crates/sensei-py/bench/threads.py --postgres postgres://postgres@127.0.0.1:5432/postgres

Prints operations per second with 1 and with 8 threads, and the ratio. The data set is made
with the seed's SQLAlchemy models (examples/flask_platform), as in the tests.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))

import sensei  # noqa: E402
from sensei_testing import Database, Platform  # noqa: E402


def run(threads: int, work, items: list) -> float:
    """Operations per second running `work(item)` for every item on `threads` threads."""
    chunks = [items[i::threads] for i in range(threads)]
    start = threading.Barrier(threads + 1)

    def worker(chunk):
        start.wait()
        for item in chunk:
            work(item)

    pool = [threading.Thread(target=worker, args=(chunk,)) for chunk in chunks]
    for thread in pool:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in pool:
        thread.join()
    return len(items) / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="an admin URL: a fresh database is made and dropped")
    parser.add_argument("--bookings", type=int, default=400, help="bookings per run")
    parser.add_argument("--reads", type=int, default=4000, help="reads per run")
    args = parser.parse_args()

    drop = None
    if args.postgres:
        import psycopg

        name = f"sensei_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(args.postgres, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        parts = urllib.parse.urlsplit(args.postgres)
        database = Database(
            "postgres",
            urllib.parse.urlunsplit(("postgres", parts.netloc, f"/{name}", parts.query, "")),
            urllib.parse.urlunsplit(("postgresql+psycopg", parts.netloc, f"/{name}", parts.query, "")),
        )

        def drop() -> None:
            with psycopg.connect(args.postgres, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        folder = tempfile.mkdtemp(prefix="sensei-bench-")
        database = Database("sqlite", f"sqlite://{folder}/bench.db", f"sqlite:///{folder}/bench.db")

    try:
        platform = Platform(database)
        scheduler = sensei.Scheduler(database.url)
        pairs = [platform.student_with_submission(f"b{i}@example.com") for i in range(2 * args.bookings)]
        one = run(1, lambda pair: scheduler.book(*pair), pairs[: args.bookings])
        eight = run(8, lambda pair: scheduler.book(*pair), pairs[args.bookings :])
        session_id = scheduler.pending(limit=1).items[0].id
        reads = [session_id] * args.reads
        read_one = run(1, scheduler.get, reads)
        read_eight = run(8, scheduler.get, reads)
        print(f"backend: {database.backend}, {__import__('os').cpu_count()} CPUs")
        print(f"book (distinct pairs): 1 thread {one:,.0f}/s, 8 threads {eight:,.0f}/s, speed-up {eight / one:.2f}x")
        print(f"get (one session):     1 thread {read_one:,.0f}/s, 8 threads {read_eight:,.0f}/s, speed-up {read_eight / read_one:.2f}x")
        platform.dispose()
    finally:
        if drop:
            drop()


if __name__ == "__main__":
    main()
