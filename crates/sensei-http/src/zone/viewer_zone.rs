//! [`ViewerZone`]: how a page writes an instant for its viewer.

use chrono::{DateTime, Datelike, NaiveDateTime, Offset, TimeZone, Timelike, Utc};
use chrono_tz::{OffsetName, Tz};
use poem::session::Session;
use sensei_core::UserId;

use super::ZoneCatalog;

/// The cookie session's key for the cached zone: `"<user id> <zone>"`, so a cookie that
/// changes hands (a trusted proxy vouching for someone else) never shows another's zone.
const SESSION_KEY: &str = "time_zone";

/// The zone a page shows times in; UTC unless the viewer chose another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewerZone(Tz);

impl Default for ViewerZone {
    fn default() -> Self {
        Self::utc()
    }
}

impl ViewerZone {
    /// UTC.
    pub fn utc() -> Self {
        Self(Tz::UTC)
    }

    /// The zone named `name` exactly, or UTC for a name the database does not know.
    pub fn named(name: &str) -> Self {
        ZoneCatalog::zone(name).map_or_else(Self::utc, Self)
    }

    /// The zone's IANA name.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// Whether this is UTC under one of its names (times need no UTC beside them).
    pub fn is_utc(&self) -> bool {
        matches!(
            self.0,
            Tz::UTC | Tz::Etc__UTC | Tz::Etc__UCT | Tz::UCT | Tz::Zulu
        )
    }

    /// `2026-11-28 10:15 CET`: the instant in this zone with the zone's abbreviation (or its
    /// offset, `+0530`, where the database has no abbreviation).
    pub fn datetime(&self, at: &DateTime<Utc>) -> String {
        if self.is_utc() {
            return utc_datetime(at);
        }
        let local = at.with_timezone(&self.0);
        let year = local.year();
        if !(0..=9999).contains(&year) {
            return utc_datetime(at);
        }
        let offset = local.offset();
        let label = match offset.abbreviation() {
            Some(abbreviation) if !abbreviation.starts_with(['+', '-']) => abbreviation.to_owned(),
            _ => utc_offset(offset.fix().local_minus_utc()),
        };
        format!(
            "{year:04}-{:02}-{:02} {:02}:{:02} {label}",
            local.month(),
            local.day(),
            local.hour(),
            local.minute()
        )
    }

    /// As [`ViewerZone::datetime`], with the UTC time beside it where the zone is not UTC:
    /// `2026-11-28 10:15 CET (09:15 UTC)`, the UTC date added when it differs. For the times
    /// people coordinate across zones (when a session was booked, until when a claim holds).
    pub fn datetime_with_utc(&self, at: &DateTime<Utc>) -> String {
        let local = self.datetime(at);
        if self.is_utc() {
            return local;
        }
        let same_day = at.with_timezone(&self.0).date_naive() == at.date_naive();
        let utc = if same_day {
            format!("{:02}:{:02} UTC", at.hour(), at.minute())
        } else {
            utc_datetime(at)
        };
        format!("{local} ({utc})")
    }
}

impl ViewerZone {
    /// A form's `datetime-local` value (`2026-11-28T10:15`) read as a time in this zone,
    /// written as the RFC 3339 UTC time the core parses; any other text is returned as typed
    /// (the core reads or refuses it). A local time a clock change skips is read with the
    /// offset in force before the change.
    pub fn form_time_in_utc(&self, raw: &str) -> String {
        let typed = raw.trim();
        for pattern in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
            let Ok(naive) = NaiveDateTime::parse_from_str(typed, pattern) else {
                continue;
            };
            let utc = match self.0.from_local_datetime(&naive).earliest() {
                Some(local) => local.with_timezone(&Utc),
                None => {
                    // A day earlier is before the change (clock changes are months apart).
                    let before = naive - chrono::Duration::days(1);
                    let offset = self.0.offset_from_utc_datetime(&before).fix();
                    let seconds = i64::from(offset.local_minus_utc());
                    Utc.from_utc_datetime(&(naive - chrono::Duration::seconds(seconds)))
                }
            };
            return utc.to_rfc3339();
        }
        raw.to_owned()
    }
}

/// `2026-11-28 09:15 UTC`. Written field by field: a page shows dozens of times, and
/// chrono's `format` parses its pattern again for every one (it showed in the dashboard's
/// profile).
fn utc_datetime(at: &DateTime<Utc>) -> String {
    let year = at.year();
    if !(0..=9999).contains(&year) {
        return at.format("%Y-%m-%d %H:%M UTC").to_string();
    }
    format!(
        "{year:04}-{:02}-{:02} {:02}:{:02} UTC",
        at.month(),
        at.day(),
        at.hour(),
        at.minute()
    )
}

