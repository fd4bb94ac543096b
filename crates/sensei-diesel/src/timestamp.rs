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
    /// The stored text (`2026-11-28 09:15:02.123456`).
    pub fn to_sqla_text(&self) -> String {
        self.0.format(SQLA_FORMAT).to_string()
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
