//! Timestamps stored as SQLAlchemy stores them.
//!
//! On SQLite, SQLAlchemy's `DateTime` is `DATETIME` text `YYYY-MM-DD HH:MM:SS.ffffff`, always
//! with six fractional digits. Writing the same fixed-width text keeps the platform able to read
//! our rows and keeps lexicographic comparisons (`scheduled_at > ?`) equal to time comparisons.
//! On PostgreSQL it is a plain `TIMESTAMP` (UTC, microseconds).

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
#[cfg(feature = "postgres")]
use diesel::pg::Pg;
#[cfg(feature = "sqlite")]
use diesel::serialize::IsNull;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Timestamp;
#[cfg(feature = "sqlite")]
use diesel::sqlite::Sqlite;

/// The text format SQLAlchemy writes for SQLite `DATETIME` columns.
pub const SQLA_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.6f";

/// A UTC timestamp that reads and writes the stored form SQLAlchemy uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, AsExpression, FromSqlRow)]
#[diesel(sql_type = Timestamp)]
pub struct SqlaTimestamp(pub NaiveDateTime);

impl SqlaTimestamp {
    /// The stored text (`2026-11-28 09:15:02.123456`), written field by field: chrono's
    /// pattern formatting parsed [`SQLA_FORMAT`] anew for every bound timestamp (it showed in
    /// the dashboard's profile). Years outside 0–9999 fall back to chrono.
    pub fn to_sqla_text(&self) -> String {
        use chrono::{Datelike, Timelike};
        let (date, time) = (self.0.date(), self.0.time());
        if !(0..=9999).contains(&date.year()) {
            return self.0.format(SQLA_FORMAT).to_string();
        }
        // A leap second (nanoseconds past 1e9) is written as chrono writes it: 60 seconds.
        let (second, nanos) = match time.nanosecond() {
            n if n >= 1_000_000_000 => (time.second() + 1, n - 1_000_000_000),
            n => (time.second(), n),
        };
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}",
            date.year(),
            date.month(),
            date.day(),
            time.hour(),
            time.minute(),
            second,
            nanos / 1_000
        )
    }

    /// As a UTC instant.
    pub fn utc(self) -> DateTime<Utc> {
        self.0.and_utc()
    }
}

impl From<DateTime<Utc>> for SqlaTimestamp {
    fn from(value: DateTime<Utc>) -> Self {
        // Both stores keep microseconds; truncate now so what we return equals what we stored.
        SqlaTimestamp(value.naive_utc().trunc_subsecs(6))
    }
}

impl From<SqlaTimestamp> for DateTime<Utc> {
    fn from(value: SqlaTimestamp) -> Self {
        value.utc()
    }
}

#[cfg(feature = "sqlite")]
impl ToSql<Timestamp, Sqlite> for SqlaTimestamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.to_sqla_text());
        Ok(IsNull::No)
    }
}

#[cfg(feature = "sqlite")]
impl FromSql<Timestamp, Sqlite> for SqlaTimestamp {
    fn from_sql(
        value: <Sqlite as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        // Diesel's reader accepts `%F %T%.f`, `%F %T`, the `T` separator and more.
        <NaiveDateTime as FromSql<Timestamp, Sqlite>>::from_sql(value).map(SqlaTimestamp)
    }
}

#[cfg(feature = "postgres")]
impl ToSql<Timestamp, Pg> for SqlaTimestamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <NaiveDateTime as ToSql<Timestamp, Pg>>::to_sql(&self.0, out)
    }
}

#[cfg(feature = "postgres")]
impl FromSql<Timestamp, Pg> for SqlaTimestamp {
    fn from_sql(
        value: <Pg as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        <NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(value).map(SqlaTimestamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn writes_what_chrono_writes() {
        let base = NaiveDate::from_ymd_opt(2026, 2, 28)
            .and_then(|d| d.and_hms_micro_opt(23, 59, 59, 999_999))
            .unwrap();
        for offset in [
            0_i64,
            1,
            59,
            3_600,
            86_400,
            1_000_000,
            -40_000_000,
            -90_000_000_000,
        ] {
            let at = SqlaTimestamp(base + chrono::Duration::microseconds(offset * 7_919));
            assert_eq!(at.to_sqla_text(), at.0.format(SQLA_FORMAT).to_string());
        }
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_micro_opt(23, 59, 59, 1_500_000))
            .map(SqlaTimestamp)
            .unwrap();
        assert_eq!(leap.to_sqla_text(), leap.0.format(SQLA_FORMAT).to_string());
    }

    #[test]
    fn writes_six_fractional_digits_always() {
        let at = NaiveDate::from_ymd_opt(2026, 11, 28)
            .and_then(|d| d.and_hms_micro_opt(9, 15, 2, 0))
            .map(SqlaTimestamp);
        assert_eq!(
            at.map(|t| t.to_sqla_text()).as_deref(),
            Some("2026-11-28 09:15:02.000000")
        );
        let at = NaiveDate::from_ymd_opt(2026, 1, 2)
            .and_then(|d| d.and_hms_micro_opt(3, 4, 5, 123_456))
            .map(SqlaTimestamp);
        assert_eq!(
            at.map(|t| t.to_sqla_text()).as_deref(),
            Some("2026-01-02 03:04:05.123456")
        );
    }
}
