//! Fair webhook delivery: how one delivery worker shares its slots among endpoints, so that a
//! slow or failing receiver never holds back a healthy one.
//!
//! The rule, in three parts (the worker applies it; the store's lease honours [`LeaseRoom`]):
//!
//! 1. **Per endpoint.** At most [`LaneLimits::per_endpoint`] attempts to one endpoint are in
//!    flight in a process, and an endpoint with a *slow* attempt (one running past the slow
//!    mark, about a second) gets no new one until it ends. A lease takes each endpoint's due
//!    deliveries in turn (every endpoint's first before anyone's second), so one endpoint's
//!    backlog never takes all the free slots.
//! 2. **Two lanes.** Attempts start in the fast lane ([`LaneLimits::fast`] slots, what
//!    `--webhook-concurrency` sets). An attempt that turns slow moves to the slow lane
//!    ([`LaneLimits::slow`] slots) when it has room, and its fast slot is free again at once.
//!    So receivers that answer slowly, or not at all, hold slow-lane slots, not the slots
//!    that new deliveries start in. When a slow-lane slot frees up, an attempt that had to
//!    stay in the fast lane moves over.
//! 3. **Never every slot.** When the slow lane is full, a slow attempt keeps its fast slot,
//!    but at most `fast − 1` of them do: the one that would take the last fast slot is cut
//!    short (recorded as timed out and retried on the usual schedule). One fast slot thus
//!    always turns over within the slow mark, whatever the receivers do.
//!
//! Bounds: at most `fast + slow` attempts in flight; a delivery to a healthy endpoint waits
//! for a fast slot at most the slow mark (plus a lease round), however many endpoints are
//! slow. Cutting happens only once more than `slow + fast − 1` slow attempts run at the
//! same time.
//!
//! The state is plain counts: no clock, no I/O. The worker says when an attempt starts,
//! turns slow and ends, and asks what to lease next.

use std::collections::HashMap;

use super::webhooks::WebhookEndpointId;

/// The sizes of the lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LaneLimits {
    /// Slots that attempts start in.
    pub fast: u32,
    /// Slots for attempts that turned slow.
    pub slow: u32,
    /// Attempts to one endpoint in flight at once.
    pub per_endpoint: u32,
}

impl LaneLimits {
    /// Attempts to one endpoint in flight at once, by default: two keep a healthy receiver's
    /// backlog moving while one request is on the wire, and a failing receiver takes little.
    pub const PER_ENDPOINT: u32 = 2;

    /// `concurrency` fast slots, as many slow ones, [`Self::PER_ENDPOINT`] per endpoint.
    pub fn for_concurrency(concurrency: u32) -> Self {
        Self {
            fast: concurrency,
            slow: concurrency,
            per_endpoint: Self::PER_ENDPOINT,
        }
    }
}

/// What a worker may lease now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseRoom {
    /// At most this many deliveries in all.
    pub limit: u32,
    /// At most this many per endpoint.
    pub per_endpoint: u32,
    /// Endpoints with attempts in flight here, with how many slots of their share they hold:
    /// one listed with `n` gets at most `per_endpoint − n` more (none when `n ≥
    /// per_endpoint`).
    pub in_flight: Vec<(WebhookEndpointId, u32)>,
}

impl LeaseRoom {
    /// Up to `limit`, `per_endpoint` for each endpoint, nothing in flight (tests, tools).
    pub fn new(limit: u32, per_endpoint: u32) -> Self {
        Self {
            limit,
            per_endpoint,
            in_flight: Vec::new(),
        }
    }

    /// How many more deliveries `endpoint` may get in this lease.
    pub fn room_for(&self, endpoint: WebhookEndpointId) -> u32 {
        let held = self
            .in_flight
            .iter()
            .find(|(id, _)| *id == endpoint)
            .map_or(0, |(_, held)| *held);
        self.per_endpoint.saturating_sub(held)
    }
}

/// One attempt in flight, as the lanes know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LaneTicket(u64);

/// What happens to an attempt that turned slow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlowVerdict {
    /// It moved to the slow lane; its fast slot is free.
    SlowLane,
    /// The slow lane is full: it keeps its fast slot (and moves over when the slow lane has
    /// room).
    KeepsFastSlot,
    /// Both lanes are full of slow attempts: it ends now, as if timed out.
    CutShort,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// In a fast slot, not yet slow.
    Fast,
    /// Slow, still in a fast slot (the slow lane was full).
    SlowInFast,
    /// Slow, in a slow-lane slot.
    Slow,
}

#[derive(Debug, Clone, Copy)]
struct Attempt {
    endpoint: WebhookEndpointId,
    place: Place,
    /// When it moved to the slow lane (for moving the earliest waiting one first).
    order: u64,
}

