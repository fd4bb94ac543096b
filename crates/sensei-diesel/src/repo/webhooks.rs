//! Webhooks: the [`WebhookStore`] port over `webhook_endpoints`, the outbox
//! `webhook_deliveries` (filled by the trigger `trg_scheduled_session_events_webhooks` in the
//! transaction that appends each audit event) and the log `webhook_attempts`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::dsl::{count_star, min};
use diesel::prelude::*;
use sensei_core::ports::{LeaseRequest, LeasedDelivery, RecordedAttempt, WebhookStore};
use sensei_core::{
    AccountChange, AttemptLogEntry, ChangeActor, EventFilter, EventKind, NewWebhookEndpoint,
    NextStep, OutboxStats, RepositoryError, ScheduledSessionId, SessionEvent, SessionFacts,
    SessionState, SubmissionId, UserId, WebhookEndpoint, WebhookEndpointId, WebhookSecret,
    WebhookUrl,
};

use super::account_changes::{insert_change, ChangeRow};
use super::webhook_lease::{LeaseConn, PENDING};
use crate::db::{with_conn, with_write_conn, Database, WriteConn};
use crate::error::Fail;
use crate::schema::{
    scheduled_session_events as events, scheduled_sessions as sessions,
    webhook_attempts as attempts, webhook_deliveries as deliveries, webhook_endpoints as endpoints,
};
use crate::timestamp::SqlaTimestamp;

/// The webhook tables of a database.
#[derive(Debug, Clone)]
pub struct DieselWebhooks {
    db: Database,
}

