//! Where open sessions stand in the queue and how long they will probably wait: positions
//! are counted in the store (one count per pending session), the wait model is built from
//! the last [`crate::domain::WAIT_HISTORY_DAYS`] days of history and kept for [`WAIT_MODEL_REFRESH`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};

use crate::domain::{
    wait_history_window, QueuePlace, Reader, Role, ScheduledSessionId, SessionQuery, SessionState,
    StatusFilter, WaitModel,
};
use crate::error::{QueryError, RepositoryError, Resource};
use crate::ports::{NoWaitHistory, WaitHistory};

use super::SenseiService;

/// How long a wait model is reused before the history is read again: estimates move with
/// the queue's recent pace, not with every request, and a page load costs no history read.
pub const WAIT_MODEL_REFRESH: Duration = Duration::minutes(1);

/// The most open sessions of one page that get a place (one count each): a student has at
/// most the policy's open-session limit, so this bounds only data written around the rules.
pub const MAX_PLACES_PER_PAGE: usize = 10;

/// A session whose place is asked for: its id, its state now and when it was booked.
pub(crate) type OpenSession = (ScheduledSessionId, SessionState, DateTime<Utc>);

/// A built wait model with the instant it was built at.
type KeptModel = (DateTime<Utc>, Arc<WaitModel>);

/// The wait history and the model last built from it.
#[derive(Clone)]
pub(crate) struct WaitEstimator {
    history: Arc<dyn WaitHistory>,
    kept: Arc<Mutex<Option<KeptModel>>>,
}

impl Default for WaitEstimator {
    fn default() -> Self {
        WaitEstimator::new(Arc::new(NoWaitHistory))
    }
}

impl WaitEstimator {
    /// An estimator over this history, with no model built yet.
    pub(crate) fn new(history: Arc<dyn WaitHistory>) -> Self {
        WaitEstimator {
            history,
            kept: Arc::new(Mutex::new(None)),
        }
    }

    /// The model as of `now`: the kept one while younger than [`WAIT_MODEL_REFRESH`] (and
    /// not from the future, as after a clock step back), else one built from the history.
    async fn model(&self, now: DateTime<Utc>) -> Result<Arc<WaitModel>, RepositoryError> {
        if let Some((built, model)) = self.kept_model() {
            if built <= now && now - built < WAIT_MODEL_REFRESH {
                return Ok(model);
            }
        }
        let (since, until) = wait_history_window(now);
        let entries = self.history.wait_history(since, until).await?;
        let model = Arc::new(WaitModel::from_history(&entries, now));
        // Two requests may build at once after a refresh: both models are equal, either is kept.
        *self.kept.lock().unwrap_or_else(PoisonError::into_inner) = Some((now, model.clone()));
        Ok(model)
    }

    fn kept_model(&self) -> Option<KeptModel> {
        self.kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl SenseiService {
    /// This service with a wait history to estimate waits from (else every estimate is "no
    /// estimate yet": [`NoWaitHistory`]).
    pub fn with_wait_history(self, history: Arc<dyn WaitHistory>) -> Self {
        Self {
            waits: WaitEstimator::new(history),
            ..self
        }
    }

    /// The places of open sessions at `now`: the first [`MAX_PLACES_PER_PAGE`] of them, each
    /// pending one counted in one statement; closed sessions have none.
    pub(crate) async fn places(
        &self,
        sessions: &[OpenSession],
        now: DateTime<Utc>,
    ) -> Result<HashMap<ScheduledSessionId, QueuePlace>, RepositoryError> {
        let open: Vec<&OpenSession> = sessions
            .iter()
            .filter(|(_, state, _)| matches!(state, SessionState::Pending | SessionState::Claimed))
            .take(MAX_PLACES_PER_PAGE)
            .collect();
        let mut places = HashMap::new();
        if open.is_empty() {
            return Ok(places);
        }
        let model = self.waits.model(now).await?;
        for &&(id, state, booked_at) in &open {
            let earlier = match state {
                SessionState::Pending => self.pending_booked_before(booked_at, now).await?,
                _ => 0,
            };
            if let Some(place) = QueuePlace::of(state, earlier, &model, now) {
                places.insert(id, place);
            }
        }
        Ok(places)
    }

    async fn pending_booked_before(
        &self,
        booked_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64, RepositoryError> {
        let query = SessionQuery {
            status: StatusFilter::Pending,
            scheduled_before: Some(booked_at),
            as_of: Some(now),
            ..SessionQuery::default()
        };
        self.ports.sessions.count(&query).await
    }

    /// Where session `id` stands now: `Ok(None)` once it is closed. Students may ask only
    /// about their own sessions; instructors and the embedding platform about any.
    ///
    /// # Errors
    /// [`QueryError::NotFound`] for an unknown session, [`QueryError::Forbidden`] for a
    /// student asking about someone else's, [`QueryError::Repository`] when a store fails.
    pub async fn queue_place(
        &self,
        reader: impl Into<Reader>,
        id: ScheduledSessionId,
    ) -> Result<Option<QueuePlace>, QueryError> {
        let reader = reader.into();
        let entry = self.existing_session(id).await?;
        if let Reader::Actor(actor) = reader {
            if actor.role == Role::Student && entry.session.user_id != actor.user_id {
                return Err(QueryError::Forbidden(Resource::ScheduledSession));
            }
        }
        let now = self.ports.clock.now();
        let session = (id, entry.session.state_at(now), entry.session.scheduled_at);
        Ok(self.places(&[session], now).await?.remove(&id))
    }
}
