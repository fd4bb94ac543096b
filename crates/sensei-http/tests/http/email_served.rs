//! Email through the real binary: a session booked by another process (the platform's code,
//! say) on the same database is emailed by `sensei serve --smtp-url`, and `/metrics` counts it.

use std::time::Duration;

use sensei_core::ports::AccountRepository;
use sensei_core::{Actor, Policy, SenseiService};
use sensei_diesel::{Database, DatabaseUrl, PoolOptions};
use sensei_http::demo::ALICE;

use crate::helpers::{demo_submission, http_client};
use crate::served::Served;
use crate::smtp_sink::SmtpSink;

#[tokio::test]
async fn a_booking_by_another_process_is_emailed_and_counted() {
    let sink = SmtpSink::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("email-served.sqlite3");
    let url = format!("sqlite://{}", path.display());
    let served = Served::start(&url, &["--smtp-url", &sink.url()]);

    // The platform's own process books through the library on the same file.
    let submission = demo_submission(&path, ALICE).await;
    let database = Database::connect(&DatabaseUrl::Sqlite(path.clone()), PoolOptions::default())
        .expect("connect");
    let alice = database
        .accounts()
        .find_by_email(ALICE)
        .await
        .unwrap()
        .unwrap()
        .account
        .id;
    SenseiService::new(database.ports(), Policy::default())
        .book(Actor::student(alice), submission)
        .await
        .unwrap();

    let mails = sink.wait_for(1).await;
    assert_eq!(mails[0].recipients, [ALICE]);

    // The worker records its outcome right after sending; give the counter a moment.
    let client = http_client().build().unwrap();
    let mut exposition = String::new();
    for _ in 0..50 {
        exposition = client
            .get(format!("{}/metrics", served.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if exposition.contains(r#"sensei_emails_total{outcome="delivered"} 1"#) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        exposition.contains(r#"sensei_emails_total{outcome="delivered"} 1"#),
        "{exposition}"
    );
    drop(served);
}
