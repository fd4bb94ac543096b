//! Calendar feeds: an instructor's secret, revocable feed of the sessions they hold.
//!
//! Kept apart from [`super::SenseiService`]: it runs on its own store
//! ([`CalendarFeedRepository`]) and a random source, which embedders that offer no feeds do
//! not have to provide.

use std::sync::Arc;

use chrono::Duration;

use crate::domain::{
    Actor, CalendarFeed, FeedToken, HeldSession, ListOrder, PageRequest, PageSize, Policy,
    SessionQuery, StatusFilter, MAX_PAGE_SIZE,
};
use crate::error::CalendarError;
use crate::ports::{CalendarFeedRepository, Clock, RandomSource, ScheduledSessionRepository};

/// At most this many pages of held sessions are read for one feed (an instructor's live
/// claims are capped by the policy at 100, one page; this only bounds a misconfigured store).
const MAX_FEED_PAGES: u32 = 10;

/// The calendar feed use cases. Cheap to clone (it holds `Arc`s).
#[derive(Clone)]
pub struct CalendarFeeds {
    feeds: Arc<dyn CalendarFeedRepository>,
    sessions: Arc<dyn ScheduledSessionRepository>,
    random: Arc<dyn RandomSource>,
    clock: Arc<dyn Clock>,
    claim_time: Duration,
    meetings: Arc<dyn crate::ports::MeetingStore>,
}

impl CalendarFeeds {
    /// Feeds kept in `feeds`, listing sessions from `sessions`, with secrets from `random`,
    /// under `policy` (its claim time dates each hold's start).
    pub fn new(
        feeds: Arc<dyn CalendarFeedRepository>,
        sessions: Arc<dyn ScheduledSessionRepository>,
        random: Arc<dyn RandomSource>,
        clock: Arc<dyn Clock>,
        policy: &Policy,
    ) -> Self {
        Self {
            feeds,
            sessions,
            random,
            clock,
            claim_time: policy.claim_time(),
            meetings: Arc::new(crate::ports::NoMeetings),
        }
    }

    /// Makes a new feed secret for the instructor and returns it (the only time it is seen:
    /// the store keeps its digest). Their previous feed, if any, stops working at once.
    ///
    /// # Errors
    /// [`CalendarError::Forbidden`] unless an instructor; [`CalendarError::Repository`] when
    /// no randomness is available or the store fails.
    pub async fn new_link(&self, actor: Actor) -> Result<FeedToken, CalendarError> {
        if !actor.is_instructor() {
            return Err(CalendarError::Forbidden);
        }
        let token = FeedToken::from_random(self.random.feed_secret()?);
        self.feeds
            .replace(actor.user_id, token.hash(), self.clock.now())
            .await?;
        Ok(token)
    }

    /// These feeds with the meeting details given with claims (else none:
    /// [`crate::ports::NoMeetings`]), shown in each held session's event.
    pub fn with_meetings(self, meetings: Arc<dyn crate::ports::MeetingStore>) -> Self {
        Self { meetings, ..self }
    }

    /// The feed whose secret is `token` (as the address carries it): every session its
    /// instructor holds under a live claim now, oldest booking first, each with the span of
    /// its hold.
    ///
    /// A feed answers only while its owner is an instructor: the owner's role is read at
    /// each request, so a demoted instructor's link stops at once (it would otherwise keep
    /// showing students' emails to someone who may no longer see them).
    ///
    /// # Errors
    /// [`CalendarError::UnknownFeed`] when the text is not a well-formed secret, no current
    /// feed has it (never issued, or replaced by a newer link) or its owner is no longer an
    /// instructor (told apart from an unknown secret nowhere, so the address reveals
    /// nothing); [`CalendarError::Repository`].
    pub async fn feed(&self, token: &str) -> Result<CalendarFeed, CalendarError> {
        let token = FeedToken::parse(token).ok_or(CalendarError::UnknownFeed)?;
        let owner = self
            .feeds
            .owner_of(&token.hash())
            .await?
            .filter(Actor::is_instructor)
            .ok_or(CalendarError::UnknownFeed)?;
        let instructor = owner.user_id;
        let as_of = self.clock.now();
        let query = SessionQuery {
            status: StatusFilter::Claimed,
            claimed_by: Some(instructor),
            as_of: Some(as_of),
            order: ListOrder::OldestFirst,
            ..SessionQuery::default()
        };
        let mut sessions = Vec::new();
        let mut page = PageRequest {
            size: PageSize::new(MAX_PAGE_SIZE).unwrap_or_default(),
            after: None,
        };
        for _ in 0..MAX_FEED_PAGES {
            let read = self.sessions.list(&query, page).await?;
            sessions.extend(read.items.into_iter().filter_map(|entry| {
                let claim = entry.session.live_claim_at(as_of).copied()?;
                (claim.holder == instructor).then(|| HeldSession {
                    held_from: claim.expires_at - self.claim_time,
                    held_until: claim.expires_at,
                    meeting: None,
                    entry,
                })
            }));
            match read.next {
                Some(next) => page.after = Some(next),
                None => break,
            }
        }
        if !sessions.is_empty() {
            let ids = sessions.iter().map(|held| held.entry.session.id).collect();
            let stored = self.meetings.meetings(ids).await?;
            for held in &mut sessions {
                held.meeting = stored
                    .iter()
                    .filter(|meeting| meeting.session_id == held.entry.session.id)
                    .find_map(|meeting| meeting.shown_for(Some(instructor)))
                    .cloned();
            }
        }
        Ok(CalendarFeed {
            instructor,
            as_of,
            sessions,
        })
    }
}
