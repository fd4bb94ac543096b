//! Webhooks: the endpoints, the outbox of deliveries (one row per endpoint and audit event,
//! written by the store in the transaction that appends the event) with its leases, and the
//! delivery log.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{
    AttemptLogEntry, ChangeActor, LeaseRoom, NewWebhookEndpoint, NextStep, OutboxStats,
    SessionEvent, SessionFacts, WebhookEndpoint, WebhookEndpointId, WebhookSecret, WebhookUrl,
};
use crate::error::RepositoryError;

/// Asks for due deliveries within `room`, leased to `owner` until `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseRequest {
    /// Who takes the lease (a process-unique name).
    pub owner: String,
    /// Now: deliveries whose next attempt is at or before it are due.
    pub now: DateTime<Utc>,
    /// The lease ends then; after it another worker may take the delivery.
    pub until: DateTime<Utc>,
    /// How many in all and per endpoint (see [`LeaseRoom`]).
    pub room: LeaseRoom,
}

/// A leased delivery: what to post where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeasedDelivery {
    /// The outbox row.
    pub delivery_id: i64,
    /// The endpoint.
    pub endpoint_id: WebhookEndpointId,
    /// Its URL.
    pub url: WebhookUrl,
    /// Its signing secret.
    pub secret: WebhookSecret,
    /// The audit event's id.
    pub event_id: i64,
    /// The audit event.
    pub event: SessionEvent,
    /// The session's lasting facts (`None` when its row is gone).
    pub session: Option<SessionFacts>,
    /// Attempts made before this one.
    pub attempts: u32,
    /// When the outbox row was written (the retry period counts from then).
    pub created_at: DateTime<Utc>,
}

/// The outcome of one attempt, to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedAttempt {
    /// The outbox row.
    pub delivery_id: i64,
    /// Its endpoint.
    pub endpoint_id: WebhookEndpointId,
    /// Until when the endpoint's other deliveries wait: set when the receiver did not answer
    /// at all (see [`crate::services::WebhookService::pause_until`]).
    pub pause_endpoint_until: Option<DateTime<Utc>>,
    /// The lease holder that made the attempt.
    pub owner: String,
    /// When the attempt started.
    pub attempted_at: DateTime<Utc>,
    /// The receiver's status, if it answered.
    pub status: Option<u16>,
    /// How long it took.
    pub latency_ms: u32,
    /// Why it failed, shortened.
    pub error: Option<String>,
    /// What follows.
    pub next: NextStep,
}

/// Webhook endpoints, the outbox and the delivery log.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Stores an endpoint and records [`crate::AccountChange::WebhookEndpointAdded`] by `by`
    /// in the same unit of work; from its commit on, every audit event appended (that its
    /// filter matches) gets a delivery to it. Earlier events do not.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`] when the store cannot be reached.
    async fn add_endpoint(
        &self,
        endpoint: NewWebhookEndpoint,
        by: &ChangeActor,
    ) -> Result<WebhookEndpoint, RepositoryError>;

    /// The endpoints, oldest first, at most `limit`.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`]; [`RepositoryError::Internal`] for unreadable rows.
    async fn list_endpoints(&self, limit: u32) -> Result<Vec<WebhookEndpoint>, RepositoryError>;

    /// Removes an endpoint with its pending deliveries and its log, and records
    /// [`crate::AccountChange::WebhookEndpointRemoved`] by `by` at `at` in the same unit of
    /// work; `false` when there was none (nothing recorded). A delivery in flight to it is
    /// then recorded nowhere.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`].
    async fn remove_endpoint(
        &self,
        id: WebhookEndpointId,
        by: &ChangeActor,
        at: DateTime<Utc>,
    ) -> Result<bool, RepositoryError>;

    /// Leases due, undelivered deliveries (next attempt at or before `now`, no live lease,
    /// their endpoint not paused at `now`) to `request.owner` until `request.until`: at most
    /// `room.limit` in all and [`LeaseRoom::room_for`] per endpoint. Fair across endpoints:
    /// each endpoint's deliveries are ranked oldest due first, and every endpoint's n-th
    /// comes before any endpoint's (n+1)-th (then oldest due first), so one endpoint's
    /// backlog cannot take the whole lease.
    /// Atomic across processes: a delivery is leased to one owner at a time (PostgreSQL
    /// `FOR UPDATE SKIP LOCKED`; SQLite the single writer), so two workers never post the
    /// same delivery at once; a row someone else is leasing meanwhile is skipped, so a
    /// lease may hold fewer than the room allows.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`]; [`RepositoryError::Internal`] for unreadable rows.
    async fn lease_due(
        &self,
        request: LeaseRequest,
    ) -> Result<Vec<LeasedDelivery>, RepositoryError>;

    /// Records attempts in one transaction: appends each to the delivery log and applies its
    /// next step (delivered, retry at, given up), ending the lease; pauses the endpoint until
    /// `pause_endpoint_until` when set, and ends its pause on a delivery. An attempt whose lease
    /// `owner` no longer holds the delivery is logged but changes nothing; one whose delivery
    /// was removed is dropped.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`].
    async fn record_attempts(&self, attempts: Vec<RecordedAttempt>) -> Result<(), RepositoryError>;

    /// The latest attempts, newest first, at most `limit`, for every endpoint.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`]; [`RepositoryError::Internal`] for unreadable rows.
    async fn recent_attempts(&self, limit: u32) -> Result<Vec<AttemptLogEntry>, RepositoryError>;

    /// How many deliveries wait and since when.
    ///
    /// # Errors
    /// [`RepositoryError::Unavailable`].
    async fn outbox_stats(&self) -> Result<OutboxStats, RepositoryError>;
}

/// Random draws for the retry jitter.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Jitter: Send + Sync {
    /// A number in `[-1, 1]`, uniformly.
    fn unit(&self) -> f64;
}

/// Resolves host names, for the add-time check of an endpoint's addresses.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait HostResolver: Send + Sync {
    /// The addresses `name` resolves to now; empty when it does not resolve (the name is then
    /// checked again when a delivery connects).
    async fn resolve(&self, name: &str, port: u16) -> Vec<std::net::IpAddr>;
}
