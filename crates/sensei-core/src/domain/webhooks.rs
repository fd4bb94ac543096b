//! Webhook endpoints as values: the checked URL, the event filter, the signing secret, and
//! what a delivery log entry says. The retry schedule lives in `webhook_retry.rs`, the
//! payload in `webhook_payload.rs`.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use super::events::EventKind;

/// The longest endpoint URL accepted.
pub const MAX_WEBHOOK_URL_CHARS: usize = 2000;

/// The longest error text kept per attempt in the delivery log.
pub const MAX_ATTEMPT_ERROR_CHARS: usize = 500;

/// A webhook endpoint's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WebhookEndpointId(pub i32);

impl WebhookEndpointId {
    /// The raw integer as stored.
    pub fn get(self) -> i32 {
        self.0
    }
}

impl fmt::Display for WebhookEndpointId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for WebhookEndpointId {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().parse::<i32>().map(Self)
    }
}

/// Why an endpoint's URL or event list was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookInputError {
    /// Not an `http://` or `https://` URL with a host.
    #[error("{0:?} is not an http:// or https:// URL with a host")]
    NotHttpUrl(String),
    /// Longer than [`MAX_WEBHOOK_URL_CHARS`].
    #[error("the URL has {0} characters; at most {MAX_WEBHOOK_URL_CHARS}")]
    UrlTooLong(usize),
    /// An event name that is not one of the six.
    #[error(
        "{0:?} is not an event type; use booked, claimed, renewed, released, completed or \
         cancelled (comma-separated), or leave it empty for all"
    )]
    UnknownEvent(String),
}

/// An endpoint URL: `http://` or `https://`, a host, no spaces or control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    /// Checks and trims `raw`.
    ///
    /// # Errors
    /// [`WebhookInputError::NotHttpUrl`] or [`WebhookInputError::UrlTooLong`].
    pub fn parse(raw: &str) -> Result<Self, WebhookInputError> {
        let url = raw.trim();
        let chars = url.chars().count();
        if chars > MAX_WEBHOOK_URL_CHARS {
            return Err(WebhookInputError::UrlTooLong(chars));
        }
        let lower = url.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"));
        let host = rest
            .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""))
            .map(|authority| authority.rsplit('@').next().unwrap_or(""))
            .unwrap_or("");
        let host_name = host.split(':').next().unwrap_or("");
        let clean = !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>');
        if host.is_empty() || (host_name.is_empty() && !host.starts_with('[')) || !clean {
            return Err(WebhookInputError::NotHttpUrl(url.to_owned()));
        }
        Ok(Self(url.to_owned()))
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Which events an endpoint receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventFilter {
    /// Every event type.
    All,
    /// Only these (at least one, no repeats, in the canonical order).
    Only(Vec<EventKind>),
}

/// Every event kind, in the canonical order.
pub const ALL_EVENT_KINDS: [EventKind; 6] = [
    EventKind::Booked,
    EventKind::Claimed,
    EventKind::Renewed,
    EventKind::Released,
    EventKind::Completed,
    EventKind::Cancelled,
];

impl EventFilter {
    /// Parses `booked,claimed` (spaces allowed); empty or `all` is every event.
    ///
    /// # Errors
    /// [`WebhookInputError::UnknownEvent`] naming the first unknown name.
    pub fn parse(raw: &str) -> Result<Self, WebhookInputError> {
        let names: Vec<&str> = raw
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .collect();
        if names.is_empty() || names.iter().any(|name| name.eq_ignore_ascii_case("all")) {
            return Ok(EventFilter::All);
        }
        let mut kinds = Vec::new();
        for name in names {
            let kind = EventKind::parse(&name.to_ascii_lowercase())
                .ok_or_else(|| WebhookInputError::UnknownEvent(name.to_owned()))?;
            kinds.push(kind);
        }
        Ok(Self::of(kinds))
    }

    /// The filter of these kinds, in canonical order, without repeats.
    pub fn of(kinds: impl IntoIterator<Item = EventKind>) -> Self {
        let kinds: Vec<EventKind> = kinds.into_iter().collect();
        let ordered: Vec<EventKind> = ALL_EVENT_KINDS
            .into_iter()
            .filter(|kind| kinds.contains(kind))
            .collect();
        if ordered.is_empty() || ordered.len() == ALL_EVENT_KINDS.len() {
            EventFilter::All
        } else {
            EventFilter::Only(ordered)
        }
    }

    /// The stored form: `None` for all, else `,booked,claimed,` (commas around every name,
    /// so a database trigger can test membership with a substring search).
    pub fn stored(&self) -> Option<String> {
        match self {
            EventFilter::All => None,
            EventFilter::Only(kinds) => Some(format!(
                ",{},",
                kinds
                    .iter()
                    .map(|kind| kind.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            )),
        }
    }

    /// Reads the stored form; unknown names are skipped (a newer version may add kinds).
    pub fn from_stored(stored: Option<&str>) -> Self {
        match stored {
            None => EventFilter::All,
            Some(raw) => Self::of(raw.split(',').filter_map(EventKind::parse)),
        }
    }

    /// Whether an event of `kind` goes to the endpoint.
    pub fn matches(&self, kind: EventKind) -> bool {
        match self {
            EventFilter::All => true,
            EventFilter::Only(kinds) => kinds.contains(&kind),
        }
    }
}

impl fmt::Display for EventFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventFilter::All => f.write_str("all"),
            EventFilter::Only(kinds) => f.write_str(
                &kinds
                    .iter()
                    .map(|kind| kind.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
        }
    }
}

