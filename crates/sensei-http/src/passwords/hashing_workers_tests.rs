//! Unit tests of `hashing_workers`, kept apart so the module itself stays one readable page.
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
