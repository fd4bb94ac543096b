//! The webhook store of a state built over ports without one (handler tests, embedders):
//! no endpoints, nothing to deliver, and adding one says why it cannot be done.

use async_trait::async_trait;
use sensei_core::ports::{LeaseRequest, LeasedDelivery, RecordedAttempt, WebhookStore};
use sensei_core::{
    AttemptLogEntry, ChangeActor, NewWebhookEndpoint, OutboxStats, RepositoryError,
    WebhookEndpoint, WebhookEndpointId,
};

/// A store with no webhooks.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoWebhooks;

fn unavailable() -> RepositoryError {
    RepositoryError::Unavailable("webhooks are not configured in this process".to_owned())
}

#[async_trait]
impl WebhookStore for NoWebhooks {
    async fn add_endpoint(
        &self,
        _endpoint: NewWebhookEndpoint,
        _by: &ChangeActor,
    ) -> Result<WebhookEndpoint, RepositoryError> {
        Err(unavailable())
    }

    async fn list_endpoints(&self, _limit: u32) -> Result<Vec<WebhookEndpoint>, RepositoryError> {
        Ok(Vec::new())
    }

    async fn remove_endpoint(
        &self,
        _id: WebhookEndpointId,
        _by: &ChangeActor,
        _at: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool, RepositoryError> {
        Ok(false)
    }

    async fn lease_due(
        &self,
        _request: LeaseRequest,
    ) -> Result<Vec<LeasedDelivery>, RepositoryError> {
        Ok(Vec::new())
    }

    async fn record_attempts(
        &self,
        _attempts: Vec<RecordedAttempt>,
    ) -> Result<(), RepositoryError> {
        Ok(())
    }

    async fn recent_attempts(&self, _limit: u32) -> Result<Vec<AttemptLogEntry>, RepositoryError> {
        Ok(Vec::new())
    }

    async fn outbox_stats(&self) -> Result<OutboxStats, RepositoryError> {
        Ok(OutboxStats::default())
    }
}
