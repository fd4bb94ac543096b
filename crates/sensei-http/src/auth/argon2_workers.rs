//! [`Argon2Verifier`]: the core's password-verification port over argon2, on a few dedicated
//! threads (one per core), each reusing one memory buffer while checks keep coming and
//! freeing it when none is waiting. An argon2 check needs about 19 MiB; allocating it per
//! check on the blocking pool let the allocator keep every buffer (the resident size grew by
//! about 7 MiB per sign-in and never came back), so here memory is at most the threads'
//! buffers, whatever the number of sign-ins, and nothing once they are idle.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use async_trait::async_trait;
use sensei_core::ports::PasswordVerifier;
use sensei_core::RepositoryError;
use subtle::ConstantTimeEq;
use tokio::sync::{oneshot, Semaphore};

use super::password::decoy_hash;

/// The most memory a stored hash may ask for (in 1 KiB blocks): a hash with larger
/// parameters never matches, so a corrupt row cannot make a check allocate gigabytes.
const MAX_BLOCKS: usize = 64 * 1024;

/// One check: the password, the stored hash (`None`: an unknown account, checked against a
/// decoy), and where the answer goes.
type Job = (String, Option<String>, oneshot::Sender<bool>);

/// Verifies argon2 (PHC) hashes on dedicated threads, at most one check per thread at a
/// time; a check that cannot start within the wait is refused as unavailable.
#[derive(Debug, Clone)]
pub struct Argon2Verifier {
    jobs: SyncSender<Job>,
    permits: Arc<Semaphore>,
    wait: Duration,
}

impl Argon2Verifier {
    /// A verifier with `threads` worker threads; a check waits at most `wait` to start. The
    /// threads end when the last clone of the verifier is dropped.
    pub fn new(threads: usize, wait: Duration) -> Self {
        let threads = threads.max(1);
        let (jobs, queue) = sync_channel::<Job>(threads);
        let queue = Arc::new(Mutex::new(queue));
        for index in 0..threads {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new()
                .name(format!("sensei-argon2-{index}"))
                .spawn(move || work(&queue));
            if let Err(error) = spawned {
                tracing::error!(%error, "could not start a password-checking thread");
            }
        }
        Self {
            jobs,
            permits: Arc::new(Semaphore::new(threads)),
            wait,
        }
    }
}

impl Default for Argon2Verifier {
    /// One thread per core; a check waits at most 10 seconds to start.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::new(cores, Duration::from_secs(10))
    }
}

/// A worker: takes checks from the queue until the verifier is gone.
fn work(queue: &Mutex<Receiver<Job>>) {
    let mut memory: Vec<Block> = Vec::new();
    while let Some((password, hash, reply)) = next_job(queue, &mut memory) {
        let verified = match hash.as_deref() {
            Some(hash) => verify_with(&mut memory, &password, hash),
            None => {
                let _ = verify_with(&mut memory, &password, decoy_hash());
                false
            }
        };
        let _ = reply.send(verified);
    }
}

/// The next check, or `None` once the verifier is gone. A check already waiting reuses the
/// work area; when none is waiting, the work area is freed before the thread sleeps, so an
/// idle service does not keep 19 MiB per thread (with the allocator set up by
/// `crate::allocator`, the memory goes back to the system). A flood of sign-ins keeps it.
fn next_job(queue: &Mutex<Receiver<Job>>, memory: &mut Vec<Block>) -> Option<Job> {
    let queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
    match queue.try_recv() {
        Ok(job) => Some(job),
        Err(TryRecvError::Disconnected) => None,
        Err(TryRecvError::Empty) => {
            *memory = Vec::new();
            queue.recv().ok()
        }
    }
}

