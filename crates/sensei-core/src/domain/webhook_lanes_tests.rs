//! Unit tests of `webhook_lanes`, kept apart so the module itself stays one readable page.
use super::*;

const HEALTHY: WebhookEndpointId = WebhookEndpointId(100);

fn lanes(fast: u32, slow: u32) -> DeliveryLanes {
    DeliveryLanes::new(LaneLimits {
        fast,
        slow,
        per_endpoint: 2,
    })
}

fn start(lanes: &mut DeliveryLanes, endpoint: i32) -> LaneTicket {
    lanes
        .start(WebhookEndpointId(endpoint))
        .unwrap_or_else(|| unreachable!("no room for endpoint {endpoint}"))
}

#[test]
fn eight_slow_receivers_leave_every_fast_slot_to_a_healthy_one() {
    let mut lanes = DeliveryLanes::new(LaneLimits::for_concurrency(8));
    let tickets: Vec<LaneTicket> = (1..=8).map(|n| start(&mut lanes, n)).collect();
    assert_eq!(lanes.free_fast(), 0);
    for ticket in tickets {
        assert_eq!(lanes.turned_slow(ticket), SlowVerdict::SlowLane);
    }
    assert_eq!(lanes.free_fast(), 8);
    let room = lanes.room(64);
    assert_eq!(room.limit, 8);
    assert_eq!(room.room_for(HEALTHY), 2);
    for n in 1..=8 {
        assert_eq!(room.room_for(WebhookEndpointId(n)), 0, "slow endpoint {n}");
    }
    assert_eq!(lanes.in_flight(), 8);
}

#[test]
fn an_endpoint_gets_at_most_its_share_and_a_slow_one_nothing_new() {
    let mut lanes = lanes(8, 8);
    let first = start(&mut lanes, 1);
    assert_eq!(lanes.room(64).room_for(WebhookEndpointId(1)), 1);
    let second = start(&mut lanes, 1);
    assert_eq!(lanes.room(64).room_for(WebhookEndpointId(1)), 0);
    assert_eq!(lanes.start(WebhookEndpointId(1)), None, "over its share");
    lanes.finish(second);
    assert_eq!(lanes.room(64).room_for(WebhookEndpointId(1)), 1);
    assert_eq!(lanes.turned_slow(first), SlowVerdict::SlowLane);
    assert_eq!(lanes.room(64).room_for(WebhookEndpointId(1)), 0);
    assert_eq!(lanes.start(WebhookEndpointId(1)), None, "slow: nothing new");
    lanes.finish(first);
    assert_eq!(lanes.room(64).room_for(WebhookEndpointId(1)), 2);
    assert_eq!(lanes.room(64).in_flight, []);
}

#[test]
fn a_lease_asks_for_the_free_fast_slots_at_most_the_batch() {
    let mut lanes = lanes(8, 8);
    start(&mut lanes, 1);
    start(&mut lanes, 2);
    start(&mut lanes, 2);
    let room = lanes.room(64);
    assert_eq!(room.limit, 5);
    assert_eq!(room.per_endpoint, 2);
    assert_eq!(
        room.in_flight,
        [(WebhookEndpointId(1), 1), (WebhookEndpointId(2), 2)]
    );
    assert_eq!(lanes.room(3).limit, 3);
}

#[test]
fn with_both_lanes_full_of_slow_attempts_the_last_fast_slot_is_never_held() {
    let mut lanes = lanes(3, 2);
    let (a, b, c) = (
        start(&mut lanes, 1),
        start(&mut lanes, 2),
        start(&mut lanes, 3),
    );
    assert_eq!(lanes.turned_slow(a), SlowVerdict::SlowLane);
    assert_eq!(lanes.turned_slow(b), SlowVerdict::SlowLane);
    assert_eq!(lanes.free_fast(), 2);
    let (d, e) = (start(&mut lanes, 4), start(&mut lanes, 5));
    assert_eq!(lanes.turned_slow(c), SlowVerdict::KeepsFastSlot);
    assert_eq!(lanes.turned_slow(d), SlowVerdict::KeepsFastSlot);
    assert_eq!(
        lanes.turned_slow(e),
        SlowVerdict::CutShort,
        "the third of three"
    );
    lanes.finish(e);
    assert_eq!(lanes.free_fast(), 1);
    assert_eq!(
        lanes.turned_slow(c),
        SlowVerdict::KeepsFastSlot,
        "asked twice"
    );
}

