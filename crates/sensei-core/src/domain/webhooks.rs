//! Webhook endpoints as values: the checked URL, the event filter, the signing secret, and
//! what a delivery log entry says. The retry schedule lives in `webhook_retry.rs`, the
//! payload in `webhook_payload.rs`.

use std::fmt;
use std::net::IpAddr;
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
    /// The URL's address, or an address its name resolves to, is not one webhooks may go
    /// to (not public, not in an allowed range).
    #[error(
        "{url} points to {address}, which is not a public address: webhooks go only to public \
         addresses unless the operator allows the range (--webhook-allow CIDR)"
    )]
    AddressNotAllowed {
        /// The URL, credentials masked.
        url: String,
        /// The refused address.
        address: IpAddr,
    },
    /// An event name that is not one of the six.
    #[error(
        "{0:?} is not an event type; use booked, claimed, renewed, released, completed or \
         cancelled (comma-separated), or leave it empty for all"
    )]
    UnknownEvent(String),
}

/// An endpoint URL: `http://` or `https://` with a host, parsed as browsers parse URLs
/// (WHATWG, the `url` crate) and kept in its normalised form, so that every spelling of an
/// address (`127.1`, `0x7f000001`, `2130706433`, `[::ffff:7f00:1]`) becomes the address
/// itself before anything checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(url::Url);

/// Where a URL points: an address, or a name to resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookHost<'a> {
    /// An address written in the URL (in any of its spellings).
    Address(IpAddr),
    /// A name (lower case, punycode).
    Name(&'a str),
}

impl WebhookUrl {
    /// Checks, trims and normalises `raw`.
    ///
    /// # Errors
    /// [`WebhookInputError::NotHttpUrl`] or [`WebhookInputError::UrlTooLong`].
    pub fn parse(raw: &str) -> Result<Self, WebhookInputError> {
        let trimmed = raw.trim();
        let chars = trimmed.chars().count();
        if chars > MAX_WEBHOOK_URL_CHARS {
            return Err(WebhookInputError::UrlTooLong(chars));
        }
        let refused = || WebhookInputError::NotHttpUrl(trimmed.to_owned());
        // WHATWG forgives `http:host`, `http:\\host` and `http:///host`; an endpoint must be
        // written out: the scheme, `//`, then the authority.
        let lower = trimmed.to_ascii_lowercase();
        let authority = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"))
            .ok_or_else(refused)?;
        if authority.is_empty() || authority.starts_with(['/', '\\', '?', '#']) {
            return Err(refused());
        }
        let url = url::Url::parse(trimmed).map_err(|_| refused())?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(refused());
        }
        Ok(Self(url))
    }

    /// The URL (normalised). It may hold credentials: show [`WebhookUrl::masked`] instead.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The URL with any user name and password replaced by `***`, for pages, lists and logs.
    pub fn masked(&self) -> String {
        if self.0.username().is_empty() && self.0.password().is_none() {
            return self.0.as_str().to_owned();
        }
        let mut shown = self.0.clone();
        // Both setters succeed on a URL with a host (checked in `parse`).
        let _ = shown.set_password(None);
        let _ = shown.set_username("***");
        shown.as_str().to_owned()
    }

    /// The host: an address or a name.
    pub fn host(&self) -> WebhookHost<'_> {
        match self.0.host() {
            Some(url::Host::Ipv4(ip)) => WebhookHost::Address(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => WebhookHost::Address(IpAddr::V6(ip)),
            Some(url::Host::Domain(name)) => WebhookHost::Name(name),
            // `parse` refuses URLs without a host.
            None => WebhookHost::Name(""),
        }
    }

    /// The port, given or the scheme's (80, 443).
    pub fn port(&self) -> u16 {
        self.0.port_or_known_default().unwrap_or(80)
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

impl AttemptLogEntry {
    /// What a page shows of the attempt's failure, in generic words: `HTTP 500` when the
    /// receiver answered, else `timed out`, `could not connect`, `address not allowed` or
    /// `request failed`; empty for a success. The full error (addresses, causes) stays in
    /// the log and `sensei webhook log`: a page must not turn the server into a probe of
    /// the network behind it.
    pub fn summary(&self) -> String {
        failure_summary(self.status, self.error.as_deref())
    }
}

/// See [`AttemptLogEntry::summary`]. The adapter's error texts start with one of the
/// words matched here.
pub fn failure_summary(status: Option<u16>, error: Option<&str>) -> String {
    match (status, error) {
        (Some(200..=299), _) => String::new(),
        (Some(status), _) => format!("HTTP {status}"),
        (None, None) => String::new(),
        (None, Some(error)) if error.starts_with("timed out") => "timed out".to_owned(),
        (None, Some(error)) if error.starts_with("could not connect") => {
            "could not connect".to_owned()
        }
        (None, Some(error)) if error.starts_with("refused") => "address not allowed".to_owned(),
        (None, Some(_)) => "request failed".to_owned(),
    }
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
#[path = "webhooks_tests.rs"]
mod tests;
