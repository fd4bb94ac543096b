//! An instructor's meeting details for a claimed session: an optional link (http or https
//! only) and an optional time, given with the claim and shown to the student, in the
//! student's emails and in the instructor's calendar event.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::ids::{ScheduledSessionId, UserId};

/// The longest meeting link accepted, in characters.
pub const MAX_MEETING_LINK_CHARS: usize = 500;

/// Why meeting details were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeetingError {
    /// The link is not an absolute http or https URL.
    #[error("the meeting link must start with https:// or http:// and name a host (e.g. https://meet.example.org/room)")]
    NotHttp,
    /// The link is too long.
    #[error("the meeting link is {chars} characters long; at most {MAX_MEETING_LINK_CHARS} are accepted")]
    TooLong {
        /// Its length.
        chars: usize,
    },
    /// The link holds spaces or control characters.
    #[error("the meeting link must not contain spaces or control characters")]
    BadCharacter,
    /// The time is not a date and time.
    #[error("the meeting time {0:?} is not a date and time (use YYYY-MM-DDTHH:MM, UTC)")]
    BadTime(String),
}

/// A checked meeting link: `http://` or `https://`, a host, no whitespace or control
/// characters (so it cannot break a header, a calendar line or an attribute), at most
/// [`MAX_MEETING_LINK_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingLink(String);

impl MeetingLink {
    /// Checks a link as typed (surrounding spaces trimmed).
    ///
    /// # Errors
    /// [`MeetingError`] naming what is wrong.
    pub fn parse(raw: &str) -> Result<MeetingLink, MeetingError> {
        let link = raw.trim();
        let chars = link.chars().count();
        if chars > MAX_MEETING_LINK_CHARS {
            return Err(MeetingError::TooLong { chars });
        }
        if link.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(MeetingError::BadCharacter);
        }
        let lower = link.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"))
            .ok_or(MeetingError::NotHttp)?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit('@').next().unwrap_or("");
        if host.is_empty() || host.starts_with(':') {
            return Err(MeetingError::NotHttp);
        }
        Ok(MeetingLink(link.to_owned()))
    }

    /// The link as stored.
    pub fn from_stored(raw: impl Into<String>) -> MeetingLink {
        MeetingLink(raw.into())
    }

    /// The link's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Meeting details: a link, a time, or both (never neither: that is "no meeting").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    /// Where.
    pub link: Option<MeetingLink>,
    /// When (UTC).
    pub at: Option<DateTime<Utc>>,
}

impl Meeting {
    /// Meeting details from a form or the API: empty fields are absent; `None` when both are.
    /// The time is RFC 3339, or `YYYY-MM-DDTHH:MM[:SS]` (a form's `datetime-local`) read
    /// as UTC.
    ///
    /// # Errors
    /// [`MeetingError`] for a malformed link or time.
    pub fn parse(link: &str, at: &str) -> Result<Option<Meeting>, MeetingError> {
        let link = match link.trim() {
            "" => None,
            raw => Some(MeetingLink::parse(raw)?),
        };
        let at = match at.trim() {
            "" => None,
            raw => Some(parse_time(raw)?),
        };
        Ok((link.is_some() || at.is_some()).then_some(Meeting { link, at }))
    }
}

fn parse_time(raw: &str) -> Result<DateTime<Utc>, MeetingError> {
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Ok(at.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(raw, format).ok())
        .map(|naive| naive.and_utc())
        .ok_or_else(|| MeetingError::BadTime(raw.chars().take(40).collect()))
}

/// Meeting details as stored: given by `instructor` for `session`. They are shown only while
/// that instructor holds the session ([`StoredMeeting::shown_for`]), so details of a claim
/// that failed or ended never reach the student.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMeeting {
    /// The session.
    pub session_id: ScheduledSessionId,
    /// Who gave them.
    pub instructor: UserId,
    /// The details.
    pub meeting: Meeting,
}

impl StoredMeeting {
    /// The details to show when `holder` holds the session (a live claim), else `None`.
    pub fn shown_for(&self, holder: Option<UserId>) -> Option<&Meeting> {
        (holder == Some(self.instructor)).then_some(&self.meeting)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn only_http_and_https_links_with_a_host_pass() {
        assert!(MeetingLink::parse(" https://meet.example.org/room?x=1 ").is_ok());
        assert!(MeetingLink::parse("HTTP://Example.org").is_ok());
        for bad in [
            "javascript:alert(1)",
            "ftp://example.org",
            "https://",
            "https:///path",
            "data:text/html,x",
            "example.org/room",
        ] {
            assert_eq!(MeetingLink::parse(bad), Err(MeetingError::NotHttp), "{bad}");
        }
    }

    #[test]
    fn links_with_line_breaks_spaces_or_too_many_characters_are_refused() {
        assert_eq!(
            MeetingLink::parse("https://a.org/\r\nBcc: x@example.org"),
            Err(MeetingError::BadCharacter)
        );
        assert_eq!(
            MeetingLink::parse("https://a.org/a b"),
            Err(MeetingError::BadCharacter)
        );
        let long = format!("https://a.org/{}", "x".repeat(MAX_MEETING_LINK_CHARS));
        assert!(matches!(
            MeetingLink::parse(&long),
            Err(MeetingError::TooLong { .. })
        ));
    }

    #[test]
    fn a_meeting_needs_a_link_or_a_time_and_reads_form_times_as_utc() {
        assert_eq!(Meeting::parse("", " "), Ok(None));
        let at = Utc.with_ymd_and_hms(2026, 12, 8, 14, 30, 0).unwrap();
        let meeting = Meeting::parse("", "2026-12-08T14:30").unwrap().unwrap();
        assert_eq!((meeting.link, meeting.at), (None, Some(at)));
        let meeting = Meeting::parse("https://a.org", "2026-12-08T15:30:00+01:00")
            .unwrap()
            .unwrap();
        assert_eq!(meeting.at, Some(at));
        assert!(matches!(
            Meeting::parse("", "tomorrow"),
            Err(MeetingError::BadTime(_))
        ));
    }

    #[test]
    fn stored_details_show_only_while_their_instructor_holds_the_session() {
        let stored = StoredMeeting {
            session_id: ScheduledSessionId(1),
            instructor: UserId(7),
            meeting: Meeting {
                link: None,
                at: None,
            },
        };
        assert!(stored.shown_for(Some(UserId(7))).is_some());
        assert!(stored.shown_for(Some(UserId(8))).is_none());
        assert!(stored.shown_for(None).is_none());
    }
}
