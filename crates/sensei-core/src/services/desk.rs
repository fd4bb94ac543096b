//! The instructor's desk: presence (who is on duty, and what each holds) and "my challenges"
//! (the challenges an instructor mentors, which their dashboard and live stream default to).
//!
//! A service of its own (not part of [`super::SenseiService`]): an embedder that renders no
//! dashboard needs none of it ([`crate::ports::NoDesk`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};

use crate::domain::{
    checked_choice, is_on_duty, on_duty_since, presence_write_due, Actor, ChallengeChoice,
    ChallengeId, OnDuty, UserId, MAX_CHALLENGE_CHOICES,
};
use crate::error::DeskError;
use crate::ports::{Clock, DeskStore};

/// At most this many holdings are listed on duty (one page: the policy caps an instructor's
/// live claims, and a desk seldom has more than a handful of instructors).
pub const ON_DUTY_HOLDINGS: u32 = 200;

/// The memo forgets instructors not seen for this many entries' worth of growth: past this
/// size, entries older than the write interval are dropped (they would write anyway).
const MEMO_PRUNE_AT: usize = 4096;

/// The desk's use cases over a [`DeskStore`]. Cheap to clone; clones share the presence
/// memo.
#[derive(Clone)]
pub struct Desk {
    store: Arc<dyn DeskStore>,
    clock: Arc<dyn Clock>,
    /// When this process last wrote each instructor's presence: most requests find a write
    /// within the last minute here and touch no database ([`presence_write_due`]).
    memo: Arc<Mutex<HashMap<UserId, DateTime<Utc>>>>,
}

impl Desk {
    /// The service over these ports.
    pub fn new(store: Arc<dyn DeskStore>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            memo: Arc::default(),
        }
    }

    /// Notes that the actor is active now (a page load, an API call, an open stream).
    /// Students are not on duty: nothing is written for them. For instructors, at most one
    /// write a minute per process ([`presence_write_due`]); returns whether one was made.
    /// A failed write is not retried before the next minute, so an outage costs one
    /// attempt a minute per instructor, not one per request.
    ///
    /// # Errors
    /// [`DeskError::Repository`] when the write fails (callers log it: presence never
    /// fails a page).
    pub async fn touch(&self, actor: Actor) -> Result<bool, DeskError> {
        let Some(at) = self.presence_due(actor) else {
            return Ok(false);
        };
        self.record_presence(actor, at).await?;
        Ok(true)
    }

    /// The first half of [`Desk::touch`], without waiting for anything: `Some(now)` when a
    /// presence write is due for `actor` (an instructor not written in the last minute by
    /// this process), and from then on the memo counts it as made. The caller then runs
    /// [`Desk::record_presence`], in the background when a request must not wait for the
    /// database (a locked store would otherwise slow every page of the instructor).
    pub fn presence_due(&self, actor: Actor) -> Option<DateTime<Utc>> {
        if !actor.is_instructor() {
            return None;
        }
        let now = self.clock.now();
        self.claim_write(actor.user_id, now).then_some(now)
    }

    /// Writes `actor`'s presence at `at` (the instant [`Desk::presence_due`] returned).
    ///
    /// # Errors
    /// [`DeskError::Repository`] when the write fails.
    pub async fn record_presence(&self, actor: Actor, at: DateTime<Utc>) -> Result<(), DeskError> {
        self.store.record_presence(actor.user_id, at).await?;
        Ok(())
    }

    /// Decides, under the memo's lock, whether this request writes; if so, marks the write
    /// as made so concurrent requests of the same instructor do not write too.
    fn claim_write(&self, user: UserId, now: DateTime<Utc>) -> bool {
        let mut memo = self.memo.lock().unwrap_or_else(PoisonError::into_inner);
        if !presence_write_due(memo.get(&user).copied(), now) {
            return false;
        }
        if memo.len() >= MEMO_PRUNE_AT {
            memo.retain(|_, last| !presence_write_due(Some(*last), now));
        }
        memo.insert(user, now);
        true
    }

    /// The instructors on duty now (seen in the last five minutes) and what each holds.
    ///
    /// # Errors
    /// [`DeskError::Forbidden`] unless an instructor; [`DeskError::Repository`].
    pub async fn on_duty(&self, actor: Actor) -> Result<Vec<OnDuty>, DeskError> {
        if !actor.is_instructor() {
            return Err(DeskError::Forbidden);
        }
        let now = self.clock.now();
        let mut listed = self
            .store
            .on_duty(on_duty_since(now), now, ON_DUTY_HOLDINGS)
            .await?;
        // The store selects by the same instant; this keeps the rule in one place even for
        // a store that rounds.
        listed.retain(|instructor| is_on_duty(instructor.last_seen, now));
        Ok(listed)
    }

    /// The challenges the actor mentors (empty: none chosen, so every challenge).
    /// Students mentor none.
    ///
    /// # Errors
    /// [`DeskError::Repository`].
    pub async fn my_challenges(&self, actor: Actor) -> Result<Vec<ChallengeId>, DeskError> {
        if !actor.is_instructor() {
            return Ok(Vec::new());
        }
        Ok(self.store.chosen_challenges(actor.user_id).await?)
    }

    /// Every challenge, marked when the actor chose it (the "my challenges" form).
    ///
    /// # Errors
    /// [`DeskError::Forbidden`] unless an instructor; [`DeskError::Repository`].
    pub async fn challenge_choices(&self, actor: Actor) -> Result<Vec<ChallengeChoice>, DeskError> {
        if !actor.is_instructor() {
            return Err(DeskError::Forbidden);
        }
        Ok(self
            .store
            .challenge_choices(actor.user_id, choice_limit())
            .await?)
    }

    /// Replaces the actor's choice with the challenges `sent` names (none: every challenge)
    /// and returns the choice now in force, ascending.
    ///
    /// # Errors
    /// [`DeskError::Forbidden`] unless an instructor; [`DeskError::TooManyChallenges`] or
    /// [`DeskError::UnknownChallenge`] (nothing saved); [`DeskError::Repository`].
    pub async fn choose_challenges(
        &self,
        actor: Actor,
        sent: &[ChallengeId],
    ) -> Result<Vec<ChallengeId>, DeskError> {
        if !actor.is_instructor() {
            return Err(DeskError::Forbidden);
        }
        if sent.len() > MAX_CHALLENGE_CHOICES {
            return Err(DeskError::TooManyChallenges(MAX_CHALLENGE_CHOICES));
        }
        let offered = self
            .store
            .challenge_choices(actor.user_id, choice_limit())
            .await?;
        let chosen = checked_choice(sent, &offered).map_err(DeskError::UnknownChallenge)?;
        self.store
            .choose_challenges(actor.user_id, chosen.clone())
            .await?;
        Ok(chosen)
    }
}

fn choice_limit() -> u32 {
    u32::try_from(MAX_CHALLENGE_CHOICES).unwrap_or(u32::MAX)
}
