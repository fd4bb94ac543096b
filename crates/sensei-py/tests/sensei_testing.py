"""Helpers of the `sensei` package's tests and benchmark: a platform database (a SQLite file, or
a fresh PostgreSQL database when SENSEI_TEST_POSTGRES_URL reaches a server) made with the
seed's SQLAlchemy models from examples/flask_platform, and a `sensei serve` on it."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "flask_platform"
sys.path.insert(0, str(EXAMPLE))

import sensei  # noqa: E402
from app import create_app  # noqa: E402
from models import (  # noqa: E402
    Challenge,
    Goal,
    GoalProgress,
    Review,
    ScheduledSession,
    Submission,
    User,
    db,
)

POSTGRES_URL = os.environ.get("SENSEI_TEST_POSTGRES_URL", "").strip()
_postgres_problem: str | None = None
_postgres_checked = False


def postgres_problem() -> str | None:
    """Why the PostgreSQL tests cannot run, or None when they can."""
    global _postgres_checked, _postgres_problem
    if not _postgres_checked:
        _postgres_checked = True
        if not POSTGRES_URL:
            _postgres_problem = "SENSEI_TEST_POSTGRES_URL is not set"
        else:
            try:
                import psycopg

                with psycopg.connect(POSTGRES_URL, connect_timeout=3):
                    pass
            except Exception as error:  # noqa: BLE001 - any failure means "skip loudly"
                _postgres_problem = f"cannot reach {POSTGRES_URL}: {error}"
    return _postgres_problem


def postgres_was_checked() -> bool:
    return _postgres_checked


@dataclass
class Database:
    backend: str
    url: str  # as sensei and `sensei serve` take it
    sqlalchemy_url: str  # as SQLAlchemy takes it


def new_postgres_database(admin_url: str | None = None) -> tuple[str, Database]:
    """A fresh, empty PostgreSQL database on the server of `admin_url`: its name and URLs."""
    admin_url = admin_url or POSTGRES_URL
    parts = urllib.parse.urlsplit(admin_url)
    name = f"sensei_py_{uuid.uuid4().hex[:12]}"
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = urllib.parse.urlunsplit(("postgres", parts.netloc, f"/{name}", parts.query, ""))
    alchemy = urllib.parse.urlunsplit(
        ("postgresql+psycopg", parts.netloc, f"/{name}", parts.query, "")
    )
    return name, Database("postgres", url, alchemy)


def drop_postgres(name: str, admin_url: str | None = None) -> None:
    import psycopg

    with psycopg.connect(admin_url or POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Platform:
    """The platform's database made by the seed's SQLAlchemy models, then adopted by sensei."""

    def __init__(self, database: Database):
        self.database = database
        self.app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": database.sqlalchemy_url,
                "SENSEI_DATABASE_URL": database.url,
                "DEV_LOGIN": True,
                "SECRET_KEY": "test-secret",
                "TESTING": True,
            }
        )
        with self.app.app_context():
            db.create_all()
        self.migrations = sensei.Scheduler(database.url).migrate(platform=True)
        self._challenges: dict[int, Challenge] = {}

    def user(self, email: str, role: str = "student") -> int:
        with self.app.app_context():
            user = User(email=email, role=role, password_hash="!")
            db.session.add(user)
            db.session.commit()
            return user.id

    def submission(
        self,
        user_id: int,
        *,
        verdict: str | None = "needs_work",
        passed: int = 0,
        engaged: int = 0,
        total: int = 3,
        challenge: str = "Linked lists",
    ) -> int:
        """A submission of a new challenge with `total` goals and the given progress."""
        with self.app.app_context():
            found = Challenge(name=challenge, description="")
            found.goals = [Goal(title=f"goal {i}", position=i) for i in range(total)]
            db.session.add(found)
            db.session.flush()
            submission = Submission(
                user_id=user_id,
                challenge_id=found.id,
                submitted_at=datetime.utcnow() - timedelta(days=1),
            )
            db.session.add(submission)
            db.session.flush()
            if verdict is not None:
                db.session.add(
                    Review(submission_id=submission.id, verdict=verdict, created_at=datetime.utcnow())
                )
            for index, goal in enumerate(found.goals):
                status = "passed" if index < passed else "engaged" if index < passed + engaged else None
                if status:
                    db.session.add(
                        GoalProgress(user_id=user_id, goal_id=goal.id, status=status, updated_at=datetime.utcnow())
                    )
            db.session.commit()
            return submission.id

    def student_with_submission(self, email: str, **kwargs) -> tuple[int, int]:
        user_id = self.user(email)
        return user_id, self.submission(user_id, **kwargs)

    def rows(self, user_id: int, submission_id: int) -> list[ScheduledSession]:
        with self.app.app_context():
            rows = (
                ScheduledSession.query.filter_by(user_id=user_id, submission_id=submission_id)
                .order_by(ScheduledSession.id)
                .all()
            )
            for row in rows:
                db.session.expunge(row)
            return rows

    def execute(self, sql: str, **params) -> None:
        with self.app.app_context():
            db.session.execute(db.text(sql), params)
            db.session.commit()

    def dispose(self) -> None:
        with self.app.app_context():
            db.engine.dispose()


# ---- `sensei serve` ------------------------------------------------------------------------

IDENTITY_HEADER = "X-Test-Email"


def sensei_bin() -> str:
    found = os.environ.get("SENSEI_BIN") or str(ROOT / "target" / "debug" / "sensei")
    if not os.access(found, os.X_OK):
        pytest.fail(f"no sensei binary at {found}: build it (cargo build -p sensei-http --bin sensei) or set SENSEI_BIN")
    return found


class Server:
    """`sensei serve` on a free loopback port, signing requests in by a trusted header (or,
    with `trusted_header=False`, only by password, as a standalone deployment does)."""

    def __init__(self, database_url: str, trusted_header: bool = True):
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SENSEI_COOKIE_KEY")}
        env["RUST_LOG"] = "warn"
        if trusted_header:
            env.update(
                {
                    "SENSEI_TRUSTED_HEADER": IDENTITY_HEADER,
                    "SENSEI_TRUSTED_PROXIES": "127.0.0.1,::1",
                }
            )
        else:
            env.pop("SENSEI_TRUSTED_HEADER", None)
            env.pop("SENSEI_TRUSTED_PROXIES", None)
        self.process = subprocess.Popen(
            [sensei_bin(), "serve", "--database-url", database_url, "--bind", "127.0.0.1:0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        found: list[str] = []
        ready = threading.Event()

        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                at = line.find("http://")
                if at >= 0 and not found:
                    found.append(line[at:].strip().rstrip("/"))
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(30):
            self.stop()
            pytest.fail("sensei serve did not print its address within 30 s")
        self.base = found[0]
        import requests

        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{self.base}/readyz", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"{self.base} never became ready")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
