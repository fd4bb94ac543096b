//! Email to students: the [`EmailStore`] port over the outbox `email_deliveries` (filled by the
//! trigger `trg_scheduled_session_events_email` in the transaction that appends each audit
//! event, while `email_settings` says email is on), `email_opt_outs`, `email_links` (digests of
//! the opt-out links sent) and `password_resets`.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sensei_core::ports::{EmailAttempt, EmailStore, FoundReset, LeasedEmail, LinkDigest};
use sensei_core::{
    EmailKind, EventKind, NextStep, RepositoryError, ResetRequest, ScheduledSessionId,
    SessionEvent, SessionState, UserId,
};

use super::email_lease::{EmailLeaseConn, PENDING};
use crate::db::{with_conn, with_write_conn, Database, WriteConn};
use crate::error::Fail;
use crate::schema::{
    auth_sessions, email_deliveries as emails, email_links, email_opt_outs, email_settings,
    password_resets as resets, scheduled_session_events as events, user_preferences, users,
};
use crate::timestamp::SqlaTimestamp;

/// The email tables of a database.
#[derive(Debug, Clone)]
pub struct DieselEmail {
    db: Database,
}

impl Database {
    /// The email outbox, opt-outs and reset requests.
    pub fn email(&self) -> DieselEmail {
        DieselEmail { db: self.clone() }
    }
}

/// An outbox row: id, kind, event, reset, recipient, attempts, created.
type EmailRow = (
    i64,
    String,
    Option<i32>,
    Option<i64>,
    i32,
    i32,
    SqlaTimestamp,
);

/// An event row: id, session, occurred, actor, kind, from, to, detail.
type EventRow = (
    i32,
    i32,
    SqlaTimestamp,
    Option<i32>,
    String,
    Option<String>,
    String,
    Option<String>,
);

/// What a lease read, before conversion.
struct Leased {
    rows: Vec<EmailRow>,
    emails: HashMap<i32, (String, bool)>,
    opted_out: Vec<i32>,
    /// The recipients' chosen time zones.
    zones: Vec<(i32, Option<String>)>,
    events: Vec<EventRow>,
    resets: Vec<(i64, SqlaTimestamp, Option<SqlaTimestamp>)>,
}

fn corrupt(what: &str, value: &str) -> RepositoryError {
    RepositoryError::Internal(format!(
        "an email outbox row has an unreadable {what} {value:?}"
    ))
}

fn event(
    row: &EventRow,
    emails: &HashMap<i32, (String, bool)>,
) -> Result<SessionEvent, RepositoryError> {
    let (_, session_id, occurred_at, actor, kind, from_state, to_state, detail) = row;
    Ok(SessionEvent {
        session_id: ScheduledSessionId(*session_id),
        occurred_at: occurred_at.utc(),
        actor: actor.map(UserId),
        actor_email: actor.and_then(|actor| emails.get(&actor).map(|(email, _)| email.clone())),
        kind: EventKind::parse(kind).ok_or_else(|| corrupt("event kind", kind))?,
        from_state: match from_state {
            Some(raw) => Some(SessionState::parse(raw).ok_or_else(|| corrupt("state", raw))?),
            None => None,
        },
        to_state: SessionState::parse(to_state).ok_or_else(|| corrupt("state", to_state))?,
        detail: detail.clone(),
    })
}

impl Leased {
    fn into_emails(self) -> Result<Vec<LeasedEmail>, RepositoryError> {
        let mut leased = Vec::with_capacity(self.rows.len());
        for (id, kind, event_id, reset_id, recipient, attempts, created_at) in &self.rows {
            let kind = EmailKind::parse(kind).ok_or_else(|| corrupt("kind", kind))?;
            let event = match event_id {
                Some(event_id) => self
                    .events
                    .iter()
                    .find(|row| row.0 == *event_id)
                    .map(|row| event(row, &self.emails))
                    .transpose()?,
                None => None,
            };
            let reset = reset_id.and_then(|reset_id| {
                self.resets.iter().find(|row| row.0 == reset_id).map(
                    |(_, requested_at, used_at)| {
                        (
                            reset_id,
                            ResetRequest {
                                requested_at: requested_at.utc(),
                                used_at: used_at.map(SqlaTimestamp::utc),
                            },
                        )
                    },
                )
            });
            leased.push(LeasedEmail {
                email_id: *id,
                kind,
                recipient: UserId(*recipient),
                // A disabled account gets no email; a removed one has no address.
                recipient_email: self
                    .emails
                    .get(recipient)
                    .filter(|(_, disabled)| !disabled)
                    .map(|(email, _)| email.clone()),
                opted_out: self.opted_out.contains(recipient),
                recipient_time_zone: self
                    .zones
                    .iter()
                    .find(|(user, _)| user == recipient)
                    .and_then(|(_, zone)| zone.clone()),
                event,
                reset,
                attempts: u32::try_from(*attempts).unwrap_or(0),
                created_at: created_at.utc(),
            });
        }
        Ok(leased)
    }
}

