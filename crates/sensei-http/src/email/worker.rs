//! The email worker of `sensei serve --smtp-url`: keeps email on (so events get outbox rows),
//! leases due emails as slots free up, sends each on a task of its own under the send
//! timeout, and hands the results to one recorder task that writes them in batches. Stopped
//! on shutdown: no new lease, sends in flight finish within their timeout.
//!
//! Bookings never wait for it: the outbox row is written with the event, and nothing here
//! runs on a request's path; an SMTP server that is down only delays the emails.

use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sensei_core::ports::EmailAttempt;
use sensei_core::services::{DueEmail, EmailService};
use sensei_core::NextStep;
use tokio::sync::{mpsc, watch, Semaphore};

use super::EmailSettings;

/// Most emails leased in one go.
const LEASE_BATCH: u32 = 32;
/// How often email is kept on, and for how long each time.
const KEEP_ON_EVERY: Duration = Duration::from_secs(60);
/// How long email stays on after the last renewal: a few renewals may fail in a row.
pub const KEEP_ON_FOR: chrono::Duration = chrono::Duration::minutes(10);
/// The longest error text recorded.
const ERROR_CHARS: usize = 300;

/// The longest the worker waits after the SMTP server failed before it tries again.
const MAX_PAUSE: Duration = Duration::from_secs(300);

/// A breaker for the SMTP server: after a send that failed for a reason other than the
/// message itself (refused connection, timeout, a 4xx), nothing new is leased for a while
/// (the first retry's wait, doubling to at most 5 minutes), so a server that is down costs a
/// few attempts per pause, not one per email in the outbox; a sent email closes it again.
#[derive(Debug, Default)]
struct Breaker {
    failures: u32,
    until: Option<std::time::Instant>,
}

impl Breaker {
    fn failed(&mut self, base: Duration) {
        self.failures = self.failures.saturating_add(1);
        let wait = base
            .saturating_mul(1_u32 << self.failures.saturating_sub(1).min(16))
            .min(MAX_PAUSE);
        self.until = Some(std::time::Instant::now() + wait);
    }

    fn sent(&mut self) {
        *self = Breaker::default();
    }

    /// How long to wait before the next lease, if at all.
    fn wait(&self) -> Option<Duration> {
        self.until
            .map(|until| until.saturating_duration_since(std::time::Instant::now()))
            .filter(|wait| !wait.is_zero())
    }
}

type SharedBreaker = Arc<std::sync::Mutex<Breaker>>;

fn breaker_wait(breaker: &SharedBreaker) -> Option<Duration> {
    breaker.lock().map_or(None, |breaker| breaker.wait())
}

/// A running worker: stop it with [`EmailWorker::stop`].
pub struct EmailWorker {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

struct Sender {
    mailer: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    base: String,
    timeout: Duration,
}

impl EmailWorker {
    /// Starts the worker on the current runtime, or `None` when no SMTP server is configured
    /// or the settings are unusable (logged).
    pub fn start(service: EmailService, settings: EmailSettings) -> Option<EmailWorker> {
        let url = settings.smtp_url.as_ref()?;
        if settings.concurrency == 0 {
            return None;
        }
        let built = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str())
            .map_err(|error| error.to_string())
            .and_then(|builder| {
                let from = super::parse_from(&settings.from)?;
                Ok((builder.timeout(Some(settings.timeout)).build(), from))
            });
        let (mailer, from) = match built {
            Ok(built) => built,
            Err(error) => {
                tracing::error!(%error, "email is off: the SMTP settings are unusable");
                return None;
            }
        };
        let sender = Arc::new(Sender {
            mailer,
            from,
            base: settings.base().to_owned(),
            timeout: settings.timeout,
        });
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(service, settings, sender, stopped));
        Some(EmailWorker { stop, task })
    }

    /// Stops leasing, lets sends in flight finish (each within its timeout) and records
    /// them. What is not recorded by then is sent again after its lease lapses.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

fn owner_name() -> String {
    let mut bytes = [0_u8; 6];
    let _ = getrandom::fill(&mut bytes);
    format!("sensei-mail-{}-{}", std::process::id(), hex::encode(bytes))
}