/// Whether `password` matches the PHC string `hash`, computed in `memory` (grown once to the
/// hash's size and reused). A malformed hash, or one asking for more than [`MAX_BLOCKS`],
/// never matches.
pub(super) fn verify_with(memory: &mut Vec<Block>, password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let blocks = params.block_count();
    if blocks > MAX_BLOCKS {
        return false;
    }
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut computed = vec![0_u8; expected.as_ref().len()];
    let Some(work_area) = memory.get_mut(..blocks) else {
        return false;
    };
    let hashed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password.as_bytes(),
        salt.as_ref(),
        &mut computed,
        work_area,
    );
    hashed.is_ok() && bool::from(computed.ct_eq(expected.as_ref()))
}

#[async_trait]
impl PasswordVerifier for Argon2Verifier {
    async fn verify(
        &self,
        password: String,
        hash: Option<String>,
    ) -> Result<bool, RepositoryError> {
        let busy =
            || RepositoryError::Unavailable("too many sign-ins are being checked right now".into());
        let permit = tokio::time::timeout(self.wait, self.permits.acquire())
            .await
            .map_err(|_| busy())?
            .map_err(|_| RepositoryError::Internal("the password checker was closed".into()))?;
        let (reply, answer) = oneshot::channel();
        // A permit per thread: the queue always has room, so this never blocks.
        self.jobs
            .try_send((password, hash, reply))
            .map_err(|_| busy())?;
        let verified = answer
            .await
            .map_err(|_| RepositoryError::Internal("a password-checking thread died".into()))?;
        drop(permit);
        Ok(verified)
    }
}

#[cfg(test)]
mod tests {
    use super::super::password::hash_password;
    use super::*;

    #[tokio::test]
    async fn the_right_password_matches_and_nothing_else_does() {
        let verifier = Argon2Verifier::new(1, Duration::from_secs(30));
        let hash = hash_password("sensei-demo").unwrap();
        assert_eq!(
            verifier
                .verify("sensei-demo".into(), Some(hash.clone()))
                .await,
            Ok(true)
        );
        assert_eq!(
            verifier.verify("sensei-dem0".into(), Some(hash)).await,
            Ok(false)
        );
        assert_eq!(verifier.verify("x".into(), None).await, Ok(false));
        assert_eq!(
            verifier.verify("x".into(), Some("not a hash".into())).await,
            Ok(false)
        );
    }

    #[test]
    fn a_hash_asking_for_too_much_memory_never_matches() {
        let greedy = "$argon2id$v=19$m=1048576,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";
        let mut memory = Vec::new();
        assert!(!verify_with(&mut memory, "x", greedy));
        assert!(memory.is_empty(), "nothing was allocated");
    }

    fn job() -> (Job, oneshot::Receiver<bool>) {
        let (reply, answer) = oneshot::channel();
        (("x".to_owned(), None, reply), answer)
    }

    #[test]
    fn the_work_area_is_kept_while_checks_wait_and_freed_when_none_does() {
        let (jobs, queue) = sync_channel::<Job>(2);
        let queue = Mutex::new(queue);
        let mut memory = vec![Block::default(); 8];

        // A check is already waiting: the work area is reused.
        jobs.send(job().0).unwrap();
        assert!(next_job(&queue, &mut memory).is_some());
        assert_eq!(memory.len(), 8);

        // Nothing waits: the work area is freed before the worker sleeps.
        let sender = jobs.clone();
        let late = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            sender.send(job().0).unwrap();
        });
        assert!(next_job(&queue, &mut memory).is_some());
        assert!(memory.is_empty() && memory.capacity() == 0);
        late.join().unwrap();

        // The verifier is gone: the worker ends.
        drop(jobs);
        assert!(next_job(&queue, &mut memory).is_none());
    }

    #[tokio::test]
    async fn a_check_that_cannot_start_in_time_is_unavailable_not_a_wrong_password() {
        let verifier = Argon2Verifier::new(1, Duration::from_millis(20));
        let _busy = verifier.permits.clone().acquire_owned().await.unwrap();
        let outcome = verifier.verify("x".to_owned(), None).await;
        assert!(matches!(outcome, Err(RepositoryError::Unavailable(_))));
    }
}