#[test]
fn a_freed_slow_slot_goes_to_the_slow_attempt_that_waited_longest() {
    let mut lanes = lanes(3, 1);
    let (a, b, c) = (
        start(&mut lanes, 1),
        start(&mut lanes, 2),
        start(&mut lanes, 3),
    );
    assert_eq!(lanes.turned_slow(a), SlowVerdict::SlowLane);
    assert_eq!(lanes.turned_slow(c), SlowVerdict::KeepsFastSlot);
    assert_eq!(lanes.turned_slow(b), SlowVerdict::KeepsFastSlot);
    assert_eq!(lanes.free_fast(), 1);
    lanes.finish(a);
    assert_eq!(lanes.free_fast(), 2, "c moved over and freed its fast slot");
    assert_eq!(lanes.turned_slow(c), SlowVerdict::SlowLane);
    assert_eq!(lanes.turned_slow(b), SlowVerdict::KeepsFastSlot);
    lanes.finish(c);
    assert_eq!(lanes.turned_slow(b), SlowVerdict::SlowLane);
    assert_eq!(lanes.free_fast(), 3);
}

#[test]
fn one_fast_slot_and_a_full_slow_lane_cut_a_slow_attempt_short() {
    let mut lanes = lanes(1, 1);
    let a = start(&mut lanes, 1);
    assert_eq!(lanes.turned_slow(a), SlowVerdict::SlowLane);
    let b = start(&mut lanes, 2);
    assert_eq!(lanes.turned_slow(b), SlowVerdict::CutShort);
}

#[test]
fn a_ticket_finished_twice_or_unknown_changes_nothing() {
    let mut lanes = lanes(2, 2);
    let a = start(&mut lanes, 1);
    lanes.finish(a);
    lanes.finish(a);
    assert_eq!(lanes.turned_slow(a), SlowVerdict::SlowLane);
    assert_eq!((lanes.in_flight(), lanes.free_fast()), (0, 2));
}

/// Counts by place, recomputed from scratch, for the invariants.
fn places(lanes: &DeliveryLanes) -> (u32, u32, u32) {
    (
        lanes.count(Place::Fast),
        lanes.count(Place::SlowInFast),
        lanes.count(Place::Slow),
    )
}

#[test]
fn no_sequence_of_starts_slow_turns_and_ends_breaks_the_bounds() {
    // A fixed pseudo-random walk (a linear congruential generator): reproducible.
    let mut seed: u64 = 0x5eed;
    let mut draw = |below: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % below
    };
    for (fast, slow) in [(1, 1), (2, 1), (3, 3), (8, 8), (4, 0)] {
        let mut lanes = lanes(fast, slow);
        let mut live: Vec<LaneTicket> = Vec::new();
        for _ in 0..5_000 {
            match draw(3) {
                0 => {
                    let endpoint = i32::try_from(draw(6)).unwrap_or(0);
                    let room = lanes.room(64).room_for(WebhookEndpointId(endpoint));
                    let free = lanes.free_fast();
                    let started = lanes.start(WebhookEndpointId(endpoint));
                    assert_eq!(started.is_some(), room > 0 && free > 0);
                    live.extend(started);
                }
                1 if !live.is_empty() => {
                    let pick = usize::try_from(draw(live.len() as u64)).unwrap_or(0);
                    if lanes.turned_slow(live[pick]) == SlowVerdict::CutShort {
                        lanes.finish(live.swap_remove(pick));
                    }
                }
                _ if !live.is_empty() => {
                    let pick = usize::try_from(draw(live.len() as u64)).unwrap_or(0);
                    lanes.finish(live.swap_remove(pick));
                }
                _ => {}
            }
            let (in_fast, slow_in_fast, in_slow) = places(&lanes);
            assert!(in_fast + slow_in_fast <= fast, "fast lane over {fast}");
            assert!(in_slow <= slow, "slow lane over {slow}");
            assert!(
                slow_in_fast < fast,
                "every fast slot held by a slow attempt"
            );
            assert!(
                slow_in_fast == 0 || in_slow == slow,
                "a slow slot left idle"
            );
            let mut per: HashMap<WebhookEndpointId, u32> = HashMap::new();
            for attempt in lanes.attempts.values() {
                *per.entry(attempt.endpoint).or_default() += 1;
            }
            assert!(per.values().all(|n| *n <= 2), "over a share: {per:?}");
        }
    }
}
