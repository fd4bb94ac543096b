//! The export's columns and their CSV encoding (RFC 4180: a header row, CRLF line ends,
//! fields quoted when they hold a comma, a quote or a line break). A cell a spreadsheet
//! would run as a formula (judged by its first visible character) gets a leading `'`.

use chrono::{DateTime, SecondsFormat, Utc};
use sensei_core::SessionListEntry;

/// The header row, in column order. Documented in `docs/integrations.md`; new columns are
/// added at the end so that readers by position keep working.
pub const HEADER: [&str; 20] = [
    "id",
    "scheduled_at",
    "state",
    "reason",
    "student_id",
    "student_email",
    "submission_id",
    "challenge_id",
    "challenge_name",
    "goals_passed",
    "goals_engaged",
    "total_goals",
    "claimed_by_email",
    "claim_expires_at",
    "completed_at",
    "completed_by_id",
    "notes",
    "student_notes",
    "cancelled_at",
    "cancel_reason",
];

/// The first characters that make a spreadsheet treat a cell as a formula (or, for tab and
/// carriage return, that some of them strip before doing so).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Characters nobody sees that some spreadsheets skip before deciding a cell is a formula:
/// NUL, the zero-width space, non-joiner and joiner, the word joiner and the byte-order mark.
/// A cell is judged by its first character after any run of these.
const INVISIBLE_LEADERS: [char; 6] = [
    '\0', '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}',
];

/// The cell as written: unchanged, or with a leading `'` when its first visible character
/// starts a formula, so that `=HYPERLINK(...)` is shown as text instead of being run.
pub fn neutralise(cell: String) -> String {
    if cell
        .trim_start_matches(INVISIBLE_LEADERS)
        .starts_with(FORMULA_STARTS)
    {
        format!("'{cell}")
    } else {
        cell
    }
}

fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn optional_instant(at: Option<DateTime<Utc>>) -> String {
    at.map(instant).unwrap_or_default()
}

/// One session's cells, in [`HEADER`]'s order, its state judged at `as_of`; not yet
/// neutralised.
pub fn cells(entry: &SessionListEntry, as_of: DateTime<Utc>) -> [String; 20] {
    let session = &entry.session;
    let claim = match &session.lifecycle {
        sensei_core::SessionLifecycle::Claimed(claim) => Some(*claim),
        _ => None,
    };
    let completion = session.completion();
    let cancellation = session.cancellation();
    [
        session.id.to_string(),
        instant(session.scheduled_at),
        session.state_at(as_of).as_str().to_owned(),
        session.reason.to_stored().unwrap_or_default().to_owned(),
        session.user_id.to_string(),
        entry.student_email.clone(),
        session.submission_id.to_string(),
        entry.challenge_id.to_string(),
        entry.challenge_name.clone(),
        session.engagement.goals_passed.to_string(),
        session.engagement.goals_engaged.to_string(),
        session.engagement.total_goals.to_string(),
        claim.and(entry.holder_email.clone()).unwrap_or_default(),
        optional_instant(claim.map(|claim| claim.expires_at)),
        optional_instant(completion.map(|done| done.completed_at)),
        completion
            .and_then(|done| done.completed_by)
            .map(|id| id.to_string())
            .unwrap_or_default(),
        completion
            .and_then(|done| done.notes.as_ref())
            .map(|notes| notes.as_str().to_owned())
            .unwrap_or_default(),
        completion
            .and_then(|done| done.student_notes.as_ref())
            .map(|notes| notes.as_str().to_owned())
            .unwrap_or_default(),
        optional_instant(cancellation.map(|cancelled| cancelled.cancelled_at)),
        cancellation
            .and_then(|cancelled| cancelled.reason.as_ref())
            .map(|reason| reason.as_str().to_owned())
            .unwrap_or_default(),
    ]
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

fn finish(writer: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, csv::Error> {
    writer
        .into_inner()
        .map_err(|error| csv::Error::from(error.into_error()))
}

/// The header row, encoded.
///
/// # Errors
/// Never in practice (writing to memory); a [`csv::Error`] if the encoder fails.
pub fn header_bytes() -> Result<Vec<u8>, csv::Error> {
    let mut out = writer();
    out.write_record(HEADER)?;
    finish(out)
}

/// One page of rows, encoded and neutralised.
///
/// # Errors
/// Never in practice (writing to memory); a [`csv::Error`] if the encoder fails.
pub fn rows_bytes(
    entries: &[SessionListEntry],
    as_of: DateTime<Utc>,
) -> Result<Vec<u8>, csv::Error> {
    let mut out = writer();
    for entry in entries {
        out.write_record(cells(entry, as_of).map(neutralise))?;
    }
    finish(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_start_like_formulas_get_a_leading_quote() {
        for (raw, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("plain", "plain"),
            ("a=b", "a=b"),
            ("", ""),
            // Invisible characters before the formula do not hide it.
            ("\0=1+1", "'\0=1+1"),
            ("\u{FEFF}=1+1", "'\u{FEFF}=1+1"),
            (
                "\u{200B}\u{200C}\u{200D}\u{2060}@SUM(A1)",
                "'\u{200B}\u{200C}\u{200D}\u{2060}@SUM(A1)",
            ),
            ("\u{FEFF}\0\u{200B}-1", "'\u{FEFF}\0\u{200B}-1"),
            ("\u{FEFF}plain", "\u{FEFF}plain"),
            ("\u{200B}", "\u{200B}"),
        ] {
            assert_eq!(neutralise(raw.to_owned()), written, "{raw:?}");
        }
    }

    #[test]
    fn the_header_is_one_crlf_terminated_line() {
        let bytes = header_bytes().unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with("id,scheduled_at,state,reason,"));
        assert!(text.ends_with("cancelled_at,cancel_reason\r\n"));
        assert_eq!(text.matches("\r\n").count(), 1);
    }
}
