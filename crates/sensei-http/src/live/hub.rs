//! The per-process hub: one task reads the audit trail's new events when woken (a commit by
//! any process: `sensei_diesel::live_listener`) and fans them out to every open stream
//! through a bounded broadcast channel. Streams only read memory; the database sees one
//! indexed read per wake-up, however many streams are open.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use sensei_core::ports::EventFeed;
use sensei_core::{admit_stream, FeedCursor, FeedEvent, StreamCaps, StreamRefusal, UserId};
use sensei_diesel::live_listener::EventWakeups;
use tokio::sync::{broadcast, watch};

use super::shared::SharedEvent;

/// Events the broadcast channel keeps for a slow stream; one that falls further behind is
/// closed and resumes by id (its memory stays bounded).
pub const CHANNEL_CAPACITY: usize = 1024;

/// Events read per statement.
pub const READ_PAGE: u32 = 500;

/// How often the hub reads while events wait behind a missing id (to give the gap up in time).
pub const HOLD_POLL: Duration = Duration::from_millis(100);

/// How often the hub reads with no wake-up at all: a backstop for a lost notification.
pub const BACKSTOP_POLL: Duration = Duration::from_secs(5);

/// What a new stream gets: the live events from now on, and the id up to which it must
/// read the table instead (every id up to `watermark` was published before it subscribed).
pub struct Subscription {
    /// Events published after `watermark`.
    pub receiver: broadcast::Receiver<Arc<SharedEvent>>,
    /// Every event up to this id was published before the subscription.
    pub watermark: i64,
    /// Keeps the stream counted against the caps until dropped.
    pub slot: StreamSlot,
}

/// Why a stream cannot open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// A cap is reached.
    #[error(transparent)]
    Refused(#[from] StreamRefusal),
    /// The hub has stopped (the server is shutting down).
    #[error("the server is shutting down; reconnect in a few seconds")]
    Stopped,
    /// The hub has not yet read where the audit trail ends (the database was unreachable at
    /// start-up).
    #[error(
        "the live stream is starting (the database cannot be reached yet); retry in a few seconds"
    )]
    Starting,
}

/// The watermark and the sender, changed together: a subscriber sees either both before
/// a publication or both after it.
struct Tap {
    /// `None` until the hub knows where the audit trail ends.
    watermark: Option<i64>,
    sender: Option<broadcast::Sender<Arc<SharedEvent>>>,
}

#[derive(Default)]
struct Open {
    per_account: HashMap<UserId, u32>,
    total: u32,
}

struct Inner {
    feed: Arc<dyn EventFeed>,
    tap: Mutex<Tap>,
    open: Mutex<Open>,
    caps: StreamCaps,
    stop: watch::Sender<bool>,
}

/// The hub's handle, shared by the handlers (cheap to clone).
#[derive(Clone)]
pub struct LiveHub {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for LiveHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveHub")
            .field("caps", &self.inner.caps)
            .finish_non_exhaustive()
    }
}

/// A mutex whose holder panicked still guards consistent data here (each critical section
/// is a few assignments), so it is used as it is.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl LiveHub {
    /// Starts the hub's task over `feed`, woken by `wakeups`, from the latest event when it
    /// starts (streams open once that is read). Call from within a Tokio runtime.
    pub async fn start(
        feed: Arc<dyn EventFeed>,
        wakeups: EventWakeups,
        caps: StreamCaps,
    ) -> LiveHub {
        let start = match feed.latest_event_id().await {
            Ok(id) => Some(id),
            Err(error) => {
                tracing::warn!(%error, "live events: cannot read the latest event id yet");
                None
            }
        };
        let (sender, _) = broadcast::channel(CHANNEL_CAPACITY);
        let (stop, stopped) = watch::channel(false);
        let hub = LiveHub {
            inner: Arc::new(Inner {
                feed,
                tap: Mutex::new(Tap {
                    watermark: start,
                    sender: Some(sender),
                }),
                open: Mutex::new(Open::default()),
                caps,
                stop,
            }),
        };
        tokio::spawn(run(hub.inner.clone(), start, wakeups, stopped));
        hub
    }

    /// The feed, for replays.
    pub fn feed(&self) -> &Arc<dyn EventFeed> {
        &self.inner.feed
    }

    /// The caps in force.
    pub fn caps(&self) -> StreamCaps {
        self.inner.caps
    }

    /// Opens a stream for `account`, counted against the caps until the returned slot drops.
    ///
    /// # Errors
    /// [`OpenError::Refused`] when a cap is reached; [`OpenError::Stopped`] after
    /// [`LiveHub::stop`].
    pub fn subscribe(&self, account: UserId) -> Result<Subscription, OpenError> {
        let slot = {
            let mut open = lock(&self.inner.open);
            let mine = open.per_account.get(&account).copied().unwrap_or(0);
            admit_stream(mine, open.total, self.inner.caps)?;
            *open.per_account.entry(account).or_insert(0) += 1;
            open.total += 1;
            StreamSlot {
                inner: self.inner.clone(),
                account,
            }
        };
        let tap = lock(&self.inner.tap);
        let sender = tap.sender.as_ref().ok_or(OpenError::Stopped)?;
        let watermark = tap.watermark.ok_or(OpenError::Starting)?;
        Ok(Subscription {
            receiver: sender.subscribe(),
            watermark,
            slot,
        })
    }

    /// Streams open now (all accounts).
    pub fn open_streams(&self) -> u32 {
        lock(&self.inner.open).total
    }

    /// Stops the hub: its task ends and every open stream ends (clients reconnect to another
    /// process or after the restart, resuming by id), so a graceful shutdown does not wait
    /// for them.
    pub fn stop(&self) {
        let _ = self.inner.stop.send(true);
        lock(&self.inner.tap).sender = None;
    }
}