/// The outcome label stored for a closed row.
fn status(attempt: &EmailAttempt) -> Option<&'static str> {
    match (attempt.skipped, attempt.next) {
        (Some(_), _) => Some("skipped"),
        (None, NextStep::Delivered) => Some("sent"),
        (None, NextStep::GaveUp) => Some("failed"),
        (None, NextStep::RetryAt(_)) => None,
    }
}

#[async_trait]
impl EmailStore for DieselEmail {
    async fn keep_enabled(&self, until: DateTime<Utc>) -> Result<(), RepositoryError> {
        let until = SqlaTimestamp::from(until);
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                diesel::update(email_settings::table.filter(email_settings::id.eq(1)))
                    .set(email_settings::enabled_until.eq(Some(until)))
                    .execute(conn)?;
                Ok(())
            })
        })
    }

    async fn lease_due(
        &self,
        owner: String,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<LeasedEmail>, RepositoryError> {
        let (now, until) = (SqlaTimestamp::from(now), SqlaTimestamp::from(until));
        let leased = with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                let ids = conn.due_email_ids(now, i64::from(limit))?;
                if ids.is_empty() {
                    return Ok(None);
                }
                diesel::update(emails::table.filter(emails::id.eq_any(&ids)))
                    .set((
                        emails::leased_until.eq(Some(until)),
                        emails::lease_owner.eq(Some(&owner)),
                    ))
                    .execute(conn)?;
                let rows: Vec<EmailRow> = emails::table
                    .filter(emails::id.eq_any(&ids))
                    .order((emails::next_attempt_at.asc(), emails::id.asc()))
                    .select((
                        emails::id,
                        emails::kind,
                        emails::event_id,
                        emails::reset_id,
                        emails::recipient_id,
                        emails::attempts,
                        emails::created_at,
                    ))
                    .load(conn)?;
                let event_ids: Vec<i32> = rows.iter().filter_map(|row| row.2).collect();
                let reset_ids: Vec<i64> = rows.iter().filter_map(|row| row.3).collect();
                let events: Vec<EventRow> = events::table
                    .filter(events::id.eq_any(&event_ids))
                    .select((
                        events::id,
                        events::session_id,
                        events::occurred_at,
                        events::actor_id,
                        events::kind,
                        events::from_state,
                        events::to_state,
                        events::detail,
                    ))
                    .load(conn)?;
                let mut people: Vec<i32> = rows.iter().map(|row| row.4).collect();
                people.extend(events.iter().filter_map(|row| row.3));
                let found: Vec<(i32, String, Option<SqlaTimestamp>)> = users::table
                    .filter(users::id.eq_any(&people))
                    .select((users::id, users::email, users::disabled_at))
                    .load(conn)?;
                let opted_out: Vec<i32> = email_opt_outs::table
                    .filter(email_opt_outs::user_id.eq_any(&people))
                    .select(email_opt_outs::user_id)
                    .load(conn)?;
                let zones: Vec<(i32, Option<String>)> = user_preferences::table
                    .filter(user_preferences::user_id.eq_any(&people))
                    .select((user_preferences::user_id, user_preferences::time_zone))
                    .load(conn)?;
                let resets = resets::table
                    .filter(resets::id.eq_any(&reset_ids))
                    .select((resets::id, resets::requested_at, resets::used_at))
                    .load(conn)?;
                Ok::<_, Fail>(Some(Leased {
                    rows,
                    emails: found
                        .into_iter()
                        .map(|(id, email, disabled)| (id, (email, disabled.is_some())))
                        .collect(),
                    opted_out,
                    zones,
                    events,
                    resets,
                }))
            })
        })?;
        leased.map_or(Ok(Vec::new()), Leased::into_emails)
    }

    async fn save_links(
        &self,
        links: Vec<LinkDigest>,
        at: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        let at = SqlaTimestamp::from(at);
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                for link in &links {
                    match link {
                        LinkDigest::Unsubscribe { user, digest } => {
                            diesel::insert_into(email_links::table)
                                .values((
                                    email_links::digest.eq(digest),
                                    email_links::user_id.eq(user.get()),
                                    email_links::created_at.eq(at),
                                ))
                                .on_conflict_do_nothing()
                                .execute(conn)?;
                        }
                        LinkDigest::Reset { request_id, digest } => {
                            diesel::update(resets::table.find(*request_id))
                                .set(resets::token_digest.eq(Some(digest)))
                                .execute(conn)?;
                        }
                    }
                }
                Ok(())
            })
        })
    }

    async fn record(&self, attempts: Vec<EmailAttempt>) -> Result<(), RepositoryError> {
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                for attempt in &attempts {
                    let at = SqlaTimestamp::from(attempt.attempted_at);
                    let mine = emails::table
                        .filter(emails::id.eq(attempt.email_id))
                        .filter(emails::lease_owner.eq(attempt.owner.as_str()))
                        .filter(emails::status.eq(PENDING));
                    let error = attempt
                        .skipped
                        .map(|skip| skip.label().to_owned())
                        .or_else(|| attempt.error.clone());
                    let next_at = match attempt.next {
                        NextStep::RetryAt(next) => SqlaTimestamp::from(next),
                        _ => at,
                    };
                    diesel::update(mine)
                        .set((
                            emails::attempts.eq(emails::attempts + 1),
                            emails::leased_until.eq(None::<SqlaTimestamp>),
                            emails::lease_owner.eq(None::<String>),
                            emails::status.eq(status(attempt).unwrap_or(PENDING)),
                            emails::next_attempt_at.eq(next_at),
                            emails::finished_at.eq(status(attempt).map(|_| at)),
                            emails::last_error.eq(error),
                        ))
                        .execute(conn)?;
                }
                Ok(())
            })
        })
    }

    async fn opt_out(
        &self,
        digest: String,
        at: DateTime<Utc>,
    ) -> Result<Option<UserId>, RepositoryError> {
        let at = SqlaTimestamp::from(at);
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                let user: Option<i32> = email_links::table
                    .find(&digest)
                    .select(email_links::user_id)
                    .first(conn)
                    .optional()?;
                if let Some(user) = user {
                    diesel::insert_into(email_opt_outs::table)
                        .values((
                            email_opt_outs::user_id.eq(user),
                            email_opt_outs::opted_out_at.eq(at),
                        ))
                        .on_conflict_do_nothing()
                        .execute(conn)?;
                }
                Ok(user.map(UserId))
            })
        })
    }

    async fn request_reset(
        &self,
        email: String,
        at: DateTime<Utc>,
    ) -> Result<bool, RepositoryError> {
        let at = SqlaTimestamp::from(at);
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                let user: Option<i32> = users::table
                    .filter(users::email.eq(&email))
                    .filter(users::disabled_at.is_null())
                    .select(users::id)
                    .first(conn)
                    .optional()?;
                let Some(user) = user else {
                    return Ok(false);
                };
                let reset: i64 = diesel::insert_into(resets::table)
                    .values((resets::user_id.eq(user), resets::requested_at.eq(at)))
                    .returning(resets::id)
                    .get_result(conn)?;
                diesel::insert_into(emails::table)
                    .values((
                        emails::kind.eq(EmailKind::PasswordReset.as_str()),
                        emails::reset_id.eq(Some(reset)),
                        emails::recipient_id.eq(user),
                        emails::created_at.eq(at),
                        emails::next_attempt_at.eq(at),
                    ))
                    .execute(conn)?;
                Ok(true)
            })
        })
    }

    async fn find_reset(&self, digest: String) -> Result<Option<FoundReset>, RepositoryError> {
        let row: Option<(i64, i32, SqlaTimestamp, Option<SqlaTimestamp>)> =
            with_conn!(self.db, |conn| {
                Ok::<_, Fail>(
                    resets::table
                        .inner_join(users::table.on(users::id.eq(resets::user_id)))
                        .filter(resets::token_digest.eq(&digest))
                        .filter(users::disabled_at.is_null())
                        .select((
                            resets::id,
                            resets::user_id,
                            resets::requested_at,
                            resets::used_at,
                        ))
                        .first(conn)
                        .optional()?,
                )
            })?;
        Ok(
            row.map(|(request_id, user, requested_at, used_at)| FoundReset {
                request_id,
                user: UserId(user),
                request: ResetRequest {
                    requested_at: requested_at.utc(),
                    used_at: used_at.map(SqlaTimestamp::utc),
                },
            }),
        )
    }

    async fn complete_reset(
        &self,
        request_id: i64,
        hash: String,
        at: DateTime<Utc>,
    ) -> Result<bool, RepositoryError> {
        let at = SqlaTimestamp::from(at);
        with_write_conn!(self.db, |conn| {
            conn.write_transaction(|conn| {
                let user: Option<i32> = diesel::update(
                    resets::table
                        .find(request_id)
                        .filter(resets::used_at.is_null()),
                )
                .set(resets::used_at.eq(Some(at)))
                .returning(resets::user_id)
                .get_result(conn)
                .optional()?;
                let Some(user) = user else {
                    return Ok(false);
                };
                diesel::update(users::table.find(user).filter(users::disabled_at.is_null()))
                    .set(users::password_hash.eq(&hash))
                    .execute(conn)?;
                diesel::delete(auth_sessions::table.filter(auth_sessions::user_id.eq(user)))
                    .execute(conn)?;
                Ok(true)
            })
        })
    }
}
