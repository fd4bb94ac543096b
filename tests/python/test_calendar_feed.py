"""The calendar feed, black-box (SPEC §5.7): a feed made through the dashboard's "New
calendar link" form parses with Python's `icalendar` and lists exactly the sessions its
instructor holds; a replaced link answers 404.

Runs the real binary ($SENSEI_BIN) in demo mode over its own SQLite file: ann holds a claim
on erin's session, dave's session is pending.
"""

import re
import urllib.parse

import icalendar

from sensei_server import Server

SENSEI = "sensei@example.com"
ANN = "ann@example.com"


def new_link(server, cookie):
    """Presses "New calendar link"; returns the feed's path from the page it answers with."""
    token = server.csrf_token(cookie)
    status, _, body = server.post_form("/admin/calendar-link", cookie, {"csrf_token": token})
    assert status == 200, body[:500]
    found = re.search(rb'value="(http://[^"]+/calendar/[0-9a-f]{64}\.ics)"', body)
    assert found, body[:2000]
    return urllib.parse.urlsplit(found.group(1).decode()).path


def events(server, path):
    status, headers, body = server.request("GET", path)
    assert status == 200, body[:500]
    assert headers.get("content-type") == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(body)
    return list(calendar.walk("VEVENT"))


def claimed_sessions(server, cookie):
    """Every session under a live claim, from the API's list."""
    status, page = server.api("GET", "/scheduled-sessions?status=claimed&limit=100", cookie)
    assert status == 200, page
    assert "next_cursor" not in page
    return page["items"]


def test_the_feed_lists_exactly_the_holders_claims_and_a_replaced_link_is_gone(tmp_path):
    database = str(tmp_path / "demo.sqlite3")
    server = Server(["--demo", "--database-url", "sqlite://" + database],
                    str(tmp_path / "server.log"))
    try:
        ann = server.sign_in(ANN)
        sensei = server.sign_in(SENSEI)
        # sensei claims every pending session; ann keeps her claim on erin's.
        status, pending = server.api("GET", "/scheduled-sessions?status=pending&limit=100", sensei)
        assert status == 200, pending
        assert pending["items"], "the demo has a pending session"
        for item in pending["items"]:
            status, body = server.api("POST", "/scheduled-sessions/%d/claim" % item["id"], sensei)
            # 422: the policy's limit of live claims per instructor.
            assert status in (200, 422), body
        holders = {}
        for item in claimed_sessions(server, sensei):
            holders.setdefault(item["claimed_by_email"], set()).add(item["id"])
        assert set(holders) == {ANN, SENSEI}, holders

        ann_path = new_link(server, ann)
        sensei_path = new_link(server, sensei)

        ann_events = events(server, ann_path)
        sensei_events = events(server, sensei_path)
        ann_uids = {str(event["UID"]) for event in ann_events}
        sensei_uids = {str(event["UID"]) for event in sensei_events}
        assert ann_uids == {"scheduled-session-%d@sensei-scheduling" % i for i in holders[ANN]}
        assert sensei_uids == {"scheduled-session-%d@sensei-scheduling" % i
                               for i in holders[SENSEI]}
        assert len(ann_events) >= 1 and len(sensei_events) >= 1
        for event in ann_events + sensei_events:
            assert event.decoded("DTSTART") < event.decoded("DTEND")
            assert str(event["SUMMARY"]).startswith("Sensei session: ")
        assert any("erin@example.com" in str(event["SUMMARY"]) for event in ann_events)

        # A new link replaces the old one: the old address is gone, the new one works.
        replacement = new_link(server, ann)
        assert replacement != ann_path
        assert server.request("GET", ann_path)[0] == 404
        assert {str(event["UID"]) for event in events(server, replacement)} == ann_uids
        # The other instructor's link is untouched.
        assert server.request("GET", sensei_path)[0] == 200
    finally:
        server.stop()
