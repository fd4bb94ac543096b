use std::collections::HashSet;

use chrono::Duration;

use super::super::{claim_episodes, ClaimEnd, ClaimEpisode, Lapse, TrailEvent, TrailKind};
use super::{event, utc};
use crate::domain::{ScheduledSessionId, UserId};

fn episodes_of(trail: &[TrailEvent], now: chrono::DateTime<chrono::Utc>) -> Vec<ClaimEpisode> {
    let sessions: HashSet<ScheduledSessionId> = trail.iter().map(|e| e.session).collect();
    claim_episodes(trail, &sessions, now)
}

#[test]
fn a_claim_completed_by_its_holder_in_time_did_not_lapse() {
    let t = utc(2026, 12, 1, 10, 0);
    let trail = [
        event(
            1,
            1,
            TrailKind::Claimed,
            7,
            t,
            Some(t + Duration::minutes(30)),
        ),
        event(
            1,
            2,
            TrailKind::Completed,
            7,
            t + Duration::minutes(20),
            None,
        ),
    ];
    let episodes = episodes_of(&trail, t + Duration::days(1));
    assert_eq!(episodes.len(), 1);
    assert_eq!(episodes[0].holder, Some(UserId(7)));
    assert_eq!(
        episodes[0].end,
        ClaimEnd::Completed {
            at: t + Duration::minutes(20),
            by_holder: true
        }
    );
    assert_eq!(episodes[0].lapse, Lapse::No);
}

#[test]
fn a_claim_left_past_its_expiry_lapsed_and_one_still_live_did_not() {
    let t = utc(2026, 12, 1, 10, 0);
    let expiry = t + Duration::minutes(30);
    let trail = [event(1, 1, TrailKind::Claimed, 7, t, Some(expiry))];
    assert_eq!(episodes_of(&trail, expiry)[0].lapse, Lapse::At(expiry));
    let held = episodes_of(&trail, expiry - Duration::seconds(1));
    assert_eq!(held[0].lapse, Lapse::No);
    assert_eq!(held[0].end, ClaimEnd::NothingYet);
}

#[test]
fn a_release_at_the_expiry_instant_comes_too_late_and_a_second_before_is_in_time() {
    let t = utc(2026, 12, 1, 10, 0);
    let expiry = t + Duration::minutes(30);
    let late = [
        event(1, 1, TrailKind::Claimed, 7, t, Some(expiry)),
        event(1, 2, TrailKind::Released, 7, expiry, None),
    ];
    assert_eq!(episodes_of(&late, expiry)[0].lapse, Lapse::At(expiry));
    let in_time = [
        event(1, 1, TrailKind::Claimed, 7, t, Some(expiry)),
        event(
            1,
            2,
            TrailKind::Released,
            7,
            expiry - Duration::seconds(1),
            None,
        ),
    ];
    let episode = episodes_of(&in_time, expiry + Duration::hours(1))[0];
    assert_eq!(episode.lapse, Lapse::No);
    assert_eq!(
        episode.end,
        ClaimEnd::Released {
            at: expiry - Duration::seconds(1)
        }
    );
}

#[test]
fn a_renewal_in_time_moves_the_expiry_and_a_late_one_does_not_undo_a_lapse() {
    let t = utc(2026, 12, 1, 10, 0);
    let renewed = [
        event(
            1,
            1,
            TrailKind::Claimed,
            7,
            t,
            Some(t + Duration::minutes(30)),
        ),
        event(
            1,
            2,
            TrailKind::Renewed,
            7,
            t + Duration::minutes(25),
            Some(t + Duration::minutes(55)),
        ),
        event(
            1,
            3,
            TrailKind::Completed,
            7,
            t + Duration::minutes(50),
            None,
        ),
    ];
    let episode = episodes_of(&renewed, t + Duration::days(1))[0];
    assert_eq!(episode.renewals, 1);
    assert_eq!(episode.expires_at, Some(t + Duration::minutes(55)));
    assert_eq!(episode.lapse, Lapse::No);

    let late = [
        event(
            1,
            1,
            TrailKind::Claimed,
            7,
            t,
            Some(t + Duration::minutes(30)),
        ),
        event(
            1,
            2,
            TrailKind::Renewed,
            7,
            t + Duration::minutes(31),
            Some(t + Duration::minutes(61)),
        ),
        event(
            1,
            3,
            TrailKind::Completed,
            7,
            t + Duration::minutes(40),
            None,
        ),
    ];
    let episode = episodes_of(&late, t + Duration::days(1))[0];
    assert_eq!(episode.renewals, 0);
    assert_eq!(episode.lapse, Lapse::At(t + Duration::minutes(30)));
    // Completed by the holder after the lapse: still their handling, and still a lapse.
    assert_eq!(
        episode.end,
        ClaimEnd::Completed {
            at: t + Duration::minutes(40),
            by_holder: true
        }
    );
}

