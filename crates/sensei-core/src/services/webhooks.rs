//! Webhooks: managing endpoints (instructors on the page, operators at the command line),
//! and the delivery worker's use cases: lease due deliveries with their payloads, and record
//! what each attempt got, deciding the next attempt by the [`RetryPolicy`].
//!
//! A service of its own (not part of [`super::SenseiService`]): the delivery worker and the
//! endpoints page need only this port.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::domain::{
    Actor, AddressPolicy, AttemptLogEntry, AttemptResult, ChangeActor, EventFilter, LeaseRoom,
    NewWebhookEndpoint, NextStep, OutboxStats, RetryPolicy, WebhookEndpoint, WebhookEndpointId,
    WebhookHost, WebhookInputError, WebhookPayload, WebhookSecret, WebhookUrl,
};
use crate::error::{RepositoryError, WebhookError};
use crate::ports::{
    Clock, HostResolver, Jitter, LeaseRequest, LeasedDelivery, RecordedAttempt, WebhookStore,
};

/// The most endpoints listed (and so, in practice, kept).
pub const MAX_LISTED_ENDPOINTS: u32 = 100;

/// Who manages webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookManager {
    /// Someone with the database at hand (`sensei webhook ...`).
    Operator,
    /// A signed-in user (the page and the API): admins only. Endpoints decide where the
    /// server sends requests, so plain instructors may not manage them.
    User(Actor),
}

impl WebhookManager {
    fn check(self) -> Result<(), WebhookError> {
        match self {
            WebhookManager::Operator => Ok(()),
            WebhookManager::User(actor) if actor.is_admin() => Ok(()),
            WebhookManager::User(_) => Err(WebhookError::Forbidden),
        }
    }

    /// Who the recorded change names: the operator by `operator` (the service's
    /// [`WebhookService::with_operator_name`]), a user by id.
    fn change_actor(self, operator: &str) -> ChangeActor {
        match self {
            WebhookManager::Operator => ChangeActor::Operator(operator.to_owned()),
            WebhookManager::User(actor) => ChangeActor::User(actor.user_id),
        }
    }
}

/// A new endpoint and its secret, which is shown this once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedEndpoint {
    /// The endpoint.
    pub endpoint: WebhookEndpoint,
    /// Its signing secret.
    pub secret: WebhookSecret,
}

/// A delivery to attempt now.
#[derive(Debug, Clone, PartialEq)]
pub struct DueDelivery {
    /// The leased outbox row.
    pub leased: LeasedDelivery,
    /// The body to post.
    pub payload: WebhookPayload,
}

/// The webhook use cases over a [`WebhookStore`].
#[derive(Clone)]
pub struct WebhookService {
    store: Arc<dyn WebhookStore>,
    clock: Arc<dyn crate::ports::Clock>,
    jitter: Arc<dyn Jitter>,
    retry: RetryPolicy,
    addresses: AddressPolicy,
    resolver: Option<Arc<dyn HostResolver>>,
    operator: String,
}

