//! The period insights are computed for: a half-open span of instants `[from, to)`, chosen as
//! a preset ending now or as calendar dates in the viewer's zone, and the period of the same
//! length just before it (what each figure is compared against).

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// The longest period shown at once: a year, leap day included. It bounds the work of one
/// request (about 54 weeks, and the same again for the previous period).
pub const MAX_PERIOD_DAYS: i64 = 366;

/// The preset periods, each ending now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PeriodPreset {
    /// The last 7 days.
    Last7Days,
    /// The last 28 days (four whole weeks): what the page shows first.
    #[default]
    Last28Days,
    /// The last 90 days.
    Last90Days,
}

impl PeriodPreset {
    /// Every preset, shortest first (the order of the page's selector).
    pub const ALL: [PeriodPreset; 3] = [
        PeriodPreset::Last7Days,
        PeriodPreset::Last28Days,
        PeriodPreset::Last90Days,
    ];

    /// How many days it spans.
    pub fn days(self) -> i64 {
        match self {
            PeriodPreset::Last7Days => 7,
            PeriodPreset::Last28Days => 28,
            PeriodPreset::Last90Days => 90,
        }
    }

    /// The preset spanning `days` days, if there is one (query strings say `days=28`).
    pub fn from_days(days: i64) -> Option<PeriodPreset> {
        PeriodPreset::ALL
            .into_iter()
            .find(|preset| preset.days() == days)
    }
}

/// Why a period was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// The last date comes before the first.
    #[error("the period ends on {last} before it starts on {first}; give the earlier date first")]
    DatesReversed {
        /// The first day asked for.
        first: NaiveDate,
        /// The last day asked for.
        last: NaiveDate,
    },
    /// The end instant is not after the start instant.
    #[error("the period must end after it starts; it starts at {from} and ends at {to}")]
    NotAfter {
        /// The start asked for.
        from: DateTime<Utc>,
        /// The end asked for.
        to: DateTime<Utc>,
    },
    /// Longer than [`MAX_PERIOD_DAYS`].
    #[error(
        "the period spans {days} days; at most {max} days are shown at once, so choose a shorter period",
        max = MAX_PERIOD_DAYS
    )]
    TooLong {
        /// Whole days spanned, rounded up.
        days: i64,
    },
    /// The first day is after today in the viewer's zone: nothing can have been booked yet.
    #[error("the period starts on {first}, after today ({today}); choose a first day up to today")]
    StartsInFuture {
        /// The first day asked for.
        first: NaiveDate,
        /// Today in the viewer's zone.
        today: NaiveDate,
    },
    /// A date so far from today that its instant cannot be represented.
    #[error("the date {date} is too far from today to be shown; choose a date nearer today")]
    OutOfRange {
        /// The date asked for.
        date: NaiveDate,
    },
}

/// A period `[from, to)`: `from` included, `to` excluded, at most [`MAX_PERIOD_DAYS`] long.
/// Only the constructors below make one, so every period in hand is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InsightsPeriod {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

impl InsightsPeriod {
    /// The preset's days ending at `now`: `[now − days, now)`.
    pub fn last(preset: PeriodPreset, now: DateTime<Utc>) -> InsightsPeriod {
        InsightsPeriod {
            from: now - Duration::days(preset.days()),
            to: now,
        }
    }

    /// The period between two instants (the API's `from` and `to`).
    ///
    /// # Errors
    /// [`PeriodError::NotAfter`] unless `to` is after `from`; [`PeriodError::TooLong`].
    pub fn between(from: DateTime<Utc>, to: DateTime<Utc>) -> Result<InsightsPeriod, PeriodError> {
        if to <= from {
            return Err(PeriodError::NotAfter { from, to });
        }
        let span = to - from;
        if span > Duration::days(MAX_PERIOD_DAYS) {
            let days = (span.num_seconds() + SECONDS_PER_DAY - 1) / SECONDS_PER_DAY;
            return Err(PeriodError::TooLong { days });
        }
        Ok(InsightsPeriod { from, to })
    }

    /// The calendar days `first..=last` in `zone`: from the start of `first` to the start of
    /// the day after `last`, both as the viewer's clock shows them (so a period across a
    /// daylight-saving change is an hour shorter or longer than whole days of 24 hours).
    /// `today` is `now` in the same zone.
    ///
    /// # Errors
    /// [`PeriodError::DatesReversed`], [`PeriodError::StartsInFuture`],
    /// [`PeriodError::TooLong`] (more than [`MAX_PERIOD_DAYS`] days),
    /// [`PeriodError::OutOfRange`].
    pub fn dates<Tz: TimeZone>(
        first: NaiveDate,
        last: NaiveDate,
        zone: &Tz,
        now: DateTime<Utc>,
    ) -> Result<InsightsPeriod, PeriodError> {
        if last < first {
            return Err(PeriodError::DatesReversed { first, last });
        }
        let today = now.with_timezone(zone).date_naive();
        if first > today {
            return Err(PeriodError::StartsInFuture { first, today });
        }
        let days = (last - first).num_days() + 1;
        if days > MAX_PERIOD_DAYS {
            return Err(PeriodError::TooLong { days });
        }
        let after_last = last
            .succ_opt()
            .ok_or(PeriodError::OutOfRange { date: last })?;
        let from = start_of_day(first, zone).ok_or(PeriodError::OutOfRange { date: first })?;
        let to = start_of_day(after_last, zone).ok_or(PeriodError::OutOfRange { date: last })?;
        Ok(InsightsPeriod { from, to })
    }

    /// The first instant included.
    pub fn from(&self) -> DateTime<Utc> {
        self.from
    }

    /// The first instant after the period (excluded).
    pub fn to(&self) -> DateTime<Utc> {
        self.to
    }

    /// How long it is.
    pub fn length(&self) -> Duration {
        self.to - self.from
    }

    /// Whether `at` lies in it.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.from <= at && at < self.to
    }

    /// The period of the same length that ends where this one starts: what its figures are
    /// compared against. (Same length in instants: the previous of the last 7 days is the 7
    /// days before them.)
    pub fn previous(&self) -> InsightsPeriod {
        InsightsPeriod {
            from: self.from - self.length(),
            to: self.from,
        }
    }
}

const SECONDS_PER_DAY: i64 = 86_400;

/// The first instant of `date` in `zone`: its midnight, the earlier one when clocks were set
/// back over midnight; when midnight does not exist (clocks jumped forward over it), the
/// instant the jump lands on. `None` outside the instants chrono represents.
pub(crate) fn start_of_day<Tz: TimeZone>(date: NaiveDate, zone: &Tz) -> Option<DateTime<Utc>> {
    let midnight = date.and_hms_opt(0, 0, 0)?;
    if let Some(earliest) = zone.from_local_datetime(&midnight).earliest() {
        return Some(earliest.with_timezone(&Utc));
    }
    in_gap(midnight, zone)
}

/// A local time inside a gap, read with the offset in force just before the gap: that lands
/// on the instant the clocks jumped to (02:30 on a spring-forward night in Berlin is 03:30).
fn in_gap<Tz: TimeZone>(local: NaiveDateTime, zone: &Tz) -> Option<DateTime<Utc>> {
    use chrono::Offset;
    // A day before the local time, the offset before the gap is in force: gaps are shorter
    // than a day, and zones change offsets far less often than daily.
    let before = local.checked_sub_signed(Duration::days(1))?;
    let offset = zone.offset_from_utc_datetime(&before).fix();
    let utc = local.checked_sub_signed(Duration::seconds(i64::from(offset.local_minus_utc())))?;
    Some(utc.and_utc())
}