#[test]
fn another_instructors_claim_after_a_lapse_starts_a_new_episode() {
    let t = utc(2026, 12, 1, 10, 0);
    let trail = [
        event(
            1,
            2,
            TrailKind::Claimed,
            8,
            t + Duration::hours(1),
            Some(t + Duration::minutes(90)),
        ),
        event(
            1,
            1,
            TrailKind::Claimed,
            7,
            t,
            Some(t + Duration::minutes(30)),
        ),
    ];
    let episodes = episodes_of(&trail, t + Duration::days(1));
    assert_eq!(episodes.len(), 2);
    assert_eq!(episodes[0].holder, Some(UserId(7)));
    assert_eq!(
        episodes[0].end,
        ClaimEnd::ClaimedAgain {
            at: t + Duration::hours(1)
        }
    );
    assert_eq!(episodes[0].lapse, Lapse::At(t + Duration::minutes(30)));
    assert_eq!(episodes[1].holder, Some(UserId(8)));
    assert_eq!(episodes[1].lapse, Lapse::At(t + Duration::minutes(90)));
}

#[test]
fn a_claim_without_a_recorded_expiry_lapsed_only_when_the_trail_proves_it() {
    let t = utc(2026, 12, 1, 10, 0);
    let reclaimed = [
        event(1, 1, TrailKind::Claimed, 7, t, None),
        event(1, 2, TrailKind::Claimed, 8, t + Duration::hours(2), None),
    ];
    let episodes = episodes_of(&reclaimed, t + Duration::days(1));
    assert_eq!(episodes[0].lapse, Lapse::TimeUnknown);
    assert_eq!(episodes[1].lapse, Lapse::No);

    let completed_by_other = [
        event(1, 1, TrailKind::Claimed, 7, t, None),
        event(1, 2, TrailKind::Completed, 8, t + Duration::hours(2), None),
    ];
    assert_eq!(
        episodes_of(&completed_by_other, t + Duration::days(1))[0].lapse,
        Lapse::TimeUnknown
    );

    let completed_by_holder = [
        event(1, 1, TrailKind::Claimed, 7, t, None),
        event(1, 2, TrailKind::Completed, 7, t + Duration::hours(2), None),
    ];
    assert_eq!(
        episodes_of(&completed_by_holder, t + Duration::days(1))[0].lapse,
        Lapse::No
    );
}

#[test]
fn a_cancellation_while_claimed_ends_the_claim_without_a_lapse() {
    let t = utc(2026, 12, 1, 10, 0);
    let trail = [
        event(
            1,
            1,
            TrailKind::Claimed,
            7,
            t,
            Some(t + Duration::minutes(30)),
        ),
        event(
            1,
            2,
            TrailKind::Cancelled,
            3,
            t + Duration::minutes(5),
            None,
        ),
    ];
    let episode = episodes_of(&trail, t + Duration::days(1))[0];
    assert_eq!(
        episode.end,
        ClaimEnd::Cancelled {
            at: t + Duration::minutes(5)
        }
    );
    assert_eq!(episode.lapse, Lapse::No);
}

#[test]
fn events_without_a_claim_and_sessions_not_asked_for_start_no_episode() {
    let t = utc(2026, 12, 1, 10, 0);
    let trail = [
        event(1, 1, TrailKind::Completed, 7, t, None),
        event(2, 2, TrailKind::Released, 7, t, None),
        event(
            3,
            3,
            TrailKind::Claimed,
            7,
            t,
            Some(t + Duration::minutes(30)),
        ),
    ];
    let asked: HashSet<ScheduledSessionId> = [ScheduledSessionId(1), ScheduledSessionId(2)]
        .into_iter()
        .collect();
    assert!(claim_episodes(&trail, &asked, t + Duration::days(1)).is_empty());
}

#[test]
fn events_of_the_same_instant_are_ordered_by_their_id() {
    let t = utc(2026, 12, 1, 10, 0);
    let trail = [
        event(1, 2, TrailKind::Released, 7, t, None),
        event(
            1,
            1,
            TrailKind::Claimed,
            7,
            t,
            Some(t + Duration::minutes(30)),
        ),
    ];
    let episodes = episodes_of(&trail, t + Duration::days(1));
    assert_eq!(episodes.len(), 1);
    assert_eq!(episodes[0].end, ClaimEnd::Released { at: t });
}
