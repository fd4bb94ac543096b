//! [`HashingWorkers`]: the core's password ports (verify and hash) on a few dedicated
//! threads, with a **memory budget**: every check or hash takes as many MiB of the budget as
//! its work area needs (argon2 at the default cost 19, Werkzeug's scrypt 32, PBKDF2 1) before
//! it starts, so however many sign-ins arrive, the work areas together stay within
//! [`DEFAULT_MEMORY_BUDGET_MIB`] (two scrypt checks, or three argon2 ones, at a time).
//!
//! Each thread reuses one argon2 buffer while argon2 checks keep coming and frees it when
//! none is waiting or another format comes next. Allocating per check on the blocking pool
//! let the allocator keep every buffer (the resident size grew by about 7 MiB per sign-in and
//! never came back); here memory is at most the budget, and nothing once the threads are idle.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use async_trait::async_trait;
use sensei_core::ports::{PasswordHasher, PasswordVerifier};
use sensei_core::{NewPassword, PasswordFormat, RepositoryError};
use subtle::ConstantTimeEq;
use tokio::sync::{oneshot, Semaphore};

use super::password::{decoy_hash, hash_password};
use super::stored_hash::{StoredHash, UnknownFormats, MIB};
use super::werkzeug::{self, DEFAULT_SCRYPT};

/// The default memory budget of all checks and hashes running at once, in MiB: with the
/// rest of the process this keeps a sign-in flood well under 128 MiB resident.
pub const DEFAULT_MEMORY_BUDGET_MIB: u32 = 64;

/// The MiB an argon2 hash made here takes (the default cost, 19 MiB).
const ARGON2_HASH_MIB: u32 = 19;

/// The MiB a check or hash of Werkzeug's default scrypt takes (32 MiB).
const WERKZEUG_SCRYPT_MIB: u32 = (DEFAULT_SCRYPT.work_area_bytes() / MIB) as u32;

/// One piece of work for a thread.
enum Job {
    /// Check a password: the stored hash (`None`: an unknown account, checked against a
    /// decoy) and where the answer goes.
    Verify(String, Option<String>, oneshot::Sender<bool>),
    /// Hash a new password in a format; the answer is the hash or why there is none.
    Hash(
        NewPassword,
        PasswordFormat,
        oneshot::Sender<Result<String, String>>,
    ),
}

/// Checks and hashes passwords on dedicated threads, at most one job per thread and at most
/// the memory budget at a time; a job that cannot start within the wait is refused as
/// unavailable.
#[derive(Debug, Clone)]
pub struct HashingWorkers {
    jobs: SyncSender<Job>,
    threads: Arc<Semaphore>,
    memory: Arc<Semaphore>,
    budget_mib: u32,
    wait: Duration,
    unknown: Arc<UnknownFormats>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Job::Verify(..) => "Job::Verify",
            Job::Hash(..) => "Job::Hash",
        })
    }
}

impl HashingWorkers {
    /// Workers with `threads` threads and a memory budget of `budget_mib` MiB (at least what
    /// one Werkzeug scrypt check needs); a job waits at most `wait` to start. The threads end
    /// when the last clone is dropped.
    pub fn new(threads: usize, budget_mib: u32, wait: Duration) -> Self {
        let threads = threads.max(1);
        let budget_mib = budget_mib.max(WERKZEUG_SCRYPT_MIB);
        let (jobs, queue) = sync_channel::<Job>(threads);
        let queue = Arc::new(Mutex::new(queue));
        for index in 0..threads {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new()
                .name(format!("sensei-hash-{index}"))
                .spawn(move || work(&queue));
            if let Err(error) = spawned {
                tracing::error!(%error, "could not start a password-hashing thread");
            }
        }
        Self {
            jobs,
            threads: Arc::new(Semaphore::new(threads)),
            memory: Arc::new(Semaphore::new(budget_mib as usize)),
            budget_mib,
            wait,
            unknown: Arc::new(UnknownFormats::default()),
        }
    }

