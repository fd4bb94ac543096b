//! Percentiles by nearest rank: the value an observer can point at in the data, never an
//! interpolation between two sessions, so a recomputation in plain SQL gives the same number.

/// The `p`th percentile of `sorted` (ascending) by nearest rank: the value at 1-based rank
/// `ceil(p / 100 × n)`, at least rank 1. The median is `p = 50` (the lower middle value of an
/// even count), and `p = 100` is the largest value. `None` when `sorted` is empty or `p` is
/// above 100.
///
/// ```
/// use sensei_core::domain::insights::nearest_rank;
/// let waits = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
/// assert_eq!(nearest_rank(&waits, 50), Some(5));
/// assert_eq!(nearest_rank(&waits, 90), Some(9));
/// assert_eq!(nearest_rank(&[], 50), None);
/// ```
pub fn nearest_rank(sorted: &[i64], p: u8) -> Option<i64> {
    if p > 100 {
        return None;
    }
    let n = sorted.len();
    // ceil(p × n / 100) in integers: no float rounding can move a rank.
    let rank = (usize::from(p) * n).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// The median and the 90th percentile of a set of durations (whole seconds), with their count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Spread {
    /// How many durations there were.
    pub count: u64,
    /// Their median by nearest rank, in seconds (`None` when there were none).
    pub median_secs: Option<i64>,
    /// Their 90th percentile by nearest rank, in seconds (`None` when there were none).
    pub p90_secs: Option<i64>,
}

impl Spread {
    /// The spread of `durations` (any order; sorted here).
    pub fn of(mut durations: Vec<i64>) -> Spread {
        durations.sort_unstable();
        Spread {
            count: u64::try_from(durations.len()).unwrap_or(u64::MAX),
            median_secs: nearest_rank(&durations, 50),
            p90_secs: nearest_rank(&durations, 90),
        }
    }
}
