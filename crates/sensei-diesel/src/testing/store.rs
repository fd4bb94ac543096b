//! Helpers that act on a test database: a statement on the pool's own connection, and the
//! seed's "complete it if still pending" as one compare-and-set.

use crate::Database;

/// Runs one SQL statement on a connection of `database`'s own pool (for per-connection
/// settings such as SQLite's `PRAGMA max_page_count`; give the database a one-connection pool
/// so that the statement and the next call share the connection).
///
/// # Errors
/// The statement's failure, mapped as every call's.
pub async fn execute_on_pool(
    database: &Database,
    sql: &str,
) -> Result<(), sensei_core::RepositoryError> {
    use diesel::connection::SimpleConnection;
    let sql = sql.to_owned();
    crate::db::with_conn!(database, |conn| {
        conn.batch_execute(&sql)?;
        Ok(())
    })
}

/// What [`CompleteIfPending::complete_if_pending`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompleteOutcome {
    /// The session was pending and is now completed.
    Completed(sensei_core::ScheduledSession),
    /// It was not pending (any more); as it is now.
    AlreadyCompleted(sensei_core::ScheduledSession),
    /// No such session.
    NotFound,
}

/// The seed's completion ("complete it if it is still pending, first one wins") as one
/// compare-and-set through [`sensei_core::ports::ScheduledSessionRepository::transition`],
/// for adapter tests that exercise the store without the service's rules.
#[async_trait::async_trait]
pub trait CompleteIfPending {
    /// Completes session `id` with `completion` if its stored lifecycle is pending.
    ///
    /// # Errors
    /// The store's failures.
    async fn complete_if_pending(
        &self,
        id: sensei_core::ScheduledSessionId,
        completion: sensei_core::Completion,
    ) -> Result<CompleteOutcome, sensei_core::RepositoryError>;
}

#[async_trait::async_trait]
impl CompleteIfPending for std::sync::Arc<dyn sensei_core::ports::ScheduledSessionRepository> {
    async fn complete_if_pending(
        &self,
        id: sensei_core::ScheduledSessionId,
        completion: sensei_core::Completion,
    ) -> Result<CompleteOutcome, sensei_core::RepositoryError> {
        use sensei_core::ports::TransitionOutcome;
        use sensei_core::{EventKind, NewSessionEvent, SessionLifecycle, SessionState};
        let event = NewSessionEvent {
            session_id: id,
            occurred_at: completion.completed_at,
            actor: completion.completed_by,
            kind: EventKind::Completed,
            from_state: Some(SessionState::Pending),
            to_state: SessionState::Completed,
            detail: None,
        };
        let outcome = self
            .transition(
                id,
                SessionLifecycle::Pending,
                SessionLifecycle::Completed(completion),
                event,
                None,
            )
            .await?;
        Ok(match outcome {
            TransitionOutcome::Applied(session) => CompleteOutcome::Completed(session),
            TransitionOutcome::NotFound => CompleteOutcome::NotFound,
            TransitionOutcome::Changed | TransitionOutcome::ClaimLimitReached { .. } => {
                match self.get(id).await? {
                    Some(entry) => CompleteOutcome::AlreadyCompleted(entry.session),
                    None => CompleteOutcome::NotFound,
                }
            }
        })
    }
}