/// The lanes of one worker: which attempts are in flight where.
#[derive(Debug, Clone)]
pub struct DeliveryLanes {
    limits: LaneLimits,
    next: u64,
    attempts: HashMap<LaneTicket, Attempt>,
}

impl DeliveryLanes {
    /// Empty lanes of these sizes.
    pub fn new(limits: LaneLimits) -> Self {
        Self {
            limits,
            next: 0,
            attempts: HashMap::new(),
        }
    }

    /// The sizes.
    pub fn limits(&self) -> LaneLimits {
        self.limits
    }

    fn count(&self, place: Place) -> u32 {
        let count = self.attempts.values().filter(|a| a.place == place).count();
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    /// Fast slots free for new attempts.
    pub fn free_fast(&self) -> u32 {
        let used = self.count(Place::Fast) + self.count(Place::SlowInFast);
        self.limits.fast.saturating_sub(used)
    }

    /// Attempts in flight, both lanes.
    pub fn in_flight(&self) -> usize {
        self.attempts.len()
    }

    /// What to lease now: up to the free fast slots (at most `batch`), each endpoint within
    /// its share; an endpoint with a slow attempt counts as holding its whole share.
    pub fn room(&self, batch: u32) -> LeaseRoom {
        let mut held: HashMap<WebhookEndpointId, u32> = HashMap::new();
        for attempt in self.attempts.values() {
            let share = held.entry(attempt.endpoint).or_default();
            *share = match attempt.place {
                Place::Fast => share.saturating_add(1),
                // A slow receiver gets nothing new until its slow attempt ends.
                Place::SlowInFast | Place::Slow => {
                    share.saturating_add(1).max(self.limits.per_endpoint)
                }
            };
        }
        let mut in_flight: Vec<(WebhookEndpointId, u32)> = held.into_iter().collect();
        in_flight.sort();
        LeaseRoom {
            limit: self.free_fast().min(batch),
            per_endpoint: self.limits.per_endpoint,
            in_flight,
        }
    }

    /// An attempt to `endpoint` starts in a fast slot; `None` when no fast slot is free or
    /// the endpoint has no room (a lease that took more than [`Self::room`] allowed).
    pub fn start(&mut self, endpoint: WebhookEndpointId) -> Option<LaneTicket> {
        if self.free_fast() == 0 || self.room(u32::MAX).room_for(endpoint) == 0 {
            return None;
        }
        let ticket = LaneTicket(self.next);
        self.next = self.next.wrapping_add(1);
        self.attempts.insert(
            ticket,
            Attempt {
                endpoint,
                place: Place::Fast,
                order: 0,
            },
        );
        Some(ticket)
    }

    /// The attempt has run past the slow mark: where it goes (see the module's rule 3).
    /// An unknown or already slow ticket changes nothing ([`SlowVerdict::SlowLane`] or
    /// [`SlowVerdict::KeepsFastSlot`] as it stands).
    pub fn turned_slow(&mut self, ticket: LaneTicket) -> SlowVerdict {
        let slow_free = self.count(Place::Slow) < self.limits.slow;
        let may_keep_fast = self.count(Place::SlowInFast).saturating_add(1) < self.limits.fast;
        let order = self.next;
        let Some(attempt) = self.attempts.get_mut(&ticket) else {
            return SlowVerdict::SlowLane;
        };
        match attempt.place {
            Place::Slow => SlowVerdict::SlowLane,
            Place::SlowInFast => SlowVerdict::KeepsFastSlot,
            Place::Fast if slow_free => {
                attempt.place = Place::Slow;
                SlowVerdict::SlowLane
            }
            Place::Fast if may_keep_fast => {
                attempt.place = Place::SlowInFast;
                attempt.order = order;
                self.next = self.next.wrapping_add(1);
                SlowVerdict::KeepsFastSlot
            }
            Place::Fast => SlowVerdict::CutShort,
        }
    }

    /// The attempt ended (whatever its outcome). A slow-lane slot it frees goes to the slow
    /// attempt that has waited longest in a fast slot, freeing that fast slot.
    pub fn finish(&mut self, ticket: LaneTicket) {
        let Some(ended) = self.attempts.remove(&ticket) else {
            return;
        };
        if ended.place != Place::Slow {
            return;
        }
        let waiting = self
            .attempts
            .iter_mut()
            .filter(|(_, attempt)| attempt.place == Place::SlowInFast)
            .min_by_key(|(_, attempt)| attempt.order);
        if let Some((_, attempt)) = waiting {
            attempt.place = Place::Slow;
        }
    }
}

#[cfg(test)]
#[path = "webhook_lanes_tests.rs"]
mod tests;
