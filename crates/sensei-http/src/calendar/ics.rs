//! An instructor's calendar feed as an RFC 5545 calendar (`text/calendar`): one `VEVENT`
//! per session they hold, from the start of the hold (the claim or its latest renewal) to
//! its expiry. Every text value is escaped and every line folded by [`content_line`].

use chrono::{DateTime, Utc};
use sensei_core::{CalendarFeed, HeldSession};

use super::content_line::{escape_text, push_line};
use crate::presentation;

/// The calendar's name in calendar apps.
pub const CALENDAR_NAME: &str = "Sensei sessions I hold";

/// The `PRODID` of the feed.
const PRODUCT: &str = "-//sensei scheduling//calendar feed//EN";

/// A session's event UID: stable for the session, so a calendar app updates the event when
/// the hold is renewed instead of adding another.
pub fn uid(held: &HeldSession) -> String {
    format!(
        "scheduled-session-{}@sensei-scheduling",
        held.entry.session.id
    )
}

/// A DATE-TIME in UTC (RFC 5545 3.3.5, form #2).
fn utc(at: &DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

fn push_event(out: &mut String, held: &HeldSession, feed: &CalendarFeed, site: &str) {
    let entry = &held.entry;
    let session = &entry.session;
    let summary = format!(
        "Sensei session: {} – {}",
        entry.student_email, entry.challenge_name
    );
    let description = format!(
        "{} asked for help with {} ({}) on {}. Your hold lapses at {} unless you renew it.",
        entry.student_email,
        entry.challenge_name,
        presentation::recorded_reason_label(&session.reason),
        presentation::datetime(&session.scheduled_at),
        presentation::datetime(&held.held_until),
    );
    push_line(out, "BEGIN", "VEVENT");
    push_line(out, "UID", &escape_text(&uid(held)));
    push_line(out, "DTSTAMP", &utc(&feed.as_of));
    push_line(out, "DTSTART", &utc(&held.held_from));
    push_line(out, "DTEND", &utc(&held.held_until));
    let mut description = description;
    if let Some(meeting) = &held.meeting {
        if let Some(at) = &meeting.at {
            description.push_str(&format!(" Meeting at {}.", presentation::datetime(at)));
        }
        if let Some(link) = &meeting.link {
            description.push_str(&format!(" Meeting link: {}", link.as_str()));
        }
    }
    push_line(out, "SUMMARY", &escape_text(&summary));
    push_line(out, "DESCRIPTION", &escape_text(&description));
    if let Some(link) = held
        .meeting
        .as_ref()
        .and_then(|meeting| meeting.link.as_ref())
    {
        // TEXT, escaped like every other value: the link was checked (no spaces or control
        // characters), and escaping keeps `,` and `;` from splitting the value.
        push_line(out, "LOCATION", &escape_text(link.as_str()));
    }
    // A URI value, not TEXT: `site` is a checked host name and the id a number, so it holds
    // none of the characters TEXT escapes.
    push_line(
        out,
        "URL",
        &format!("{site}/admin/scheduled-sessions/{}", session.id),
    );
    push_line(out, "END", "VEVENT");
}

/// The feed as iCalendar text; `site` is the service's address (`https://host`), for each
/// event's link to the session's page.
pub fn render(feed: &CalendarFeed, site: &str) -> String {
    let mut out = String::new();
    push_line(&mut out, "BEGIN", "VCALENDAR");
    push_line(&mut out, "VERSION", "2.0");
    push_line(&mut out, "PRODID", PRODUCT);
    push_line(&mut out, "CALSCALE", "GREGORIAN");
    push_line(&mut out, "METHOD", "PUBLISH");
    // `NAME` is RFC 7986's; `X-WR-CALNAME` is what older calendar apps read.
    push_line(&mut out, "NAME", &escape_text(CALENDAR_NAME));
    push_line(&mut out, "X-WR-CALNAME", &escape_text(CALENDAR_NAME));
    for held in &feed.sessions {
        push_event(&mut out, held, feed, site);
    }
    push_line(&mut out, "END", "VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};
    use sensei_core::{
        ChallengeId, Claim, EligibilityReason, EngagementSnapshot, RecordedReason,
        ScheduledSession, ScheduledSessionId, SessionLifecycle, SessionListEntry, SubmissionId,
        UserId,
    };

    use super::*;

    fn feed(challenge_name: &str) -> CalendarFeed {
        let as_of = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
        let held_until = as_of + Duration::minutes(20);
        CalendarFeed {
            instructor: UserId(1),
            as_of,
            sessions: vec![HeldSession {
                entry: SessionListEntry {
                    session: ScheduledSession {
                        id: ScheduledSessionId(42),
                        submission_id: SubmissionId(3),
                        user_id: UserId(7),
                        reason: RecordedReason::Known(EligibilityReason::NeedsWorkFeedback),
                        engagement: EngagementSnapshot {
                            goals_passed: 1,
                            goals_engaged: 1,
                            total_goals: 3,
                        },
                        scheduled_at: as_of - Duration::hours(2),
                        lifecycle: SessionLifecycle::Claimed(Claim {
                            holder: UserId(1),
                            expires_at: held_until,
                        }),
                    },
                    student_email: "erin@example.com".to_owned(),
                    challenge_id: ChallengeId(9),
                    challenge_name: challenge_name.to_owned(),
                    holder_email: Some("sensei@example.com".to_owned()),
                },
                held_from: as_of - Duration::minutes(10),
                held_until,
                meeting: None,
            }],
        }
    }

    #[test]
    fn one_event_per_held_session_with_its_hold_as_the_span() {
        let text = render(&feed("Linked lists"), "https://sensei.example");
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
        assert!(text.contains("\r\nPRODID:-//sensei scheduling//calendar feed//EN\r\n"));
        assert_eq!(text.matches("BEGIN:VEVENT").count(), 1);
        assert!(text.contains("\r\nUID:scheduled-session-42@sensei-scheduling\r\n"));
        assert!(text.contains("\r\nDTSTART:20261128T095000Z\r\n"), "{text}");
        assert!(text.contains("\r\nDTEND:20261128T102000Z\r\n"), "{text}");
        assert!(text.contains("\r\nDTSTAMP:20261128T100000Z\r\n"), "{text}");
        assert!(text.contains("URL:https://sensei.example/admin/scheduled-sessions/42"));
        assert!(text.trim_end().ends_with("END:VCALENDAR"));
    }

    #[test]
    fn text_is_escaped_and_long_lines_are_folded() {
        let text = render(
            &feed("Lists, stacks; queues\nand a very long name that goes on and on and on"),
            "https://sensei.example",
        );
        assert!(
            text.contains("Lists\\, stacks\\; queues\\nand"),
            "escaped per RFC 5545: {text}"
        );
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "unfolded line: {line:?}");
        }
    }

    #[test]
    fn the_meeting_link_and_time_are_the_event_s_location_and_in_its_description() {
        let mut with_meeting = feed("Linked lists");
        with_meeting.sessions[0].meeting =
            sensei_core::Meeting::parse("https://meet.example.org/a;b,c", "2026-11-28T10:15")
                .unwrap();
        let text = render(&with_meeting, "https://sensei.example");
        let unfolded = text.replace("\r\n ", "");
        assert!(
            unfolded.contains("\r\nLOCATION:https://meet.example.org/a\\;b\\,c\r\n"),
            "{text}"
        );
        assert!(unfolded.contains("Meeting at 2026-11-28 10:15"), "{text}");
    }

    #[test]
    fn an_instructor_holding_nothing_gets_an_empty_calendar() {
        let mut empty = feed("x");
        empty.sessions.clear();
        let text = render(&empty, "https://sensei.example");
        assert!(!text.contains("BEGIN:VEVENT"));
        assert!(text.contains("BEGIN:VCALENDAR") && text.contains("END:VCALENDAR"));
    }
}
