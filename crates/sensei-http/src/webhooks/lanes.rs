//! The delivery worker's slots, shared by its tasks: the core's [`DeliveryLanes`] (the rule:
//! per-endpoint shares, a fast and a slow lane, never every slot held by slow receivers)
//! behind a lock held only to update counts, never across an await, and a wake-up for the
//! leasing loop whenever a fast slot or an endpoint's share frees up.

use std::sync::{Arc, Mutex, PoisonError};

use sensei_core::{
    DeliveryLanes, LaneLimits, LaneTicket, LeaseRoom, SlowVerdict, WebhookEndpointId,
};
use tokio::sync::Notify;

/// The lanes of one worker and its wake-up.
#[derive(Debug)]
pub struct SharedLanes {
    lanes: Mutex<DeliveryLanes>,
    changed: Notify,
}

impl SharedLanes {
    /// Empty lanes of these sizes.
    pub fn new(limits: LaneLimits) -> Arc<Self> {
        Arc::new(Self {
            lanes: Mutex::new(DeliveryLanes::new(limits)),
            changed: Notify::new(),
        })
    }

    fn with<T>(&self, change: impl FnOnce(&mut DeliveryLanes) -> T) -> T {
        // The counts stay consistent even if a holder panicked: each change is one step.
        let mut lanes = self.lanes.lock().unwrap_or_else(PoisonError::into_inner);
        change(&mut lanes)
    }

    /// Fast slots free for new attempts.
    pub fn free_fast(&self) -> u32 {
        self.with(|lanes| lanes.free_fast())
    }

    /// Attempts in flight, both lanes.
    pub fn in_flight(&self) -> usize {
        self.with(|lanes| lanes.in_flight())
    }

    /// What to lease now, at most `batch`.
    pub fn room(&self, batch: u32) -> LeaseRoom {
        self.with(|lanes| lanes.room(batch))
    }

    /// An attempt to `endpoint` takes a fast slot until the returned guard is dropped;
    /// `None` when the lanes have no room for it.
    pub fn start(self: &Arc<Self>, endpoint: WebhookEndpointId) -> Option<InFlight> {
        let ticket = self.with(|lanes| lanes.start(endpoint))?;
        Some(InFlight {
            lanes: Arc::clone(self),
            ticket,
        })
    }

    /// Waits until a fast slot or an endpoint's share may have freed up since the last
    /// wait (a wake-up given while nobody waited is kept for the next wait).
    pub async fn changed(&self) {
        self.changed.notified().await;
    }
}

/// An attempt holding its place in the lanes; dropping it (the attempt ended, or its task
/// was cancelled) frees the place and wakes the leasing loop.
#[derive(Debug)]
pub struct InFlight {
    lanes: Arc<SharedLanes>,
    ticket: LaneTicket,
}

impl InFlight {
    /// The attempt has run past the slow mark: where it goes now. A move to the slow lane
    /// frees a fast slot, so the leasing loop is woken.
    pub fn turned_slow(&self) -> SlowVerdict {
        let verdict = self.lanes.with(|lanes| lanes.turned_slow(self.ticket));
        if verdict == SlowVerdict::SlowLane {
            self.lanes.changed.notify_one();
        }
        verdict
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.lanes.with(|lanes| lanes.finish(self.ticket));
        self.lanes.changed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn an_attempt_moving_to_the_slow_lane_or_ending_wakes_the_leasing_loop() {
        let lanes = SharedLanes::new(LaneLimits {
            fast: 1,
            slow: 1,
            per_endpoint: 2,
        });
        let attempt = lanes.start(WebhookEndpointId(1)).unwrap();
        assert_eq!(lanes.free_fast(), 0);
        assert!(lanes.start(WebhookEndpointId(2)).is_none());
        let waiter = tokio::spawn({
            let lanes = Arc::clone(&lanes);
            async move { lanes.changed().await }
        });
        assert_eq!(attempt.turned_slow(), SlowVerdict::SlowLane);
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(lanes.free_fast(), 1);
        drop(attempt);
        assert_eq!(lanes.in_flight(), 0);
        // The wake-up of the drop was kept for the next wait.
        tokio::time::timeout(Duration::from_secs(5), lanes.changed())
            .await
            .unwrap();
    }
}
