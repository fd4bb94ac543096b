//! The random scripts: a tiny deterministic generator (no dependency: the same seed gives the
//! same script on every machine) and the operations it picks.

use chrono::Duration;
use sensei_core::Policy;

/// Students in one run; few, so their bookings meet the dedup and the open-session limit.
pub const STUDENTS: usize = 6;
/// Submissions each student owns (all eligible).
pub const SUBMISSIONS_EACH: usize = 4;
/// Instructors in one run; few, so their claims meet each other and the claim limit.
pub const INSTRUCTORS: usize = 3;

/// SplitMix64: small, fast and well mixed; enough to pick operations.
#[derive(Debug, Clone)]
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> Self {
        SplitMix(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (`n` > 0; the modulo's bias is irrelevant here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    fn index(&mut self, n: usize) -> usize {
        usize::try_from(self.below(n as u64)).expect("an index fits")
    }
}

/// The seed of sequence `index` of a run seeded `seed`: each sequence can be replayed alone.
pub fn sequence_seed(seed: u64, index: usize) -> u64 {
    SplitMix::new(seed ^ (index as u64).wrapping_mul(0xA24B_AED4_963E_E407)).next_u64()
}

/// Which known session an operation acts on: resolved at run time against the sessions the
/// runner has seen so far, mostly among the latest (where the open ones are).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pick(u64);

impl Pick {
    /// The position in `known` (oldest first) this pick means; `None` when nothing is known.
    pub fn resolve(self, known: usize) -> Option<usize> {
        if known == 0 {
            return None;
        }
        let recent = known.min(6) as u64;
        let position = if self.0.is_multiple_of(4) {
            (self.0 / 4) % known as u64
        } else {
            known as u64 - 1 - (self.0 / 4) % recent
        };
        Some(usize::try_from(position).expect("a position fits"))
    }
}

/// One step of a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Book {
        student: usize,
        submission: usize,
    },
    /// A claim (a renewal when the instructor holds it already).
    Claim {
        instructor: usize,
        session: Pick,
    },
    Renew {
        instructor: usize,
        session: Pick,
    },
    Release {
        instructor: usize,
        session: Pick,
    },
    Complete {
        instructor: usize,
        session: Pick,
    },
    /// A cancellation by the session's owner, or (`by_owner` false) by another student.
    Cancel {
        session: Pick,
        by_owner: bool,
        other: usize,
    },
    /// The clock moves on.
    Advance(Duration),
}

/// A script of `length` operations from `seed`. Time steps favour the edges the backends
/// must agree on: exactly the claim time and the dedup window, a microsecond either side, and
/// steps with nanoseconds (which both stores truncate to microseconds).
pub fn script(seed: u64, length: usize, policy: &Policy) -> Vec<Op> {
    let mut rng = SplitMix::new(seed);
    (0..length)
        .map(|_| {
            // The first instructor acts most of the time, so their claims reach the limit.
            let instructor = match rng.below(4) {
                0 => rng.index(INSTRUCTORS),
                _ => 0,
            };
            let session = Pick(rng.next_u64());
            match rng.below(100) {
                0..=27 => Op::Book {
                    student: rng.index(STUDENTS),
                    submission: rng.index(SUBMISSIONS_EACH),
                },
                28..=57 => Op::Claim {
                    instructor,
                    session,
                },
                58..=60 => Op::Renew {
                    instructor,
                    session,
                },
                61..=65 => Op::Release {
                    instructor,
                    session,
                },
                66..=75 => Op::Complete {
                    instructor,
                    session,
                },
                76..=83 => Op::Cancel {
                    session,
                    by_owner: rng.below(10) != 0,
                    other: rng.index(STUDENTS),
                },
                _ => Op::Advance(step(&mut rng, policy)),
            }
        })
        .collect()
}

/// Mostly a few minutes; one step in four on an edge or with nanoseconds.
fn step(rng: &mut SplitMix, policy: &Policy) -> Duration {
    let micro = Duration::microseconds(1);
    match rng.below(16) {
        0 => policy.claim_time(),
        1 => policy.claim_time() + micro,
        2 => policy.dedup_window(),
        3 => policy.dedup_window() - micro,
        4 | 5 => Duration::seconds(1) + Duration::nanoseconds(1 + rng.below(999_999_999) as i64),
        _ => Duration::milliseconds(1 + rng.below(10 * 60 * 1000) as i64),
    }
}

#[test]
fn the_same_seed_gives_the_same_script() {
    let policy = Policy::default();
    assert_eq!(script(7, 60, &policy), script(7, 60, &policy));
    assert_ne!(script(7, 60, &policy), script(8, 60, &policy));
}

#[test]
fn picks_stay_within_what_is_known() {
    let mut rng = SplitMix::new(1);
    for known in 0..20 {
        for _ in 0..50 {
            match Pick(rng.next_u64()).resolve(known) {
                None => assert_eq!(known, 0),
                Some(position) => assert!(position < known),
            }
        }
    }
}
