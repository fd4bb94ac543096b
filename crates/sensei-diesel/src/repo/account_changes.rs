//! Who changed what (`admin_audit`): a change is written by [`insert_change`] inside the
//! transaction of the change itself, whichever store makes it (accounts, webhook endpoints,
//! and after them API tokens); [`list_changes`] reads them back for the admins' page.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::query_dsl::methods::ExecuteDsl;
use sensei_core::{
    AccountChange, AccountChangeKind, ChangeActor, NewAccountChange, RecordedChange,
    RepositoryError, UserId,
};

use crate::db::{with_conn, Database};
use crate::schema::{admin_audit, users};
use crate::timestamp::SqlaTimestamp;

/// The most characters of an operator's name kept (`admin_audit.actor_name` is
/// `VARCHAR(100)`).
const MAX_ACTOR_NAME_CHARS: usize = 100;

/// A change as stored: ids and short words only, never an email or a secret.
#[derive(Debug, Clone)]
pub(crate) struct ChangeRow {
    pub(crate) occurred_at: SqlaTimestamp,
    pub(crate) actor_id: Option<i32>,
    pub(crate) actor_name: Option<String>,
    pub(crate) kind: &'static str,
    pub(crate) subject_user_id: Option<i32>,
    pub(crate) object_id: Option<i64>,
    pub(crate) detail: Option<String>,
}

impl ChangeRow {
    /// The row of `change`, made by `by` at `at`.
    pub(crate) fn new(change: &AccountChange, by: &ChangeActor, at: DateTime<Utc>) -> Self {
        ChangeRow {
            occurred_at: SqlaTimestamp::from(at),
            actor_id: by.user().map(|user| user.0),
            actor_name: by
                .operator()
                .map(|name| name.chars().take(MAX_ACTOR_NAME_CHARS).collect()),
            kind: change.kind().as_str(),
            subject_user_id: change.subject_user().map(|user| user.0),
            object_id: change.object_id(),
            detail: change.detail(),
        }
    }
}

impl From<&NewAccountChange> for ChangeRow {
    fn from(change: &NewAccountChange) -> Self {
        ChangeRow::new(&change.change, &change.actor, change.occurred_at)
    }
}

/// The `INSERT` of a [`ChangeRow`] (one static statement type, kept prepared).
#[diesel::dsl::auto_type]
fn change_insert(row: ChangeRow) -> _ {
    let occurred_at: SqlaTimestamp = row.occurred_at;
    let actor_id: Option<i32> = row.actor_id;
    let actor_name: Option<String> = row.actor_name;
    let kind: &'static str = row.kind;
    let subject_user_id: Option<i32> = row.subject_user_id;
    let object_id: Option<i64> = row.object_id;
    let detail: Option<String> = row.detail;
    diesel::dsl::insert_into(admin_audit::table).values((
        admin_audit::occurred_at.eq(occurred_at),
        admin_audit::actor_id.eq(actor_id),
        admin_audit::actor_name.eq(actor_name),
        admin_audit::kind.eq(kind),
        admin_audit::subject_user_id.eq(subject_user_id),
        admin_audit::object_id.eq(object_id),
        admin_audit::detail.eq(detail),
    ))
}

/// Inserts a [`ChangeRow`] on `conn`, inside the caller's transaction (the change's own).
pub(crate) fn insert_change<C>(conn: &mut C, row: ChangeRow) -> QueryResult<usize>
where
    C: Connection,
    change_insert: ExecuteDsl<C>,
{
    change_insert(row).execute(conn)
}

/// A stored change: id, when, actor id, actor name, kind, subject, object, detail.
type StoredRow = (
    i32,
    SqlaTimestamp,
    Option<i32>,
    Option<String>,
    String,
    Option<i32>,
    Option<i64>,
    Option<String>,
);

/// The changes older than `before`, newest first (the primary key's order: a keyset page),
/// with the current emails of the users they name, read on one connection.
pub(crate) async fn list_changes(
    db: &Database,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<RecordedChange>, RepositoryError> {
    let before = before.map(|id| i32::try_from(id).unwrap_or(i32::MAX));
    let (rows, emails): (Vec<StoredRow>, Vec<(i32, String)>) = with_conn!(db, |conn| {
        let mut query = admin_audit::table
            .order(admin_audit::id.desc())
            .limit(i64::from(limit))
            .select((
                admin_audit::id,
                admin_audit::occurred_at,
                admin_audit::actor_id,
                admin_audit::actor_name,
                admin_audit::kind,
                admin_audit::subject_user_id,
                admin_audit::object_id,
                admin_audit::detail,
            ))
            .into_boxed();
        if let Some(before) = before {
            query = query.filter(admin_audit::id.lt(before));
        }
        let rows: Vec<StoredRow> = query.load(conn)?;
        let mut ids: Vec<i32> = rows
            .iter()
            .flat_map(|row| [row.2, row.5])
            .flatten()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let emails = users::table
            .filter(users::id.eq_any(ids))
            .select((users::id, users::email))
            .load(conn)?;
        Ok((rows, emails))
    })?;
    let emails: HashMap<i32, String> = emails.into_iter().collect();
    rows.into_iter().map(|row| recorded(row, &emails)).collect()
}

fn recorded(
    row: StoredRow,
    emails: &HashMap<i32, String>,
) -> Result<RecordedChange, RepositoryError> {
    let (id, at, actor_id, actor_name, kind, subject, object_id, detail) = row;
    let kind = AccountChangeKind::parse(&kind).ok_or_else(|| {
        RepositoryError::Internal(format!("admin_audit row {id} has an unknown kind {kind:?}"))
    })?;
    let actor = match actor_id {
        Some(user) => ChangeActor::User(UserId(user)),
        None => ChangeActor::Operator(actor_name.unwrap_or_else(|| "cli".to_owned())),
    };
    Ok(RecordedChange {
        id: i64::from(id),
        occurred_at: at.utc(),
        actor,
        actor_email: actor_id.and_then(|user| emails.get(&user).cloned()),
        kind,
        subject_user: subject.map(UserId),
        subject_email: subject.and_then(|user| emails.get(&user).cloned()),
        object_id,
        detail,
    })
}