    /// Runs `job` once `mib` MiB of the budget and a thread are free (within the wait).
    async fn submit<T>(
        &self,
        mib: u32,
        job: Job,
        answer: oneshot::Receiver<T>,
    ) -> Result<T, RepositoryError> {
        let busy = || {
            RepositoryError::Unavailable("too many passwords are being checked right now".into())
        };
        let closed = || RepositoryError::Internal("the password workers were closed".into());
        let permits = tokio::time::timeout(self.wait, async {
            let memory = self
                .memory
                .acquire_many(mib.clamp(1, self.budget_mib))
                .await;
            let thread = self.threads.acquire().await;
            (memory, thread)
        })
        .await
        .map_err(|_| busy())?;
        let (Ok(memory), Ok(thread)) = permits else {
            return Err(closed());
        };
        // A thread permit per thread: the queue always has room, so this never blocks.
        self.jobs.try_send(job).map_err(|_| busy())?;
        let answer = answer
            .await
            .map_err(|_| RepositoryError::Internal("a password-hashing thread died".into()))?;
        drop((memory, thread));
        Ok(answer)
    }
}

impl Default for HashingWorkers {
    /// One thread per core, [`DEFAULT_MEMORY_BUDGET_MIB`]; a job waits at most 10 seconds to
    /// start.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self::new(cores, DEFAULT_MEMORY_BUDGET_MIB, Duration::from_secs(10))
    }
}

/// A worker: takes jobs from the queue until the workers are gone.
fn work(queue: &Mutex<Receiver<Job>>) {
    let mut memory: Vec<Block> = Vec::new();
    while let Some(job) = next_job(queue, &mut memory) {
        match job {
            Job::Verify(password, hash, reply) => {
                let verified = match hash.as_deref() {
                    Some(hash) => {
                        verify_stored(&mut memory, &password, &StoredHash::classify(hash))
                    }
                    None => {
                        let _ = verify_with(&mut memory, &password, decoy_hash());
                        false
                    }
                };
                let _ = reply.send(verified);
            }
            Job::Hash(password, format, reply) => {
                // The hashers allocate their own work area: give this one back first.
                memory = Vec::new();
                let hashed = match format {
                    PasswordFormat::Argon2 => {
                        hash_password(password.expose()).map_err(|error| error.to_string())
                    }
                    PasswordFormat::WerkzeugScrypt => werkzeug::hash_scrypt(password.expose()),
                };
                let _ = reply.send(hashed);
            }
        }
    }
}

/// Checks `password` against a classified hash; an unknown format is checked against the
/// decoy (so it takes as long as a real check) and never matches.
fn verify_stored(memory: &mut Vec<Block>, password: &str, hash: &StoredHash<'_>) -> bool {
    match hash {
        StoredHash::Argon2 { phc, .. } => verify_with(memory, password, phc),
        StoredHash::Werkzeug(parsed) => {
            // scrypt allocates its own work area: give the argon2 one back first.
            *memory = Vec::new();
            werkzeug::verify(password, parsed)
        }
        StoredHash::Unknown(_) => {
            let _ = verify_with(memory, password, decoy_hash());
            false
        }
    }
}

/// The next job, or `None` once the workers are gone. A job already waiting reuses the
/// argon2 work area; when none is waiting, the work area is freed before the thread sleeps,
/// so an idle service does not keep 19 MiB per thread (with the allocator set up by
/// `crate::allocator`, the memory goes back to the system).
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

/// Whether `password` matches the argon2 PHC string `hash`, computed in `memory` (sized to
/// exactly the hash's blocks, so it never holds more than the budget granted). A malformed
/// hash never matches.
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
    if memory.len() != blocks {
        *memory = Vec::new();
        memory.resize(blocks, Block::default());
    }
    let mut computed = vec![0_u8; expected.as_ref().len()];
    let hashed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password.as_bytes(),
        salt.as_ref(),
        &mut computed,
        &mut memory[..],
    );
    hashed.is_ok() && bool::from(computed.ct_eq(expected.as_ref()))
}

