//! An email as a message: the subject (fixed text and header-safe values), a plain-text and
//! an HTML part (askama escapes every value), and the `List-Unsubscribe` header. People's text
//! (notes, reasons, names, the meeting link) goes only into the bodies; lettre's typed
//! builders write the headers, and the only values in them are the recipient's address
//! (parsed as an address), fixed text, and header-safe text ([`sensei_core::header_text`]).

use askama::Template;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::Message;
use sensei_core::services::EmailContent;
use sensei_core::{header_text, EmailKind};

use crate::zone::ViewerZone;

/// The longest challenge name a subject carries.
const SUBJECT_NAME_CHARS: usize = 60;

/// Why a message could not be built (a permanent failure: retrying cannot help).
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The recipient's stored address is not an email address.
    #[error("the recipient's address is not a valid email address")]
    Address,
    /// The message could not be assembled.
    #[error("the message could not be built: {0}")]
    Build(String),
}

#[derive(Template)]
#[template(path = "email/message.html")]
struct HtmlBody<'a> {
    subject: &'a str,
    paragraphs: &'a [String],
    meeting_link: Option<&'a str>,
    notes: Option<&'a str>,
    action: Option<(&'a str, &'a str)>,
    unsubscribe: Option<&'a str>,
}

/// `List-Unsubscribe: <url>` (RFC 2369), for mail clients' own unsubscribe button.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.trim_matches(['<', '>']).to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): a POST to the link opts
/// out without a page.
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// What the email says, in paragraphs, with its subject.
struct Wording {
    subject: String,
    paragraphs: Vec<String>,
    action: Option<(&'static str, String)>,
}

fn wording(content: &EmailContent, base: &str) -> Wording {
    let challenge = content.challenge.as_deref().unwrap_or("your submission");
    let short = header_text(challenge, SUBJECT_NAME_CHARS);
    let zone = content
        .time_zone
        .as_deref()
        .map_or_else(ViewerZone::utc, ViewerZone::named);
    let when = zone.datetime_with_utc(&content.occurred_at);
    let sessions = Some(("See your sessions", format!("{base}/sessions")));
    let instructor = content
        .instructor_email
        .as_deref()
        .unwrap_or("An instructor");
    match content.kind {
        EmailKind::Booked => Wording {
            subject: format!("Sensei session booked: {short}"),
            paragraphs: vec![
                format!("Your sensei session about \"{challenge}\" is booked ({when})."),
                "An instructor will pick it up; we will email you when one does.".to_owned(),
            ],
            action: sessions,
        },
        EmailKind::Claimed => {
            let mut paragraphs = vec![format!(
                "{instructor} is on your sensei session about \"{challenge}\"."
            )];
            if let Some(at) = content.meeting.as_ref().and_then(|meeting| meeting.at) {
                paragraphs.push(format!("Meeting time: {}", zone.datetime_with_utc(&at)));
            }
            Wording {
                subject: format!("An instructor is on it: {short}"),
                paragraphs,
                action: sessions,
            }
        }
        EmailKind::Completed => Wording {
            subject: format!("Sensei session completed: {short}"),
            paragraphs: vec![format!(
                "{instructor} completed your sensei session about \"{challenge}\"."
            )],
            action: sessions,
        },
        EmailKind::Cancelled => {
            let mut paragraphs = vec![format!(
                "Your sensei session about \"{challenge}\" was cancelled ({when})."
            )];
            if let Some(reason) = &content.cancel_reason {
                paragraphs.push(format!("Reason given: {reason}"));
            }
            paragraphs.push("You may book again whenever you like.".to_owned());
            Wording {
                subject: format!("Sensei session cancelled: {short}"),
                paragraphs,
                action: sessions,
            }
        }
        EmailKind::PasswordReset => Wording {
            subject: "Reset your sensei password".to_owned(),
            paragraphs: vec![
                "Someone (hopefully you) asked to reset the password of this sensei account."
                    .to_owned(),
                "The link works once, for 30 minutes. If you did not ask, ignore this email: \
                 your password stays as it is."
                    .to_owned(),
            ],
            action: content.reset.as_ref().map(|secret| {
                (
                    "Choose a new password",
                    format!("{base}/password-reset/{}", secret.as_str()),
                )
            }),
        },
    }
}

/// The plain-text part.
fn text_body(wording: &Wording, content: &EmailContent, unsubscribe: Option<&str>) -> String {
    let mut text = wording.paragraphs.join("\n\n");
    if let Some(link) = content.meeting.as_ref().and_then(|m| m.link.as_ref()) {
        text.push_str("\n\nMeeting link: ");
        text.push_str(link.as_str());
    }
    if let Some(notes) = &content.notes_for_student {
        text.push_str("\n\nNotes from your instructor:\n\n");
        text.push_str(notes);
    }
    if let Some((label, url)) = &wording.action {
        text.push_str(&format!("\n\n{label}: {url}"));
    }
    if let Some(url) = unsubscribe {
        text.push_str("\n\n--\nYou get these emails about your sensei sessions. Stop them: ");
        text.push_str(url);
    }
    text.push('\n');
    text
}

/// The message for `content`, from `from`, with links under `base` (no trailing slash).
///
/// # Errors
/// [`RenderError`] when the recipient's address is invalid or the message cannot be built.
pub fn message(content: &EmailContent, from: &Mailbox, base: &str) -> Result<Message, RenderError> {
    let to: Mailbox = content
        .to
        .parse::<lettre::Address>()
        .map(|address| Mailbox::new(None, address))
        .map_err(|_| RenderError::Address)?;
    let wording = wording(content, base);
    let unsubscribe = content
        .unsubscribe
        .as_ref()
        .map(|secret| format!("{base}/unsubscribe/{}", secret.as_str()));
    let text = text_body(&wording, content, unsubscribe.as_deref());
    let html = HtmlBody {
        subject: &wording.subject,
        paragraphs: &wording.paragraphs,
        meeting_link: content
            .meeting
            .as_ref()
            .and_then(|m| m.link.as_ref())
            .map(|link| link.as_str()),
        notes: content.notes_for_student.as_deref(),
        action: wording.action.as_ref().map(|(l, u)| (*l, u.as_str())),
        unsubscribe: unsubscribe.as_deref(),
    }
    .render()
    .map_err(|error| RenderError::Build(error.to_string()))?;
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(header_text(&wording.subject, 200));
    if let Some(url) = unsubscribe {
        builder = builder
            .header(ListUnsubscribe(url))
            .header(ListUnsubscribePost);
    }
    builder
        .multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(text),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(html),
                ),
        )
        .map_err(|error| RenderError::Build(error.to_string()))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use sensei_core::{LinkSecret, Meeting, ScheduledSessionId};

    use super::*;

    fn content(kind: EmailKind) -> EmailContent {
        EmailContent {
            to: "alice@example.com".to_owned(),
            kind,
            session_id: Some(ScheduledSessionId(1)),
            challenge: Some("Lists\r\nBcc: evil@example.org".to_owned()),
            occurred_at: chrono::Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap(),
            time_zone: None,
            instructor_email: Some("sensei@example.com".to_owned()),
            notes_for_student: Some("<script>x</script>\r\nBcc: evil@example.org".to_owned()),
            cancel_reason: None,
            meeting: Meeting::parse("https://meet.example.org/r", "").unwrap(),
            unsubscribe: Some(LinkSecret::from_random([1; 32])),
            reset: None,
        }
    }

    fn from() -> Mailbox {
        super::super::parse_from("Sensei <sensei@example.org>").unwrap()
    }

    #[test]
    fn times_are_written_in_the_recipients_zone_with_utc_beside() {
        let utc = wording(&content(EmailKind::Booked), "https://s.test");
        assert!(
            utc.paragraphs[0].contains("(2026-12-07 10:00 UTC)"),
            "{:?}",
            utc.paragraphs
        );
        let tokyo = EmailContent {
            time_zone: Some("Asia/Tokyo".to_owned()),
            meeting: Meeting::parse("", "2026-12-08T01:30:00Z").unwrap(),
            ..content(EmailKind::Claimed)
        };
        let claimed = wording(&tokyo, "https://s.test");
        assert!(
            claimed
                .paragraphs
                .contains(&"Meeting time: 2026-12-08 10:30 JST (01:30 UTC)".to_owned()),
            "{:?}",
            claimed.paragraphs
        );
        let booked = wording(
            &EmailContent {
                kind: EmailKind::Booked,
                ..tokyo
            },
            "https://s.test",
        );
        assert!(
            booked.paragraphs[0].contains("(2026-12-07 19:00 JST (10:00 UTC))"),
            "{:?}",
            booked.paragraphs
        );
    }

    #[test]
    fn people_s_text_reaches_no_header_and_is_escaped_in_html() {
        let raw = message(&content(EmailKind::Completed), &from(), "https://s.test")
            .unwrap()
            .formatted();
        let text = String::from_utf8(raw).unwrap();
        let head = text.split("\r\n\r\n").next().unwrap();
        assert!(
            !head
                .lines()
                .any(|line| line.to_ascii_lowercase().starts_with("bcc")),
            "{head}"
        );
        assert!(head.contains("Subject: Sensei session completed: Lists Bcc: evil@example.org"));
        assert!(head.contains(&format!(
            "List-Unsubscribe: <https://s.test/unsubscribe/{}>",
            "01".repeat(32)
        )));
        let html = HtmlBody {
            subject: "s",
            paragraphs: &["<b>".to_owned()],
            meeting_link: Some("https://a.org/?a=1&b=\"x\""),
            notes: Some("<script>x</script>"),
            action: None,
            unsubscribe: None,
        }
        .render()
        .unwrap();
        assert!(
            html.contains("&#60;script&#62;x&#60;/script&#62;"),
            "{html}"
        );
        assert!(html.contains("<p>&#60;b&#62;</p>"), "{html}");
        assert!(
            html.contains("href=\"https://a.org/?a=1&#38;b=&#34;x&#34;\""),
            "{html}"
        );
    }

    #[test]
    fn an_address_that_is_not_one_is_refused() {
        let mut bad = content(EmailKind::Booked);
        bad.to = "not an address".to_owned();
        assert!(matches!(
            message(&bad, &from(), "https://s.test"),
            Err(RenderError::Address)
        ));
    }
}
