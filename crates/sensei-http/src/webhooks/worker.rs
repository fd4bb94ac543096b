//! The delivery worker of `sensei serve`: as soon as a fast slot is free it leases as many
//! due deliveries as it has free fast slots, each endpoint within its share (the core's
//! [`sensei_core::DeliveryLanes`]: at most two in flight per endpoint, none new for an
//! endpoint with a slow attempt, every endpoint's first delivery before anyone's second),
//! posts each on a task of its own under the attempt timeout, and hands the results to one
//! recorder task that writes them in batches.
//!
//! An attempt still running after [`WebhookSettings::slow_after`] (a second) moves to the
//! slow lane and frees its fast slot, so receivers that answer slowly or not at all cannot
//! hold the slots that healthy receivers' deliveries start in; when both lanes are full of
//! slow attempts, the one that would take the last fast slot is cut short (recorded as timed
//! out, retried on the usual schedule).
//!
//! When a lease comes back short (caught up, or the rest of the backlog is over its
//! endpoints' shares) the loop waits for the poll interval *or* for an attempt to end or
//! leave its fast slot, whichever comes first: a capped backlog moves on as soon as its
//! endpoint has room again, without waiting a poll interval.
//!
//! Bookings never wait for it: the outbox row is written with the event, and nothing here
//! runs on a request's path.

use std::sync::Arc;
use std::time::Duration;

use sensei_core::ports::RecordedAttempt;
use sensei_core::services::{DueDelivery, WebhookService};
use sensei_core::{AttemptResult, SlowVerdict};
use tokio::sync::{mpsc, watch};

use super::deliver::Poster;
use super::lanes::{InFlight, SharedLanes};
use super::WebhookSettings;
use crate::monitoring::webhooks as metrics;

/// Most deliveries leased in one go.
const LEASE_BATCH: u32 = 64;
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
        let resolver = Arc::new(super::resolve::SystemResolver);
        let poster = match Poster::new(
            settings.attempt_timeout,
            settings.address_policy(),
            resolver,
        ) {
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
    let lanes = SharedLanes::new(settings.lane_limits());
    let (results, received) = mpsc::unbounded_channel::<RecordedAttempt>();
    let recorder = tokio::spawn(record(service.clone(), received));
    let stats = tokio::spawn(sample_stats(service.clone(), stopped.clone()));
    let lease =
        chrono::Duration::from_std(settings.lease()).unwrap_or(chrono::Duration::minutes(1));
    tracing::info!(%owner, concurrency = settings.concurrency, "webhook delivery started");
    'leasing: loop {
        // Wait for a free fast slot (or the stop).
        while lanes.free_fast() == 0 {
            tokio::select! {
                () = lanes.changed() => {}
                _ = stopped.changed() => break 'leasing,
            }
        }
        if *stopped.borrow() {
            break;
        }
        let room = lanes.room(LEASE_BATCH);
        let asked = room.limit;
        let due = match service.lease_due(&owner, room, lease).await {
            Ok(due) => due,
            Err(error) => {
                tracing::warn!(%error, "could not lease webhook deliveries");
                Vec::new()
            }
        };
        // A full lease means more may be due: lease again as soon as a slot is free.
        let short = due.len() < usize::try_from(asked).unwrap_or(usize::MAX);
        for delivery in due {
            let Some(place) = lanes.start(delivery.leased.endpoint_id) else {
                // The store returned more than the room allowed: leave the rest to their
                // leases' lapse rather than overrun the lanes.
                tracing::warn!(
                    delivery = delivery.leased.delivery_id,
                    "a lease exceeded the worker's room; the delivery waits for its lease to lapse"
                );
                continue;
            };
            let (service, poster, owner, results) = (
                service.clone(),
                poster.clone(),
                owner.clone(),
                results.clone(),
            );
            let slow_after = settings.slow_after();
            tokio::spawn(async move {
                let attempt =
                    attempt(&service, &poster, &owner, delivery, &place, slow_after).await;
                let _ = results.send(attempt);
                // The place is freed after the result is queued, so the stop's wait for
                // an empty lane also waits for every result.
                drop(place);
            });
        }
        if short {
            tokio::select! {
                () = tokio::time::sleep(settings.poll_interval) => {}
                () = lanes.changed() => {}
                // A dropped sender stops the worker too (instead of waking it at once forever).
                changed = stopped.changed() => if changed.is_err() { break },
            }
        }
    }
    // Every place freed means every attempt in flight has sent its result.
    let grace = settings.attempt_timeout + Duration::from_secs(1);
    let _ = tokio::time::timeout(grace, async {
        while lanes.in_flight() > 0 {
            lanes.changed().await;
        }
    })
    .await;
    drop(results);
    let _ = tokio::time::timeout(Duration::from_secs(5), recorder).await;
    stats.abort();
    tracing::info!("webhook delivery stopped");
}

/// Posts one delivery, moving it to the slow lane (or cutting it short) once it has run
/// for `slow_after`, and decides what follows.
async fn attempt(
    service: &WebhookService,
    poster: &Poster,
    owner: &str,
    delivery: DueDelivery,
    place: &InFlight,
    slow_after: Duration,
) -> RecordedAttempt {
    let attempted_at = service.now();
    let body = serde_json::to_vec(&delivery.payload).unwrap_or_default();
    let leased = &delivery.leased;
    let post = poster.post(
        &leased.url,
        leased.secret.as_str(),
        attempted_at.timestamp(),
        leased.event_id,
        body,
    );
    tokio::pin!(post);
    let result = tokio::select! {
        result = &mut post => result,
        () = tokio::time::sleep(slow_after) => match place.turned_slow() {
            SlowVerdict::CutShort => cut_short(slow_after),
            SlowVerdict::SlowLane | SlowVerdict::KeepsFastSlot => post.await,
        },
    };
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

/// The result of an attempt cut short at `after`: no answer, like a timeout (so the
/// endpoint pauses until the retry, as for a receiver that does not answer in time).
fn cut_short(after: Duration) -> AttemptResult {
    AttemptResult {
        status: None,
        latency_ms: u32::try_from(after.as_millis()).unwrap_or(u32::MAX),
        error: Some(
            "timed out: cut short, every delivery slot was held by slow receivers".to_owned(),
        ),
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
            Ok(stats) => metrics::outbox(stats, service.now()),
            Err(error) => tracing::debug!(%error, "could not read the webhook outbox depth"),
        }
        tokio::select! {
            () = tokio::time::sleep(STATS_EVERY) => {}
            _ = stopped.changed() => return,
        }
    }
}