#[async_trait]
impl PasswordVerifier for HashingWorkers {
    async fn verify(
        &self,
        password: String,
        hash: Option<String>,
    ) -> Result<bool, RepositoryError> {
        // The decoy's cost for an unknown account or format; the hash's own otherwise. A hash
        // asking for more than the whole budget never matches (a corrupt row cannot make a
        // check allocate gigabytes).
        let decoy_mib = StoredHash::classify(decoy_hash()).memory_mib();
        let (hash, mib) = match hash.as_deref().map(StoredHash::classify) {
            None => (None, decoy_mib),
            Some(StoredHash::Unknown(label)) => {
                self.unknown.warn_once(&label);
                (None, decoy_mib)
            }
            Some(stored) if stored.memory_mib() > u64::from(self.budget_mib) => {
                self.unknown.warn_once("over the memory budget");
                (None, decoy_mib)
            }
            Some(stored) => (hash.clone(), stored.memory_mib()),
        };
        let (reply, answer) = oneshot::channel();
        let mib = u32::try_from(mib).unwrap_or(self.budget_mib);
        self.submit(mib, Job::Verify(password, hash, reply), answer)
            .await
    }
}

#[async_trait]
impl PasswordHasher for HashingWorkers {
    async fn hash(
        &self,
        password: NewPassword,
        format: PasswordFormat,
    ) -> Result<String, RepositoryError> {
        let mib = match format {
            PasswordFormat::Argon2 => ARGON2_HASH_MIB,
            PasswordFormat::WerkzeugScrypt => WERKZEUG_SCRYPT_MIB,
        };
        let (reply, answer) = oneshot::channel();
        self.submit(mib, Job::Hash(password, format, reply), answer)
            .await?
            .map_err(|error| RepositoryError::Internal(format!("password hashing failed: {error}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Werkzeug 3.1.9's `generate_password_hash("correct horse battery")` (scrypt default).
    const WERKZEUG_SCRYPT: &str = "scrypt:32768:8:1$N7TPJDT3x8uryypg$a8f3987074d6b31f99263d7fdc86eb70b6f6412e41c6f7ae664e48926a461e573e106f1a4b91fab01da743fc81535794cf7981b6aa507dbfcbdc1859c9c15fc2";
    /// The same with `method="pbkdf2:sha256:1000"`.
    const WERKZEUG_PBKDF2: &str = "pbkdf2:sha256:1000$x3vG5Uo7yrVUeDeu$10aab2b844f8e012a48dce78034bdaf1f097a810269ec3a50657b19bef1951c7";

    #[tokio::test]
    async fn the_right_password_matches_and_nothing_else_does() {
        let workers = HashingWorkers::new(1, 64, Duration::from_secs(30));
        let hash = hash_password("sensei-demo").unwrap();
        assert_eq!(
            workers
                .verify("sensei-demo".into(), Some(hash.clone()))
                .await,
            Ok(true)
        );
        assert_eq!(
            workers.verify("sensei-dem0".into(), Some(hash)).await,
            Ok(false)
        );
        assert_eq!(workers.verify("x".into(), None).await, Ok(false));
        assert_eq!(
            workers.verify("x".into(), Some("not a hash".into())).await,
            Ok(false)
        );
    }

    #[tokio::test]
    async fn the_platforms_werkzeug_hashes_are_checked_as_they_are() {
        let workers = HashingWorkers::new(2, 64, Duration::from_secs(60));
        for hash in [WERKZEUG_SCRYPT, WERKZEUG_PBKDF2] {
            assert_eq!(
                workers
                    .verify("correct horse battery".into(), Some(hash.into()))
                    .await,
                Ok(true),
                "{hash}"
            );
            assert_eq!(
                workers
                    .verify("wrong horse".into(), Some(hash.into()))
                    .await,
                Ok(false),
                "{hash}"
            );
        }
    }

    #[tokio::test]
    async fn new_hashes_verify_in_either_format() {
        let workers = HashingWorkers::new(1, 64, Duration::from_secs(60));
        for format in PasswordFormat::ALL {
            let password = NewPassword::new("a fine password".into()).unwrap();
            let hash = workers.hash(password, format).await.unwrap();
            match format {
                PasswordFormat::Argon2 => assert!(hash.starts_with("$argon2id$")),
                PasswordFormat::WerkzeugScrypt => assert!(hash.starts_with("scrypt:32768:8:1$")),
            }
            assert_eq!(
                workers.verify("a fine password".into(), Some(hash)).await,
                Ok(true)
            );
        }
    }

    #[test]
    fn an_argon2_hash_asking_for_too_much_memory_is_never_run() {
        let greedy = "$argon2id$v=19$m=1048576,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";
        assert_eq!(StoredHash::classify(greedy).memory_mib(), 1024);
    }

    #[tokio::test]
    async fn a_hash_over_the_budget_never_matches() {
        let workers = HashingWorkers::new(1, 32, Duration::from_secs(30));
        // scrypt N = 2^16, r = 8: a 64 MiB work area, over a 32 MiB budget.
        let greedy = "scrypt:65536:8:1$salt$00ff";
        assert_eq!(
            workers.verify("x".into(), Some(greedy.into())).await,
            Ok(false)
        );
    }

    #[tokio::test]
    async fn scrypt_checks_take_their_share_of_the_memory_budget() {
        // A 64 MiB budget: two scrypt checks (32 MiB each) may run, a third must wait.
        let workers = HashingWorkers::new(4, 64, Duration::from_millis(50));
        let held = workers
            .memory
            .clone()
            .acquire_many_owned(64 - 32)
            .await
            .unwrap();
        // 32 MiB left: one scrypt check runs.
        assert_eq!(
            workers
                .verify("correct horse battery".into(), Some(WERKZEUG_SCRYPT.into()))
                .await,
            Ok(true)
        );
        // 8 MiB left: a scrypt check cannot start and is refused as unavailable.
        let more = workers.memory.clone().acquire_many_owned(24).await.unwrap();
        let outcome = workers
            .verify("correct horse battery".into(), Some(WERKZEUG_SCRYPT.into()))
            .await;
        assert!(
            matches!(outcome, Err(RepositoryError::Unavailable(_))),
            "{outcome:?}"
        );
        drop((held, more));
    }

    fn job() -> Job {
        let (reply, _answer) = oneshot::channel();
        Job::Verify("x".to_owned(), None, reply)
    }

    #[test]
    fn the_work_area_is_kept_while_checks_wait_and_freed_when_none_does() {
        let (jobs, queue) = sync_channel::<Job>(2);
        let queue = Mutex::new(queue);
        let mut memory = vec![Block::default(); 8];

        // A check is already waiting: the work area is reused.
        jobs.send(job()).unwrap();
        assert!(next_job(&queue, &mut memory).is_some());
        assert_eq!(memory.len(), 8);

        // Nothing waits: the work area is freed before the worker sleeps.
        let sender = jobs.clone();
        let late = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            sender.send(job()).unwrap();
        });
        assert!(next_job(&queue, &mut memory).is_some());
        assert!(memory.is_empty() && memory.capacity() == 0);
        late.join().unwrap();

        // The workers are gone: the worker ends.
        drop(jobs);
        assert!(next_job(&queue, &mut memory).is_none());
    }

    #[test]
    fn a_werkzeug_check_gives_the_argon2_work_area_back_first() {
        let mut memory = vec![Block::default(); 8];
        let parsed = StoredHash::classify(WERKZEUG_PBKDF2);
        assert!(verify_stored(&mut memory, "correct horse battery", &parsed));
        assert!(memory.is_empty() && memory.capacity() == 0);
    }

    #[tokio::test]
    async fn a_check_that_cannot_start_in_time_is_unavailable_not_a_wrong_password() {
        let workers = HashingWorkers::new(1, 64, Duration::from_millis(20));
        let _busy = workers.threads.clone().acquire_owned().await.unwrap();
        let outcome = workers.verify("x".to_owned(), None).await;
        assert!(matches!(outcome, Err(RepositoryError::Unavailable(_))));
    }
}