/// `+0530`, `-0300`.
fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

/// The zone cached in the cookie session for `user`, if the session holds one for them.
pub fn cached_zone(session: &Session, user: UserId) -> Option<ViewerZone> {
    let cached = session.get::<String>(SESSION_KEY)?;
    let (owner, name) = cached.split_once(' ')?;
    (owner.parse::<i32>().ok()? == user.get()).then(|| ViewerZone::named(name))
}

/// Caches `zone` as `user`'s in the cookie session.
pub fn remember_zone(session: &Session, user: UserId, zone: ViewerZone) {
    session.set(SESSION_KEY, format!("{} {}", user.get(), zone.name()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn utc_reads_as_before() {
        let zone = ViewerZone::utc();
        assert_eq!(
            zone.datetime(&at(2026, 11, 28, 9, 15)),
            "2026-11-28 09:15 UTC"
        );
        assert_eq!(
            zone.datetime_with_utc(&at(2026, 11, 28, 9, 15)),
            "2026-11-28 09:15 UTC"
        );
    }

    #[test]
    fn a_zone_shows_local_time_with_its_abbreviation_and_utc_beside() {
        let berlin = ViewerZone::named("Europe/Berlin");
        assert_eq!(
            berlin.datetime(&at(2026, 11, 28, 9, 15)),
            "2026-11-28 10:15 CET"
        );
        assert_eq!(
            berlin.datetime(&at(2026, 7, 1, 9, 15)),
            "2026-07-01 11:15 CEST"
        );
        assert_eq!(
            berlin.datetime_with_utc(&at(2026, 11, 28, 9, 15)),
            "2026-11-28 10:15 CET (09:15 UTC)"
        );
        assert_eq!(
            berlin.datetime_with_utc(&at(2026, 11, 28, 23, 30)),
            "2026-11-29 00:30 CET (2026-11-28 23:30 UTC)"
        );
    }

    #[test]
    fn zones_without_an_abbreviation_show_their_offset() {
        let kolkata = ViewerZone::named("Asia/Kolkata");
        assert_eq!(
            kolkata.datetime(&at(2026, 11, 28, 9, 15)),
            "2026-11-28 14:45 IST"
        );
        let sao_paulo = ViewerZone::named("America/Sao_Paulo");
        assert_eq!(
            sao_paulo.datetime(&at(2026, 11, 28, 9, 15)),
            "2026-11-28 06:15 -0300"
        );
    }

    #[test]
    fn daylight_saving_edges_are_the_databases() {
        // 2026-03-29 01:00 UTC Berlin moves from CET (+1) to CEST (+2).
        let berlin = ViewerZone::named("Europe/Berlin");
        assert_eq!(
            berlin.datetime(&at(2026, 3, 29, 0, 59)),
            "2026-03-29 01:59 CET"
        );
        assert_eq!(
            berlin.datetime(&at(2026, 3, 29, 1, 0)),
            "2026-03-29 03:00 CEST"
        );
        let new_york = ViewerZone::named("America/New_York");
        assert_eq!(
            new_york.datetime(&at(2026, 11, 1, 5, 30)),
            "2026-11-01 01:30 EDT"
        );
        assert_eq!(
            new_york.datetime(&at(2026, 11, 1, 6, 30)),
            "2026-11-01 01:30 EST"
        );
    }

    #[test]
    fn form_times_are_read_in_the_zone() {
        let berlin = ViewerZone::named("Europe/Berlin");
        assert_eq!(
            berlin.form_time_in_utc("2026-11-28T10:15"),
            "2026-11-28T09:15:00+00:00"
        );
        assert_eq!(
            ViewerZone::utc().form_time_in_utc(" 2026-11-28T10:15:30 "),
            "2026-11-28T10:15:30+00:00"
        );
        // 02:30 does not exist in Berlin on 2026-03-29: read with the winter offset.
        assert_eq!(
            berlin.form_time_in_utc("2026-03-29T02:30"),
            "2026-03-29T01:30:00+00:00"
        );
        // An ambiguous time (the autumn hour, twice) is its first occurrence.
        assert_eq!(
            berlin.form_time_in_utc("2026-10-25T02:30"),
            "2026-10-25T00:30:00+00:00"
        );
        for other in ["", "tomorrow", "2026-11-28T10:15:00Z"] {
            assert_eq!(berlin.form_time_in_utc(other), other);
        }
    }

    #[test]
    fn unknown_names_fall_back_to_utc() {
        assert_eq!(ViewerZone::named("Atlantis/Capital"), ViewerZone::utc());
        assert_eq!(utc_offset(-(3 * 3600 + 30 * 60)), "-0330");
    }
}
