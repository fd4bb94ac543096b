//! An instructor's calendar feed as an RFC 5545 calendar (`text/calendar`): one `VEVENT`
//! per session they hold, from the start of the hold (the claim or its latest renewal) to
//! its expiry. The `icalendar` crate escapes the text and folds long lines.

use icalendar::{Calendar, Component, Event, EventLike, Property};
use sensei_core::{CalendarFeed, HeldSession};

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

fn event(held: &HeldSession, feed: &CalendarFeed, site: &str) -> Event {
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
    Event::new()
        .uid(&uid(held))
        .timestamp(feed.as_of)
        .starts(held.held_from)
        .ends(held.held_until)
        .summary(&summary)
        .description(&description)
        .url(&format!("{site}/admin/scheduled-sessions/{}", session.id))
        .done()
}

/// The feed as iCalendar text; `site` is the service's address (`https://host`), for each
/// event's link to the session's page.
pub fn render(feed: &CalendarFeed, site: &str) -> String {
    let mut calendar = Calendar::empty();
    calendar.append_property(Property::new("VERSION", "2.0"));
    calendar.append_property(Property::new("PRODID", PRODUCT));
    calendar.append_property(Property::new("CALSCALE", "GREGORIAN"));
    calendar.append_property(Property::new("METHOD", "PUBLISH"));
    calendar.name(CALENDAR_NAME);
    for held in &feed.sessions {
        calendar.push(event(held, feed, site));
    }
    calendar.done().to_string()
}
