//! The delivery worker of `sensei serve`: as soon as a slot is free it leases as many due
//! deliveries as it has free slots (and, once it has caught up, waits a poll interval), posts each on a task of
//! its own under the concurrency limit and the attempt timeout, and hands the results to one
//! recorder task that writes them in batches. Bookings never wait for it: the outbox row is
//! written with the event, and nothing here runs on a request's path.

use std::sync::Arc;
use std::time::Duration;

use sensei_core::ports::RecordedAttempt;
use sensei_core::services::{DueDelivery, WebhookService};
use tokio::sync::{mpsc, watch, Semaphore};

use super::deliver::Poster;
use super::WebhookSettings;
use crate::monitoring::webhooks as metrics;

/// Most deliveries leased in one go.
const LEASE_BATCH: usize = 64;
/// Most attempts recorded in one write.
const RECORD_BATCH: usize = 256;
/// How often the outbox depth is sampled for `/metrics`.
const STATS_EVERY: Duration = Duration::from_secs(5);

/// A running worker: stop it with [`Worker::stop`].
pub struct Worker {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Worker {
    /// Starts the worker on the current runtime, or `None` when `settings.concurrency` is 0
    /// or the HTTP client cannot be built (logged).
    pub fn start(service: WebhookService, settings: WebhookSettings) -> Option<Worker> {
        if settings.concurrency == 0 {
            tracing::info!("webhook delivery is off in this process (--webhook-concurrency 0)");
            return None;
        }
        let poster = match Poster::new(settings.attempt_timeout) {
            Ok(poster) => poster,
            Err(error) => {
                tracing::error!(%error, "webhook delivery is off");
                return None;
            }
        };
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(service, settings, poster, stopped));
        Some(Worker { stop, task })
    }

    /// Stops leasing, lets attempts in flight finish (each within its timeout) and records
    /// them. What is not recorded by then is attempted again after its lease lapses.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// A name unique to this process, for its leases.
fn owner_name() -> String {
    let mut bytes = [0_u8; 6];
    let _ = getrandom::fill(&mut bytes);
    format!("sensei-{}-{}", std::process::id(), hex::encode(bytes))
}

async fn run(
    service: WebhookService,
    settings: WebhookSettings,
    poster: Poster,
    mut stopped: watch::Receiver<bool>,
) {
    let owner = owner_name();
    let slots = Arc::new(Semaphore::new(settings.concurrency));
    let (results, received) = mpsc::unbounded_channel::<RecordedAttempt>();
    let recorder = tokio::spawn(record(service.clone(), received));
    let stats = tokio::spawn(sample_stats(service.clone(), stopped.clone()));
    let lease =
        chrono::Duration::from_std(settings.lease()).unwrap_or(chrono::Duration::minutes(1));
    tracing::info!(%owner, concurrency = settings.concurrency, "webhook delivery started");
    loop {
        // Wait for a free slot (or the stop), then lease as many deliveries as slots are free.
        let first = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            _ = stopped.changed() => break,
        };
        if *stopped.borrow() {
            break;
        }
        let free = (1 + slots.available_permits()).min(LEASE_BATCH);
        let limit = u32::try_from(free).unwrap_or(1);
        let due = match service.lease_due(&owner, limit, lease).await {
            Ok(due) => due,
            Err(error) => {
                tracing::warn!(%error, "could not lease webhook deliveries");
                Vec::new()
            }
        };
        // A full lease means more may be due: lease again as soon as a slot is free.
        let caught_up = due.len() < free;
        let mut first = Some(first);
        for delivery in due {
            let slot = match first.take() {
                Some(slot) => slot,
                None => match slots.clone().acquire_owned().await {
                    Ok(slot) => slot,
                    Err(_) => break,
                },
            };
            let (service, poster, owner, results) = (
                service.clone(),
                poster.clone(),
                owner.clone(),
                results.clone(),
            );
            tokio::spawn(async move {
                let attempt = attempt(&service, &poster, &owner, delivery).await;
                let _ = results.send(attempt);
                drop(slot);
            });
        }
        drop(first);
        if caught_up {
            tokio::select! {
                () = tokio::time::sleep(settings.poll_interval) => {}
                _ = stopped.changed() => {}
            }
        }
    }
    // Every slot back means every attempt in flight has sent its result.
    let all = u32::try_from(settings.concurrency).unwrap_or(u32::MAX);
    let grace = settings.attempt_timeout + Duration::from_secs(1);
    let _ = tokio::time::timeout(grace, slots.acquire_many(all)).await;
    drop(results);
    let _ = tokio::time::timeout(Duration::from_secs(5), recorder).await;
    stats.abort();
    tracing::info!("webhook delivery stopped");
}

/// Posts one delivery and decides what follows.
async fn attempt(
    service: &WebhookService,
    poster: &Poster,
    owner: &str,
    delivery: DueDelivery,
) -> RecordedAttempt {
    let attempted_at = chrono::Utc::now();
    let body = serde_json::to_vec(&delivery.payload).unwrap_or_default();
    let leased = &delivery.leased;
    let result = poster
        .post(
            leased.url.as_str(),
            leased.secret.as_str(),
            attempted_at.timestamp(),
            leased.event_id,
            body,
        )
        .await;
    let next = service.next_step(leased, &result);
    metrics::attempt(next, result.latency_ms);
    if result.is_success() {
        tracing::debug!(delivery = leased.delivery_id, "webhook delivered");
    } else {
        tracing::info!(
            delivery = leased.delivery_id,
            endpoint = leased.endpoint_id.get(),
            error = result.error.as_deref().unwrap_or(""),
            next = next.outcome(),
            "webhook attempt failed"
        );
    }
    RecordedAttempt {
        delivery_id: leased.delivery_id,
        endpoint_id: leased.endpoint_id,
        pause_endpoint_until: service.pause_until(&result, next),
        owner: owner.to_owned(),
        attempted_at,
        status: result.status,
        latency_ms: result.latency_ms,
        error: result.error_for_log(),
        next,
    }
}

/// Writes results as they come, many per write.
async fn record(service: WebhookService, mut received: mpsc::UnboundedReceiver<RecordedAttempt>) {
    while let Some(first) = received.recv().await {
        let mut batch = vec![first];
        while batch.len() < RECORD_BATCH {
            match received.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let count = batch.len();
        if let Err(error) = service.record(batch).await {
            tracing::warn!(
                %error,
                count,
                "could not record webhook attempts; they are attempted again when their leases lapse"
            );
        }
    }
}

/// Samples the outbox depth and the oldest undelivered age for `/metrics`.
async fn sample_stats(service: WebhookService, mut stopped: watch::Receiver<bool>) {
    loop {
        match service.outbox_stats().await {
            Ok(stats) => metrics::outbox(stats, chrono::Utc::now()),
            Err(error) => tracing::debug!(%error, "could not read the webhook outbox depth"),
        }
        tokio::select! {
            () = tokio::time::sleep(STATS_EVERY) => {}
            _ = stopped.changed() => return,
        }
    }
}