impl WebhookService {
    /// The instant by this service's clock: what an attempt is stamped with, and the
    /// one "now" its adapters read.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// The service over these ports with this retry schedule.
    pub fn new(
        store: Arc<dyn WebhookStore>,
        clock: Arc<dyn Clock>,
        jitter: Arc<dyn Jitter>,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            store,
            clock,
            jitter,
            retry,
            addresses: AddressPolicy::default(),
            resolver: None,
            operator: "cli".to_owned(),
        }
    }

    /// The name the record of changes gives the operator (`cli` unless set; the command
    /// line adds the OS user, `cli:alice`).
    pub fn with_operator_name(self, operator: impl Into<String>) -> Self {
        Self {
            operator: operator.into(),
            ..self
        }
    }

    /// Where endpoints may point: `addresses` (public ones by default), names checked
    /// through `resolver` when one is given (else only addresses written in the URL are
    /// checked at add time; every address is checked again when a delivery connects).
    pub fn with_address_check(
        self,
        addresses: AddressPolicy,
        resolver: Option<Arc<dyn HostResolver>>,
    ) -> Self {
        Self {
            addresses,
            resolver,
            ..self
        }
    }

    /// Where endpoints may point.
    pub fn address_policy(&self) -> &AddressPolicy {
        &self.addresses
    }

    /// Refuses a URL whose address, or any address its name resolves to now, the policy
    /// does not permit. A name that does not resolve yet passes (checked at connect time).
    async fn check_destination(&self, url: &WebhookUrl) -> Result<(), WebhookInputError> {
        let refused = |address| WebhookInputError::AddressNotAllowed {
            url: url.masked(),
            address,
        };
        let addresses = match url.host() {
            WebhookHost::Address(address) => vec![address],
            WebhookHost::Name(name) => match &self.resolver {
                Some(resolver) => resolver.resolve(name, url.port()).await,
                None => Vec::new(),
            },
        };
        match addresses
            .into_iter()
            .find(|ip| !self.addresses.permits(*ip))
        {
            Some(address) => Err(refused(address)),
            None => Ok(()),
        }
    }

    /// The retry schedule in force.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// Adds an endpoint for `url` receiving `events` (`booked,claimed`; empty for all),
    /// signed with `secret`.
    ///
    /// # Errors
    /// [`WebhookError::Forbidden`] for students; [`WebhookError::Invalid`] for a bad URL or
    /// event name, or a URL pointing where webhooks may not go (see
    /// [`WebhookService::with_address_check`]); [`WebhookError::Repository`].
    pub async fn add_endpoint(
        &self,
        who: WebhookManager,
        url: &str,
        events: &str,
        secret: WebhookSecret,
    ) -> Result<CreatedEndpoint, WebhookError> {
        who.check()?;
        let url = WebhookUrl::parse(url)?;
        let events = EventFilter::parse(events)?;
        self.check_destination(&url).await?;
        let endpoint = self
            .store
            .add_endpoint(
                NewWebhookEndpoint {
                    url,
                    events,
                    secret: secret.clone(),
                    created_at: self.clock.now(),
                },
                &who.change_actor(&self.operator),
            )
            .await?;
        Ok(CreatedEndpoint { endpoint, secret })
    }

    /// The endpoints, oldest first (at most [`MAX_LISTED_ENDPOINTS`]).
    ///
    /// # Errors
    /// [`WebhookError::Forbidden`] for students; [`WebhookError::Repository`].
    pub async fn endpoints(
        &self,
        who: WebhookManager,
    ) -> Result<Vec<WebhookEndpoint>, WebhookError> {
        who.check()?;
        Ok(self.store.list_endpoints(MAX_LISTED_ENDPOINTS).await?)
    }

    /// Removes an endpoint, its waiting deliveries and its log.
    ///
    /// # Errors
    /// [`WebhookError::Forbidden`] for students; [`WebhookError::NotFound`];
    /// [`WebhookError::Repository`].
    pub async fn remove_endpoint(
        &self,
        who: WebhookManager,
        id: WebhookEndpointId,
    ) -> Result<(), WebhookError> {
        who.check()?;
        let by = who.change_actor(&self.operator);
        if self
            .store
            .remove_endpoint(id, &by, self.clock.now())
            .await?
        {
            Ok(())
        } else {
            Err(WebhookError::NotFound(id))
        }
    }

    /// The latest `limit` attempts (at most 500), newest first.
    ///
    /// # Errors
    /// [`WebhookError::Forbidden`] for students; [`WebhookError::Repository`].
    pub async fn delivery_log(
        &self,
        who: WebhookManager,
        limit: u32,
    ) -> Result<Vec<AttemptLogEntry>, WebhookError> {
        who.check()?;
        Ok(self.store.recent_attempts(limit.min(500)).await?)
    }

    /// Leases due deliveries within `room` (fairly across endpoints, see
    /// [`WebhookStore::lease_due`]) to `owner` for `lease` and builds their payloads.
    ///
    /// # Errors
    /// [`RepositoryError`] from the store.
    pub async fn lease_due(
        &self,
        owner: &str,
        room: LeaseRoom,
        lease: Duration,
    ) -> Result<Vec<DueDelivery>, RepositoryError> {
        if room.limit == 0 {
            return Ok(Vec::new());
        }
        let now = self.clock.now();
        let leased = self
            .store
            .lease_due(LeaseRequest {
                owner: owner.to_owned(),
                now,
                until: now + lease,
                room,
            })
            .await?;
        Ok(leased
            .into_iter()
            .map(|leased| DueDelivery {
                payload: WebhookPayload::of(leased.event_id, &leased.event, leased.session),
                leased,
            })
            .collect())
    }

    /// The next step after an attempt of `delivery` that got `result` (finished now).
    pub fn next_step(&self, delivery: &LeasedDelivery, result: &AttemptResult) -> NextStep {
        if result.is_success() {
            NextStep::Delivered
        } else {
            self.retry.after_failure(
                delivery.attempts.saturating_add(1),
                delivery.created_at,
                self.clock.now(),
                self.jitter.unit(),
            )
        }
    }

    /// Until when the endpoint's other deliveries wait after this attempt: when the receiver
    /// did not answer at all (refused, unreachable, timed out) and the delivery is retried,
    /// until that retry, so a dead receiver is tried a few deliveries at a time, not every
    /// delivery as soon as it is due. An answer, even an error status, pauses nothing.
    pub fn pause_until(&self, result: &AttemptResult, next: NextStep) -> Option<DateTime<Utc>> {
        match (result.status, next) {
            (None, NextStep::RetryAt(at)) => Some(at),
            _ => None,
        }
    }

    /// Records attempts (each with the step [`WebhookService::next_step`] chose) in one
    /// write.
    ///
    /// # Errors
    /// [`RepositoryError`] from the store; the leases then lapse and the deliveries are
    /// attempted again (at least once).
    pub async fn record(&self, attempts: Vec<RecordedAttempt>) -> Result<(), RepositoryError> {
        if attempts.is_empty() {
            return Ok(());
        }
        self.store.record_attempts(attempts).await
    }

    /// How many deliveries wait and since when.
    ///
    /// # Errors
    /// [`RepositoryError`] from the store.
    pub async fn outbox_stats(&self) -> Result<OutboxStats, RepositoryError> {
        self.store.outbox_stats().await
    }
}
