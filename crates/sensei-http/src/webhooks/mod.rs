//! Webhook delivery: `sign.rs` (the `Sensei-Signature` header), `deliver.rs` (one attempt
//! over HTTP), `worker.rs` (the loop `sensei serve` runs: lease due deliveries, post them
//! with bounded concurrency and time, record each attempt), `lanes.rs` (the worker's slots,
//! shared by its tasks), `jitter.rs` (randomness), `unconfigured.rs` (the store of a state
//! built over mocked ports). The rules (retry schedule, payload, who may manage endpoints,
//! how slots are shared among endpoints: `sensei_core::DeliveryLanes`) are the core's.

pub mod deliver;
pub mod jitter;
pub mod lanes;
pub mod resolve;
pub mod sign;
pub mod unconfigured;
pub mod worker;

use std::time::Duration;

/// How the delivery worker runs (`sensei serve --webhook-*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Deliveries started at once (the fast lane; as many more may run on in the slow lane,
    /// see [`sensei_core::DeliveryLanes`]); 0 runs no worker in this process.
    pub concurrency: usize,
    /// The longest one attempt may take (connecting included).
    pub attempt_timeout: Duration,
    /// How often the outbox is polled when idle.
    pub poll_interval: Duration,
    /// The first retry's wait (then doubling, at most an hour, for a day).
    pub retry_base: Duration,
    /// Ranges webhooks may go to besides public addresses (`--webhook-allow CIDR`).
    pub allow: Vec<sensei_core::AddressRange>,
}

impl Default for WebhookSettings {
    /// 8 at once, 10 s per attempt, polled every second, first retry after 10 s, public
    /// addresses only.
    fn default() -> Self {
        Self {
            concurrency: 8,
            attempt_timeout: Duration::from_secs(10),
            poll_interval: Duration::from_secs(1),
            retry_base: Duration::from_secs(10),
            allow: Vec::new(),
        }
    }
}

impl WebhookSettings {
    /// The longest an attempt runs before it counts as slow and leaves its fast slot: a
    /// second, or half the attempt timeout when that is shorter.
    pub fn slow_after(&self) -> Duration {
        (self.attempt_timeout / 2).min(Duration::from_secs(1))
    }

    /// Where deliveries (and endpoints added on the page) may go: public addresses and the
    /// allowed ranges.
    pub fn address_policy(&self) -> sensei_core::AddressPolicy {
        sensei_core::AddressPolicy::allowing(self.allow.clone())
    }

    /// The lanes' sizes: `concurrency` fast slots, as many slow ones, two per endpoint.
    pub fn lane_limits(&self) -> sensei_core::LaneLimits {
        sensei_core::LaneLimits::for_concurrency(
            u32::try_from(self.concurrency).unwrap_or(u32::MAX),
        )
    }

    /// How long a worker holds a leased delivery: the attempt's timeout twice over plus five
    /// seconds to record it. A worker that dies loses its leases after this.
    pub fn lease(&self) -> Duration {
        self.attempt_timeout * 2 + Duration::from_secs(5)
    }
}
