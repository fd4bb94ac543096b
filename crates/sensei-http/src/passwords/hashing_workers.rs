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
#[path = "hashing_workers_tests.rs"]
mod tests;