/// An endpoint's signing secret: 32 random bytes as 64 hex digits. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    /// The secret of these random bytes (drawn by the adapter from the OS).
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        Self(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
    }

    /// A stored secret, as it was stored.
    pub fn from_stored(stored: String) -> Self {
        Self(stored)
    }

    /// The hex text: the HMAC key, as given to the receiver.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

/// An endpoint as listed (no secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEndpoint {
    /// Its id.
    pub id: WebhookEndpointId,
    /// Where events are posted.
    pub url: WebhookUrl,
    /// Which events.
    pub events: EventFilter,
    /// When it was added: it receives the events from then on.
    pub created_at: DateTime<Utc>,
}

/// An endpoint to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhookEndpoint {
    /// Where events are posted.
    pub url: WebhookUrl,
    /// Which events.
    pub events: EventFilter,
    /// The signing secret.
    pub secret: WebhookSecret,
    /// Now.
    pub created_at: DateTime<Utc>,
}

/// What one delivery attempt got back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptResult {
    /// The receiver's status code, when it answered.
    pub status: Option<u16>,
    /// From sending to the answer (or the failure), in milliseconds.
    pub latency_ms: u32,
    /// Why there was no answer (refused, timed out, ...) or a short note on a failure.
    pub error: Option<String>,
}

impl AttemptResult {
    /// A 2xx answer: the event is delivered. Anything else is retried.
    pub fn is_success(&self) -> bool {
        matches!(self.status, Some(200..=299))
    }

    /// The error shortened to [`MAX_ATTEMPT_ERROR_CHARS`] characters.
    pub fn error_for_log(&self) -> Option<String> {
        self.error
            .as_ref()
            .map(|error| error.chars().take(MAX_ATTEMPT_ERROR_CHARS).collect())
    }
}

/// What became of a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// The receiver took it: done.
    Delivered,
    /// Try again at this time.
    RetryAt(DateTime<Utc>),
    /// Retried for the whole retry period: given up (dead).
    GaveUp,
}

impl NextStep {
    /// The metrics and log label: `delivered`, `retry` or `failed`.
    pub fn outcome(self) -> &'static str {
        match self {
            NextStep::Delivered => "delivered",
            NextStep::RetryAt(_) => "retry",
            NextStep::GaveUp => "failed",
        }
    }
}

/// One line of the delivery log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptLogEntry {
    /// The endpoint.
    pub endpoint_id: WebhookEndpointId,
    /// The audit event delivered.
    pub event_id: i64,
    /// The event's kind.
    pub event_kind: Option<EventKind>,
    /// When the attempt started.
    pub attempted_at: DateTime<Utc>,
    /// The receiver's status code, if it answered.
    pub status: Option<u16>,
    /// How long it took.
    pub latency_ms: u32,
    /// Why it failed, if it did.
    pub error: Option<String>,
    /// `delivered`, `retry` or `failed`.
    pub outcome: String,
}

/// How far behind delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxStats {
    /// Deliveries not yet made (neither delivered nor given up).
    pub undelivered: u64,
    /// When the oldest of them was created.
    pub oldest_undelivered: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_must_be_http_with_a_host() {
        assert_eq!(
            WebhookUrl::parse(" https://example.com/hook ")
                .unwrap()
                .as_str(),
            "https://example.com/hook"
        );
        assert!(WebhookUrl::parse("http://127.0.0.1:9000").is_ok());
        assert!(WebhookUrl::parse("http://[::1]:9000/x").is_ok());
        for bad in [
            "ftp://example.com",
            "https://",
            "http:///path",
            "example.com",
            "http://exa mple.com",
            "javascript:alert(1)",
        ] {
            assert!(
                matches!(
                    WebhookUrl::parse(bad),
                    Err(WebhookInputError::NotHttpUrl(_))
                ),
                "{bad}"
            );
        }
        let long = format!("https://example.com/{}", "a".repeat(2000));
        assert_eq!(
            WebhookUrl::parse(&long),
            Err(WebhookInputError::UrlTooLong(2020))
        );
    }

    #[test]
    fn event_lists_parse_store_and_match() {
        assert_eq!(EventFilter::parse(""), Ok(EventFilter::All));
        assert_eq!(EventFilter::parse("all"), Ok(EventFilter::All));
        let filter = EventFilter::parse("cancelled, Booked,booked").unwrap();
        assert_eq!(
            filter,
            EventFilter::Only(vec![EventKind::Booked, EventKind::Cancelled])
        );
        assert_eq!(filter.stored().as_deref(), Some(",booked,cancelled,"));
        assert_eq!(EventFilter::from_stored(Some(",booked,cancelled,")), filter);
        assert!(filter.matches(EventKind::Booked));
        assert!(!filter.matches(EventKind::Claimed));
        assert_eq!(filter.to_string(), "booked,cancelled");
        assert_eq!(
            EventFilter::parse("booked,shipped"),
            Err(WebhookInputError::UnknownEvent("shipped".into()))
        );
        assert_eq!(
            EventFilter::parse("booked,claimed,renewed,released,completed,cancelled"),
            Ok(EventFilter::All)
        );
    }

    #[test]
    fn a_secret_is_hex_and_never_debug_printed() {
        let secret = WebhookSecret::from_bytes(&[0xab; 32]);
        assert_eq!(secret.as_str(), "ab".repeat(32));
        assert!(!format!("{secret:?}").contains("ab"));
    }

    #[test]
    fn only_a_2xx_answer_is_a_success() {
        let result = |status| AttemptResult {
            status,
            latency_ms: 3,
            error: None,
        };
        assert!(result(Some(200)).is_success());
        assert!(result(Some(204)).is_success());
        assert!(!result(Some(500)).is_success());
        assert!(!result(Some(301)).is_success());
        assert!(!result(None).is_success());
    }
}