impl DieselWebhooks {
    /// Over this database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

impl Database {
    /// The webhook endpoints, outbox and delivery log.
    pub fn webhooks(&self) -> DieselWebhooks {
        DieselWebhooks::new(self.clone())
    }
}

type LeasedRow = (
    (i64, i32, i32, SqlaTimestamp),
    (String, String),
    (
        SqlaTimestamp,
        Option<i32>,
        String,
        Option<String>,
        String,
        Option<String>,
        i32,
    ),
    Option<(i32, i32, SqlaTimestamp)>,
);

fn leased(row: LeasedRow) -> Result<LeasedDelivery, RepositoryError> {
    let ((delivery_id, attempts, event_id, created_at), (url, secret), event, session) = row;
    let (occurred_at, actor, kind, from_state, to_state, detail, session_id) = event;
    let corrupt = |what: &str, value: &str| {
        RepositoryError::Internal(format!(
            "webhook delivery {delivery_id} has an unreadable {what} {value:?}"
        ))
    };
    Ok(LeasedDelivery {
        delivery_id,
        endpoint_id: WebhookEndpointId(0),
        url: WebhookUrl::parse(&url).map_err(|_| corrupt("url", &url))?,
        secret: WebhookSecret::from_stored(secret),
        event_id: i64::from(event_id),
        event: SessionEvent {
            session_id: ScheduledSessionId(session_id),
            occurred_at: occurred_at.utc(),
            actor: actor.map(UserId),
            actor_email: None,
            kind: EventKind::parse(&kind).ok_or_else(|| corrupt("event kind", &kind))?,
            from_state: match from_state {
                Some(raw) => Some(SessionState::parse(&raw).ok_or_else(|| corrupt("state", &raw))?),
                None => None,
            },
            to_state: SessionState::parse(&to_state).ok_or_else(|| corrupt("state", &to_state))?,
            detail,
        },
        session: session.map(|(submission_id, user_id, scheduled_at)| SessionFacts {
            submission_id: SubmissionId(submission_id),
            student_id: UserId(user_id),
            scheduled_at: scheduled_at.utc(),
        }),
        attempts: u32::try_from(attempts).unwrap_or(0),
        created_at: created_at.utc(),
    })
}

fn endpoint(
    row: (i32, String, Option<String>, SqlaTimestamp),
) -> Result<WebhookEndpoint, RepositoryError> {
    let (id, url, kinds, created_at) = row;
    Ok(WebhookEndpoint {
        id: WebhookEndpointId(id),
        url: WebhookUrl::parse(&url).map_err(|_| {
            RepositoryError::Internal(format!("webhook endpoint {id} has an unreadable url"))
        })?,
        events: EventFilter::from_stored(kinds.as_deref()),
        created_at: created_at.utc(),
    })
}

/// Records each attempt: the step, then the log line (if the delivery is still there).
// Why a macro: the body runs on the connection `with_write_conn!` gives, which is a different
// type per backend; it runs seven statements of different types (three updates, which
// Diesel's `auto_type` cannot name, a read and an insert), so a generic function needs one
// `ExecuteDsl`/`LoadQuery` bound per statement, spelled out as Diesel's full statement types.
// A call on the writer path, not a hot read; the macro keeps the statements as they are.
macro_rules! record_attempts_body {
    ($conn:ident, $attempts:ident) => {{
        for attempt in &$attempts {
            let at = SqlaTimestamp::from(attempt.attempted_at);
            let mine = deliveries::table
                .filter(deliveries::id.eq(attempt.delivery_id))
                .filter(deliveries::lease_owner.eq(attempt.owner.as_str()))
                .filter(deliveries::status.eq(PENDING));
            let no_lease = (
                deliveries::attempts.eq(deliveries::attempts + 1),
                deliveries::leased_until.eq(None::<SqlaTimestamp>),
                deliveries::lease_owner.eq(None::<String>),
            );
            let applied = match attempt.next {
                NextStep::Delivered => diesel::update(mine)
                    .set((
                        no_lease,
                        deliveries::status.eq("delivered"),
                        deliveries::finished_at.eq(Some(at)),
                    ))
                    .execute($conn)?,
                NextStep::GaveUp => diesel::update(mine)
                    .set((
                        no_lease,
                        deliveries::status.eq("failed"),
                        deliveries::finished_at.eq(Some(at)),
                    ))
                    .execute($conn)?,
                NextStep::RetryAt(next) => diesel::update(mine)
                    .set((
                        no_lease,
                        deliveries::next_attempt_at.eq(SqlaTimestamp::from(next)),
                    ))
                    .execute($conn)?,
            };
            let endpoint = endpoints::table.find(attempt.endpoint_id.get());
            if let Some(until) = attempt.pause_endpoint_until {
                diesel::update(endpoint)
                    .set(endpoints::down_until.eq(Some(SqlaTimestamp::from(until))))
                    .execute($conn)?;
            } else if attempt.next == NextStep::Delivered {
                diesel::update(endpoint)
                    .set(endpoints::down_until.eq(None::<SqlaTimestamp>))
                    .execute($conn)?;
            }
            let still_there = applied > 0
                || deliveries::table
                    .find(attempt.delivery_id)
                    .select(deliveries::id)
                    .first::<i64>($conn)
                    .optional()?
                    .is_some();
            if still_there {
                diesel::insert_into(attempts::table)
                    .values((
                        attempts::delivery_id.eq(attempt.delivery_id),
                        attempts::attempted_at.eq(at),
                        attempts::status_code.eq(attempt.status.map(i32::from)),
                        attempts::latency_ms
                            .eq(i32::try_from(attempt.latency_ms).unwrap_or(i32::MAX)),
                        attempts::error.eq(attempt.error.as_deref()),
                        attempts::outcome.eq(attempt.next.outcome()),
                    ))
                    .execute($conn)?;
            }
        }
        Ok::<_, Fail>(())
    }};
}

#[async_trait]
impl WebhookStore for DieselWebhooks {
    /// The endpoint and the record of its adding, in one transaction.
    async fn add_endpoint(
        &self,
        endpoint: NewWebhookEndpoint,
        by: &ChangeActor,
    ) -> Result<WebhookEndpoint, RepositoryError> {
        let by = by.clone();
        let added_at = endpoint.created_at;
        let shown = endpoint.url.clone();
        let url = endpoint.url.as_str().to_owned();
        let secret = endpoint.secret.as_str().to_owned();
        let kinds = endpoint.events.stored();
        let created_at = SqlaTimestamp::from(endpoint.created_at);
        let id: i32 = with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                let id: i32 = diesel::insert_into(endpoints::table)
                    .values((
                        endpoints::url.eq(&url),
                        endpoints::secret.eq(&secret),
                        endpoints::event_kinds.eq(&kinds),
                        endpoints::created_at.eq(created_at),
                    ))
                    .returning(endpoints::id)
                    .get_result(conn)?;
                let change = AccountChange::webhook_added(WebhookEndpointId(id), &shown);
                insert_change(conn, ChangeRow::new(&change, &by, added_at))?;
                Ok(id)
            })
        })?;
        Ok(WebhookEndpoint {
            id: WebhookEndpointId(id),
            url: endpoint.url,
            events: endpoint.events,
            created_at: created_at.utc(),
        })
    }

    async fn list_endpoints(&self, limit: u32) -> Result<Vec<WebhookEndpoint>, RepositoryError> {
        let rows: Vec<(i32, String, Option<String>, SqlaTimestamp)> =
            with_conn!(self.db, |conn| {
                Ok(endpoints::table
                    .order(endpoints::id.asc())
                    .limit(i64::from(limit))
                    .select((
                        endpoints::id,
                        endpoints::url,
                        endpoints::event_kinds,
                        endpoints::created_at,
                    ))
                    .load(conn)?)
            })?;
        rows.into_iter().map(endpoint).collect()
    }

    /// The removal and its record, in one transaction (nothing recorded when there was
    /// no such endpoint).
    async fn remove_endpoint(
        &self,
        id: WebhookEndpointId,
        by: &ChangeActor,
        at: DateTime<Utc>,
    ) -> Result<bool, RepositoryError> {
        let by = by.clone();
        let endpoint = id;
        let id = id.get();
        let removed: usize = with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                // The log and the outbox go by `ON DELETE CASCADE`.
                let removed = diesel::delete(endpoints::table.find(id)).execute(conn)?;
                if removed > 0 {
                    let change = AccountChange::WebhookEndpointRemoved { endpoint };
                    insert_change(conn, ChangeRow::new(&change, &by, at))?;
                }
                Ok(removed)
            })
        })?;
        Ok(removed > 0)
    }

    async fn lease_due(
        &self,
        request: LeaseRequest,
    ) -> Result<Vec<LeasedDelivery>, RepositoryError> {
        let now = SqlaTimestamp::from(request.now);
        let until = SqlaTimestamp::from(request.until);
        let owner = request.owner;
        let room = request.room;
        let rows: Vec<(i32, LeasedRow)> = with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                let ids = conn.due_ids(now, &room)?;
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                diesel::update(deliveries::table.filter(deliveries::id.eq_any(&ids)))
                    .set((
                        deliveries::leased_until.eq(Some(until)),
                        deliveries::lease_owner.eq(Some(&owner)),
                    ))
                    .execute(conn)?;
                Ok(deliveries::table
                    .inner_join(endpoints::table)
                    .inner_join(events::table.left_join(sessions::table))
                    .filter(deliveries::id.eq_any(&ids))
                    .order(deliveries::next_attempt_at.asc())
                    .select((
                        endpoints::id,
                        (
                            (
                                deliveries::id,
                                deliveries::attempts,
                                deliveries::event_id,
                                deliveries::created_at,
                            ),
                            (endpoints::url, endpoints::secret),
                            (
                                events::occurred_at,
                                events::actor_id,
                                events::kind,
                                events::from_state,
                                events::to_state,
                                events::detail,
                                events::session_id,
                            ),
                            (
                                sessions::submission_id,
                                sessions::user_id,
                                sessions::scheduled_at,
                            )
                                .nullable(),
                        ),
                    ))
                    .load(conn)?)
            })
        })?;
        rows.into_iter()
            .map(|(endpoint_id, row)| {
                leased(row).map(|delivery| LeasedDelivery {
                    endpoint_id: WebhookEndpointId(endpoint_id),
                    ..delivery
                })
            })
            .collect()
    }

    async fn record_attempts(&self, recorded: Vec<RecordedAttempt>) -> Result<(), RepositoryError> {
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| record_attempts_body!(conn, recorded))
        })
    }

    async fn recent_attempts(&self, limit: u32) -> Result<Vec<AttemptLogEntry>, RepositoryError> {
        type Row = (
            i32,
            i32,
            String,
            SqlaTimestamp,
            Option<i32>,
            i32,
            Option<String>,
            String,
        );
        let rows: Vec<Row> = with_conn!(self.db, |conn| {
            Ok(attempts::table
                .inner_join(deliveries::table.inner_join(events::table))
                .order(attempts::id.desc())
                .limit(i64::from(limit))
                .select((
                    deliveries::endpoint_id,
                    deliveries::event_id,
                    events::kind,
                    attempts::attempted_at,
                    attempts::status_code,
                    attempts::latency_ms,
                    attempts::error,
                    attempts::outcome,
                ))
                .load(conn)?)
        })?;
        Ok(rows
            .into_iter()
            .map(
                |(endpoint_id, event_id, kind, at, status, latency, error, outcome)| {
                    AttemptLogEntry {
                        endpoint_id: WebhookEndpointId(endpoint_id),
                        event_id: i64::from(event_id),
                        event_kind: EventKind::parse(&kind),
                        attempted_at: at.utc(),
                        status: status.and_then(|status| u16::try_from(status).ok()),
                        latency_ms: u32::try_from(latency).unwrap_or(0),
                        error,
                        outcome,
                    }
                },
            )
            .collect())
    }

    async fn outbox_stats(&self) -> Result<OutboxStats, RepositoryError> {
        let (undelivered, oldest): (i64, Option<SqlaTimestamp>) = with_conn!(self.db, |conn| {
            Ok(deliveries::table
                .filter(deliveries::status.eq(PENDING))
                .select((count_star(), min(deliveries::created_at)))
                .first(conn)?)
        })?;
        Ok(OutboxStats {
            undelivered: u64::try_from(undelivered).unwrap_or(0),
            oldest_undelivered: oldest.map(|at| -> DateTime<Utc> { at.utc() }),
        })
    }
}