async fn run(
    service: EmailService,
    settings: EmailSettings,
    sender: Arc<Sender>,
    mut stopped: watch::Receiver<bool>,
) {
    let owner = owner_name();
    let breaker: SharedBreaker = Arc::default();
    let slots = Arc::new(Semaphore::new(settings.concurrency));
    let (results, received) = mpsc::unbounded_channel::<EmailAttempt>();
    let recorder = tokio::spawn(record(service.clone(), received));
    let keeper = tokio::spawn(keep_on(service.clone(), stopped.clone()));
    let lease =
        chrono::Duration::from_std(settings.lease()).unwrap_or(chrono::Duration::minutes(1));
    tracing::info!(%owner, concurrency = settings.concurrency, "email sending started");
    loop {
        if *stopped.borrow() {
            break;
        }
        if let Some(wait) = breaker_wait(&breaker) {
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                changed = stopped.changed() => if changed.is_err() { break },
            }
            continue;
        }
        // Wait for a free slot (not the poll interval): a busy worker leases again as soon as
        // a send ends.
        let first = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            changed = stopped.changed() => if changed.is_err() { break } else { continue },
        };
        let free = u32::try_from(slots.available_permits())
            .unwrap_or(0)
            .saturating_add(1)
            .min(LEASE_BATCH);
        let due = match service.lease_due(&owner, free, lease).await {
            Ok(due) => due,
            Err(error) => {
                tracing::warn!(%error, "could not lease emails");
                Vec::new()
            }
        };
        let short = due.len() < usize::try_from(free).unwrap_or(usize::MAX);
        let mut first = Some(first);
        for email in due {
            let Some(slot) = first
                .take()
                .or_else(|| slots.clone().try_acquire_owned().ok())
            else {
                // More than the room: left to its lease's lapse.
                break;
            };
            let (service, sender, owner, results) = (
                service.clone(),
                sender.clone(),
                owner.clone(),
                results.clone(),
            );
            let (breaker, base) = (breaker.clone(), settings.retry_base);
            tokio::spawn(async move {
                let (attempt, server_failed) = attempt(&service, &sender, owner, email).await;
                if let Ok(mut breaker) = breaker.lock() {
                    if server_failed {
                        breaker.failed(base);
                    } else if attempt.skipped.is_none() && attempt.next == NextStep::Delivered {
                        breaker.sent();
                    }
                }
                let _ = results.send(attempt);
                drop(slot);
            });
        }
        // An unused first slot goes back before the wait.
        drop(first);
        if short {
            tokio::select! {
                () = tokio::time::sleep(settings.poll_interval) => {}
                changed = stopped.changed() => if changed.is_err() { break },
            }
        }
    }
    // Every slot back means every send in flight has queued its result.
    let all = u32::try_from(settings.concurrency).unwrap_or(u32::MAX);
    let grace = settings.timeout + Duration::from_secs(1);
    let _ = tokio::time::timeout(grace, slots.acquire_many(all)).await;
    drop(results);
    let _ = tokio::time::timeout(Duration::from_secs(5), recorder).await;
    keeper.abort();
    tracing::info!("email sending stopped");
}

/// Sends one email (or records why not) and decides what follows; `true` beside it when the
/// SMTP server failed (not the message).
async fn attempt(
    service: &EmailService,
    sender: &Sender,
    owner: String,
    email: DueEmail,
) -> (EmailAttempt, bool) {
    let attempted_at = service.now();
    let leased = &email.leased;
    let content = match email.prepared {
        Ok(content) => content,
        Err(skip) => {
            tracing::debug!(
                email = leased.email_id,
                reason = skip.label(),
                "email not sent"
            );
            let skipped = EmailAttempt {
                email_id: leased.email_id,
                owner,
                attempted_at,
                next: NextStep::Delivered,
                skipped: Some(skip),
                error: None,
            };
            crate::monitoring::email::email(NextStep::Delivered, true);
            return (skipped, false);
        }
    };
    let result = match super::render::message(&content, &sender.from, &sender.base) {
        // A message that cannot be built never will be: given up at once.
        Err(error) => Err((error.to_string(), true)),
        Ok(message) => {
            match tokio::time::timeout(sender.timeout, sender.mailer.send(message)).await {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(error)) => Err((error.to_string(), error.is_permanent())),
                Err(_) => Err(("timed out".to_owned(), false)),
            }
        }
    };
    let server_failed = matches!(result, Err((_, false)));
    let (next, error) = match result {
        Ok(()) => (NextStep::Delivered, None),
        Err((error, true)) => (NextStep::GaveUp, Some(error)),
        Err((error, false)) => (service.next_step(leased, false, service.now()), Some(error)),
    };
    crate::monitoring::email::email(next, false);
    if let Some(error) = &error {
        tracing::info!(
            email = leased.email_id,
            kind = leased.kind.as_str(),
            error = error.as_str(),
            next = next.outcome(),
            "email not sent"
        );
    }
    let attempt = EmailAttempt {
        email_id: leased.email_id,
        owner,
        attempted_at,
        next,
        skipped: None,
        error: error.map(|error| error.chars().take(ERROR_CHARS).collect()),
    };
    (attempt, server_failed)
}

/// Writes results as they come, many per write.
async fn record(service: EmailService, mut received: mpsc::UnboundedReceiver<EmailAttempt>) {
    while let Some(first) = received.recv().await {
        let mut batch = vec![first];
        while let Ok(next) = received.try_recv() {
            batch.push(next);
        }
        if let Err(error) = service.record(batch).await {
            tracing::warn!(
                %error,
                "could not record email attempts; they are sent again when their leases lapse"
            );
        }
    }
}

/// Keeps email on while this process runs.
async fn keep_on(service: EmailService, mut stopped: watch::Receiver<bool>) {
    loop {
        if let Err(error) = service.keep_enabled(KEEP_ON_FOR).await {
            tracing::warn!(%error, "could not keep email on; events may get no email");
        }
        tokio::select! {
            () = tokio::time::sleep(KEEP_ON_EVERY) => {}
            _ = stopped.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_breaker_waits_longer_after_each_failure_and_closes_on_a_sent_email() {
        let mut breaker = Breaker::default();
        assert_eq!(breaker.wait(), None);
        breaker.failed(Duration::from_secs(10));
        let first = breaker.wait().unwrap();
        breaker.failed(Duration::from_secs(10));
        let second = breaker.wait().unwrap();
        assert!(first <= Duration::from_secs(10) && second > Duration::from_secs(10));
        for _ in 0..40 {
            breaker.failed(Duration::from_secs(10));
        }
        assert!(breaker.wait().unwrap() <= MAX_PAUSE);
        breaker.sent();
        assert_eq!(breaker.wait(), None);
    }
}