/// One open stream's place in the caps; dropping it (the connection closed) frees it.
pub struct StreamSlot {
    inner: Arc<Inner>,
    account: UserId,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = lock(&self.inner.open);
        open.total = open.total.saturating_sub(1);
        if let Some(mine) = open.per_account.get_mut(&self.account) {
            *mine = mine.saturating_sub(1);
            if *mine == 0 {
                open.per_account.remove(&self.account);
            }
        }
    }
}

/// Publishes `ready` (already in id order): the watermark first, under the same lock, so a
/// stream subscribing meanwhile reads these from the table and drops their live copies.
fn publish(inner: &Inner, position: i64, ready: Vec<FeedEvent>) {
    let mut tap = lock(&inner.tap);
    tap.watermark = Some(position);
    if let Some(sender) = &tap.sender {
        for event in ready {
            // No receiver is not an error: nobody watches right now.
            let _ = sender.send(Arc::new(SharedEvent::new(event)));
        }
    }
}

/// Reads everything deliverable now.
async fn drain(inner: &Inner, cursor: &mut FeedCursor) {
    loop {
        let events = match inner.feed.events_after(cursor.position(), READ_PAGE).await {
            Ok(events) => events,
            Err(error) => {
                tracing::warn!(%error, "live events: cannot read new events; retrying");
                return;
            }
        };
        let full = events.len() >= READ_PAGE as usize;
        let now = tokio::time::Instant::now().into_std();
        let ready = cursor.offer(events, now);
        let progressed = !ready.is_empty();
        if progressed || Some(cursor.position()) != lock(&inner.tap).watermark {
            publish(inner, cursor.position(), ready);
        }
        if !full || !progressed {
            return;
        }
    }
}

/// Where the audit trail ends, read again every [`HOLD_POLL`] × 10 until the database
/// answers; `None` when the hub is stopped meanwhile.
async fn first_position(inner: &Inner, stopped: &mut watch::Receiver<bool>) -> Option<i64> {
    loop {
        match inner.feed.latest_event_id().await {
            Ok(id) => return Some(id),
            Err(error) => {
                tracing::warn!(%error, "live events: cannot read the latest event id yet")
            }
        }
        tokio::select! {
            _ = stopped.changed() => return None,
            () = tokio::time::sleep(HOLD_POLL * 10) => {}
        }
    }
}

/// The hub's task: read, publish, wait for a wake-up (or a short poll while holding).
async fn run(
    inner: Arc<Inner>,
    start: Option<i64>,
    mut wakeups: EventWakeups,
    mut stopped: watch::Receiver<bool>,
) {
    let start = match start {
        Some(id) => id,
        None => match first_position(&inner, &mut stopped).await {
            Some(id) => id,
            None => return,
        },
    };
    publish(&inner, start, Vec::new());
    let mut cursor = FeedCursor::starting_after(start);
    let mut woken = true;
    loop {
        if *stopped.borrow() {
            return;
        }
        drain(&inner, &mut cursor).await;
        let wait = if cursor.is_holding() {
            HOLD_POLL
        } else {
            BACKSTOP_POLL
        };
        tokio::select! {
            _ = stopped.changed() => return,
            more = wakeups.next(), if woken => woken = more,
            () = tokio::time::sleep(wait) => {}
        }
    }
}
