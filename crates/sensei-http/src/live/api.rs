//! `GET /api/v1/events`: the live stream (Server-Sent Events), in the OpenAPI document.
//! Replays from the table what a reconnecting client missed (`Last-Event-ID`), then follows
//! the hub ([`super::hub`]) without loss or duplicates.

use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, BoxStream};
use futures_util::StreamExt;
use poem::Request;
use poem_openapi::param::{Header, Query};
use poem_openapi::payload::EventStream;
use poem_openapi::OpenApi;
use sensei_core::ports::EventFeed;
use sensei_core::{Actor, ChallengeId, RepositoryError, Viewer};
use tokio::sync::broadcast;

use super::body::LiveEventBody;
use super::hooks::{my_challenges_default, note_stream_activity, PRESENCE_EVERY};
use super::hub::{LiveHub, OpenError, StreamSlot, READ_PAGE};
use super::shared::SharedEvent;
use crate::api::error::{ErrorStatuses, Problem};
use crate::api::security::ApiAuth;
use crate::api::{require_user, ApiTags};
use crate::error::AppError;
use crate::state::AppState;

/// An SSE comment line this often keeps proxies from closing an idle stream.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// Events one connection replays at most; a client further behind gets them, then the stream
/// ends and the client resumes from the last id it got (bounded memory per connection).
pub const REPLAY_MAX: usize = 1000;

/// Seconds a refused client is told to wait (`Retry-After`).
pub const REFUSED_RETRY_SECS: u64 = 5;

/// `GET /events`.
pub struct LiveErrors;

impl ErrorStatuses for LiveErrors {
    const STATUSES: &'static [u16] = &[400, 401, 403, 429, 503];
}

/// The stream of one response.
pub type LiveStream = EventStream<BoxStream<'static, LiveEventBody>>;

/// The live stream's operation.
pub struct LiveApi;

#[OpenApi]
impl LiveApi {
    /// Live events
    ///
    /// Server-Sent Events from the audit trail, for any signed-in role. Each event has the
    /// audit trail's id as its SSE `id:`. Instructors get `event: session` with
    /// `{"id","type","session_id","occurred_at","to_state","challenge_id"}` for every
    /// session (or the `challenge` ids given); students get their own sessions' events in
    /// that form (without `challenge_id`) and, for other students' sessions, `event: queue`
    /// with only `{"id","type"}`. A comment line comes every 15 s when idle. Reconnect with
    /// the `Last-Event-ID` header (browsers do) or `last_event_id` to get every event
    /// committed meanwhile, once each. At most 8 streams per account are open at once by
    /// default (the next one is answered 429 `rate_limited`); a client too slow to keep up is
    /// disconnected and resumes by id.
    #[oai(
        path = "/events",
        method = "get",
        operation_id = "streamLiveEvents",
        tag = "ApiTags::ScheduledSessions"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn events(
        &self,
        req: &Request,
        _auth: ApiAuth,
        state: poem::web::Data<&AppState>,
        /// Only these challenges (instructors; repeatable). Default: the instructor's
        /// challenges when chosen, else all.
        challenge: Query<Vec<i32>>,
        /// `1`: every challenge, whatever the instructor's default.
        all: Query<Option<String>>,
        /// Resume after this event id (as the `Last-Event-ID` header; the header wins).
        last_event_id: Query<Option<i64>>,
        /// Resume after this event id (sent by browsers on reconnection).
        #[oai(name = "Last-Event-ID")]
        last_event_id_header: Header<Option<i64>>,
    ) -> Result<LiveStream, Problem<LiveErrors>> {
        let user = require_user(req).await?;
        let actor = user.actor();
        let hub = req.data::<LiveHub>().ok_or_else(|| {
            AppError::from(RepositoryError::Unavailable(
                "the live stream is not running in this process".to_owned(),
            ))
        })?;
        let all = match all.0.as_deref() {
            None | Some("0" | "false") => false,
            Some("1" | "true") => true,
            Some(other) => {
                return Err(AppError::bad_request(format!(
                    "`all` must be 1 (every challenge) or 0, not {other:?}"
                ))
                .into())
            }
        };
        let challenges = if !challenge.0.is_empty() {
            Some(challenge.0.iter().copied().map(ChallengeId).collect())
        } else if all {
            None
        } else {
            my_challenges_default(&state, actor).await
        };
        let viewer = Viewer::of(actor, challenges);
        let subscription = hub.subscribe(actor.user_id).map_err(refusal)?;
        note_stream_activity(&state, actor).await;
        let after = last_event_id_header.0.or(last_event_id.0);
        let (replayed, caught_up) = match after {
            Some(after) => {
                replay(hub.feed().as_ref(), &viewer, after, subscription.watermark).await?
            }
            None => (Vec::new(), true),
        };
        let presence = actor.is_instructor().then(|| Presence {
            state: (*state).clone(),
            actor,
            every: presence_ticks(),
        });
        let live = Live {
            receiver: subscription.receiver,
            presence,
            viewer,
            after: after.unwrap_or(i64::MIN).max(subscription.watermark),
            _slot: subscription.slot,
            caught_up,
        };
        let items = stream::iter(replayed).chain(stream::unfold(live, Live::next));
        Ok(EventStream::new(items.boxed())
            .keep_alive(HEARTBEAT)
            .to_event(LiveEventBody::to_event))
    }
}

