"""The platform's Flask app (examples/flask_platform: the seed's SQLAlchemy models, `book()` and
admin routes over the `sensei` package) and `sensei serve` on one database, SQLite file and
PostgreSQL: bookings of one pair through both at once record one row; what one side books or
completes, the other reads."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from werkzeug.serving import make_server

import sensei
from sensei_testing import IDENTITY_HEADER

FLASK_THREADS = 12
SERVER_REQUESTS = 12
ROUNDS = 3


class FlaskServer:
    """The Flask app on a threaded werkzeug server (one thread per request), port 0."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def signed_in(self, email: str) -> requests.Session:
        """A browser session signed in as `email`."""
        client = requests.Session()
        response = client.post(f"{self.base}/login", data={"email": email}, allow_redirects=False)
        assert response.status_code == 303, response.text
        return client

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(10)


@pytest.fixture
def flask_server(platform):
    started = FlaskServer(platform.app)
    yield started
    started.stop()


def csrf_token(client: requests.Session, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def test_concurrent_bookings_through_flask_and_the_server_record_one_session(platform, server, flask_server):
    for round_ in range(ROUNDS):
        email = f"both{round_}@example.com"
        student, submission = platform.student_with_submission(email)
        clients = []
        for _ in range(FLASK_THREADS):
            client = flask_server.signed_in(email)
            token = csrf_token(client, f"{flask_server.base}/submissions/{submission}")
            clients.append((client, token))
        start = threading.Barrier(FLASK_THREADS + SERVER_REQUESTS)

        def through_flask(index: int) -> tuple[int, int]:
            client, token = clients[index]
            start.wait()
            response = client.post(
                f"{flask_server.base}/submissions/{submission}/schedule",
                data={"csrf_token": token},
                headers={"Accept": "application/json"},
            )
            return response.status_code, response.json()["id"]

        def through_server(_: int) -> tuple[int, int]:
            start.wait()
            response = requests.post(
                f"{server.base}/api/v1/submissions/{submission}/scheduled-sessions",
                headers={IDENTITY_HEADER: email, "X-Requested-With": "test"},
            )
            return response.status_code, response.json()["session"]["id"]

        with ThreadPoolExecutor(FLASK_THREADS + SERVER_REQUESTS) as pool:
            flask = [pool.submit(through_flask, i) for i in range(FLASK_THREADS)]
            served = [pool.submit(through_server, i) for i in range(SERVER_REQUESTS)]
            results = [f.result() for f in flask + served]

        statuses = [status for status, _ in results]
        assert all(status in (200, 201) for status in statuses), statuses
        assert statuses.count(201) == 1, statuses
        assert len({session_id for _, session_id in results}) == 1
        rows = platform.rows(student, submission)
        assert len(rows) == 1, f"round {round_}: {len(rows)} rows"


def test_a_session_booked_in_python_shows_on_the_servers_dashboard(platform, server, scheduler):
    student, submission = platform.student_with_submission("from-python@example.com", challenge="Graphs")
    platform.user("sensei@example.com", role="instructor")
    booked = scheduler.book(student, submission).session

    dashboard = requests.get(f"{server.base}/admin", headers={IDENTITY_HEADER: "sensei@example.com"})
    assert dashboard.status_code == 200
    assert "from-python@example.com" in dashboard.text
    assert f"/admin/scheduled-sessions/{booked.id}" in dashboard.text
    listed = requests.get(
        f"{server.base}/api/v1/scheduled-sessions", headers={IDENTITY_HEADER: "sensei@example.com"}
    ).json()
    assert [item["id"] for item in listed["items"]] == [booked.id]
    assert listed["items"][0]["scheduled_at"].startswith(booked.scheduled_at.strftime("%Y-%m-%dT%H:%M:%S"))


def test_a_session_completed_on_the_server_reads_back_completed_in_python(platform, server, scheduler):
    student, submission = platform.student_with_submission("served@example.com")
    teacher = platform.user("teacher@example.com", role="instructor")
    booked = requests.post(
        f"{server.base}/api/v1/submissions/{submission}/scheduled-sessions",
        headers={IDENTITY_HEADER: "served@example.com", "X-Requested-With": "test"},
    )
    assert booked.status_code == 201, booked.text
    session_id = booked.json()["session"]["id"]
    assert [s.id for s in scheduler.pending()] == [session_id]

    completed = requests.post(
        f"{server.base}/api/v1/scheduled-sessions/{session_id}/completion",
        headers={IDENTITY_HEADER: "teacher@example.com"},
        json={"notes": "walked through the tests"},
    )
    assert completed.status_code == 200, completed.text

    session = scheduler.get(session_id)
    assert session.state is sensei.SessionState.COMPLETED
    assert session.notes == "walked through the tests"
    assert session.completed_by == teacher
    assert scheduler.pending().total == 0
    with pytest.raises(sensei.Conflict):
        scheduler.complete(session_id, instructor_id=teacher)
    row = platform.rows(student, submission)[0]
    assert row.session_completed_at == session.completed_at.replace(tzinfo=None)


def test_the_flask_admin_routes_list_and_complete_through_the_package(platform, flask_server, scheduler):
    student, submission = platform.student_with_submission("admin-flow@example.com", challenge="Trees")
    teacher_email = "flask-teacher@example.com"
    teacher = platform.user(teacher_email, role="instructor")
    session_id = scheduler.book(student, submission).session.id

    client = flask_server.signed_in(teacher_email)
    dashboard = client.get(f"{flask_server.base}/admin")
    assert dashboard.status_code == 200
    assert "admin-flow@example.com" in dashboard.text and "Trees" in dashboard.text
    assert "1 passed, 0 engaged / 3 total" not in dashboard.text  # no progress: 0 passed
    assert "0 passed, 0 engaged / 3 total" in dashboard.text
    token = csrf_token(client, f"{flask_server.base}/admin/scheduled-sessions/{session_id}")
    refused = client.post(
        f"{flask_server.base}/admin/scheduled-sessions/{session_id}/complete",
        data={"notes": "no token"},
        allow_redirects=False,
    )
    assert refused.status_code == 400
    done = client.post(
        f"{flask_server.base}/admin/scheduled-sessions/{session_id}/complete",
        data={"csrf_token": token, "notes": "<b>escaped</b>"},
        allow_redirects=False,
    )
    assert done.status_code == 303
    assert scheduler.get(session_id).completed_by == teacher
    again = client.post(
        f"{flask_server.base}/admin/scheduled-sessions/{session_id}/complete",
        data={"csrf_token": token},
        allow_redirects=False,
    )
    assert again.status_code == 409
    detail = client.get(f"{flask_server.base}/admin/scheduled-sessions/{session_id}")
    assert "&lt;b&gt;escaped&lt;/b&gt;" in detail.text

    student_client = flask_server.signed_in("admin-flow@example.com")
    assert student_client.get(f"{flask_server.base}/admin").status_code == 403