/// A refusal as the API answers it.
fn refusal(error: OpenError) -> AppError {
    match error {
        OpenError::Refused(why) => {
            let mut error = AppError::rate_limited(Duration::from_secs(REFUSED_RETRY_SECS));
            error.message = why.to_string();
            error
        }
        OpenError::Stopped | OpenError::Starting => {
            // 503 with Retry-After, saying which of the two it is.
            let mut unavailable = AppError::from(RepositoryError::Unavailable(error.to_string()));
            unavailable.message = error.to_string();
            unavailable
        }
    }
}

/// What `viewer` missed after `after`, read from the table up to `upto` (the hub's
/// watermark: later events come live), at most [`REPLAY_MAX`] events. `true` when it got
/// to `upto`. Ends with a mark when the last events scanned are not the viewer's, so the
/// client's next resume starts after them.
async fn replay(
    feed: &dyn EventFeed,
    viewer: &Viewer,
    after: i64,
    upto: i64,
) -> Result<(Vec<LiveEventBody>, bool), RepositoryError> {
    let mut items = Vec::new();
    let mut position = after;
    let mut scanned = 0;
    let mut caught_up = position >= upto;
    while !caught_up && scanned < REPLAY_MAX {
        let page = feed.events_after(position, READ_PAGE).await?;
        let exhausted = page.len() < READ_PAGE as usize;
        for event in page.iter().take_while(|event| event.id <= upto) {
            position = event.id;
            scanned += 1;
            items.extend(LiveEventBody::for_viewer(viewer, event));
        }
        caught_up = exhausted || position >= upto || page.iter().any(|event| event.id > upto);
    }
    if items.last().map_or(after, |item| item.id) < position {
        items.push(LiveEventBody::mark(position));
    }
    Ok((items, caught_up))
}

/// An instructor's open stream keeps them on duty: a tick every [`PRESENCE_EVERY`].
struct Presence {
    state: AppState,
    actor: Actor,
    every: tokio::time::Interval,
}

/// Ticks every [`PRESENCE_EVERY`], the first one after a period (opening counted already);
/// ticks missed while busy are not made up.
fn presence_ticks() -> tokio::time::Interval {
    let mut every =
        tokio::time::interval_at(tokio::time::Instant::now() + PRESENCE_EVERY, PRESENCE_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every
}

/// The live part of one stream: the hub's events after `after` that the viewer sees.
struct Live {
    receiver: broadcast::Receiver<Arc<SharedEvent>>,
    /// Instructors only.
    presence: Option<Presence>,
    viewer: Viewer,
    after: i64,
    /// Counts the stream against the caps until the connection closes.
    _slot: StreamSlot,
    /// `false`: the replay stopped at [`REPLAY_MAX`]; end after it (the client resumes).
    caught_up: bool,
}

impl Live {
    async fn next(mut self) -> Option<(LiveEventBody, Live)> {
        if !self.caught_up {
            return None;
        }
        loop {
            let received = match &mut self.presence {
                Some(presence) => tokio::select! {
                    received = self.receiver.recv() => received,
                    _ = presence.every.tick() => {
                        note_stream_activity(&presence.state, presence.actor).await;
                        continue;
                    }
                },
                None => self.receiver.recv().await,
            };
            match received {
                Ok(shared) if shared.event.id <= self.after => {}
                Ok(shared) => {
                    self.after = shared.event.id;
                    if let Some(body) = LiveEventBody::for_viewer(&self.viewer, &shared.event) {
                        return Some((shared.prepared(body), self));
                    }
                }
                // Too slow to keep up: closing frees the buffer; the client resumes by id.
                Err(broadcast::error::RecvError::Lagged(_)) => return None,
                // The hub stopped (shutdown).
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}
