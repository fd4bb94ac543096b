//! Who changed what, on both backends: every account and webhook-endpoint change writes one
//! `admin_audit` row in its own transaction (never an email, password, hash or secret), the
//! list pages newest first, and the last enabled admin cannot be demoted, disabled or erased.

use chrono::Utc;
use sensei_core::ports::{AccountAdminStore, AccountQuery, AccountUpdate, WebhookStore};
use sensei_core::*;

use super::account_admin::{created, new_account, op};
use crate::common::{at, TestDb};

fn kinds(changes: &[RecordedChange]) -> Vec<&'static str> {
    changes.iter().map(|change| change.kind.as_str()).collect()
}

async fn every_change_is_recorded_with_who_and_what(t: TestDb) {
    let accounts = t.db.accounts();
    let root = created(&t, "root@example.com", Role::Admin).await;
    let by_root = ChangeActor::User(root);
    let when = at(2026, 6, 1, 10, 0, 0);
    let mut imported = new_account(
        "ann@example.com",
        Role::Student,
        "$argon2id$secret-hash",
        when,
    );
    imported.imported = true;
    accounts.create_account(imported, &by_root).await.unwrap();
    accounts
        .set_role("ann@example.com", Role::Instructor, &by_root, when)
        .await
        .unwrap();
    // The same role again changes nothing and records nothing.
    accounts
        .set_role("ann@example.com", Role::Instructor, &by_root, when)
        .await
        .unwrap();
    accounts
        .set_password_hash("ann@example.com", "$argon2id$new-hash", &by_root, when)
        .await
        .unwrap();
    accounts
        .set_disabled("ann@example.com", true, &by_root, when)
        .await
        .unwrap();
    accounts
        .set_disabled("ann@example.com", false, &op(), when)
        .await
        .unwrap();
    let webhooks = t.db.webhooks();
    let endpoint = webhooks
        .add_endpoint(
            NewWebhookEndpoint {
                url: WebhookUrl::parse("https://user:pw-secret@hooks.example.com/x?k=v").unwrap(),
                events: EventFilter::parse("").unwrap(),
                secret: WebhookSecret::from_bytes(&[7; 32]),
                created_at: when,
            },
            &by_root,
        )
        .await
        .unwrap();
    assert!(webhooks
        .remove_endpoint(endpoint.id, &op(), when)
        .await
        .unwrap());
    // Nothing removed, nothing recorded.
    assert!(!webhooks
        .remove_endpoint(endpoint.id, &op(), when)
        .await
        .unwrap());
    // A token's change, as its store will record it.
    accounts
        .record_change(NewAccountChange {
            occurred_at: when,
            actor: by_root.clone(),
            change: AccountChange::TokenCreated {
                user: root,
                token: 42,
            },
        })
        .await
        .unwrap();

    let changes = accounts.list_changes(None, 100).await.unwrap();
    assert_eq!(
        kinds(&changes),
        vec![
            "token_created",
            "webhook_removed",
            "webhook_added",
            "enabled",
            "disabled",
            "password_set",
            "role_changed",
            "account_imported",
            "account_added",
        ]
    );
    let role = &changes[6];
    assert_eq!(role.actor, by_root);
    assert_eq!(role.actor_email.as_deref(), Some("root@example.com"));
    assert_eq!(role.subject_email.as_deref(), Some("ann@example.com"));
    assert_eq!(role.detail.as_deref(), Some("student → instructor"));
    assert_eq!(role.occurred_at, when);
    assert_eq!(changes[3].actor, ChangeActor::Operator("cli:test".into()));
    assert_eq!(changes[2].detail.as_deref(), Some("hooks.example.com"));
    assert_eq!(changes[2].object_id, Some(i64::from(endpoint.id.get())));
    assert_eq!(changes[0].object_id, Some(42));
    // No email, hash or secret is stored in the record itself.
    for stored in ["@example.com", "hash", "pw-secret", "k=v"] {
        assert_eq!(
            t.count_sql(&format!(
                "SELECT COUNT(*) AS n FROM admin_audit WHERE detail LIKE '%{stored}%' \
                 OR actor_name LIKE '%{stored}%'"
            )),
            0,
            "{stored}"
        );
    }
    // Keyset pages, newest first.
    let first = accounts.list_changes(None, 4).await.unwrap();
    let next = accounts.list_changes(Some(first[3].id), 4).await.unwrap();
    assert_eq!(kinds(&next), kinds(&changes[4..8]));
}

async fn the_last_enabled_admin_stays(t: TestDb) {
    let accounts = t.db.accounts();
    let root = created(&t, "root@example.com", Role::Admin).await;
    let now = Utc::now();
    assert_eq!(
        accounts
            .set_role("root@example.com", Role::Instructor, &op(), now)
            .await
            .unwrap(),
        AccountUpdate::LastAdmin
    );
    assert_eq!(
        accounts
            .set_disabled("root@example.com", true, &op(), now)
            .await
            .unwrap(),
        AccountUpdate::LastAdmin
    );
    assert_eq!(
        accounts
            .erase_account("root@example.com", &op(), now)
            .await
            .unwrap(),
        AccountUpdate::LastAdmin
    );
    assert_eq!(
        accounts.list_changes(None, 10).await.unwrap().len(),
        1,
        "refusals record nothing"
    );
    // A disabled second admin does not count; an enabled one does.
    let deputy = created(&t, "deputy@example.com", Role::Admin).await;
    accounts
        .set_disabled("deputy@example.com", true, &op(), now)
        .await
        .unwrap();
    assert_eq!(
        accounts
            .set_role("root@example.com", Role::Student, &op(), now)
            .await
            .unwrap(),
        AccountUpdate::LastAdmin
    );
    accounts
        .set_disabled("deputy@example.com", false, &op(), now)
        .await
        .unwrap();
    assert_eq!(
        accounts
            .set_role("root@example.com", Role::Student, &op(), now)
            .await
            .unwrap(),
        AccountUpdate::Done(root)
    );
    // Now the deputy is the last one.
    assert_eq!(
        accounts
            .set_disabled("deputy@example.com", true, &op(), now)
            .await
            .unwrap(),
        AccountUpdate::LastAdmin
    );
    assert_ne!(deputy, root);
}

async fn two_admins_demoting_each_other_at_once_leave_one_admin(t: TestDb) {
    // A second handle on the same database: its own pool (and, on SQLite, its own writer),
    // as a second process would have.
    let other =
        sensei_diesel::Database::connect(&t.url, sensei_diesel::PoolOptions::default()).unwrap();
    for round in 0..3 {
        let (a, b) = (
            format!("a{round}@example.com"),
            format!("b{round}@example.com"),
        );
        created(&t, &a, Role::Admin).await;
        created(&t, &b, Role::Admin).await;
        // Only these two are enabled admins: the earlier rounds' survivor steps down first.
        t.execute_sql(&format!(
            "UPDATE users SET disabled_at = '2026-01-01 00:00:00' \
             WHERE role = 'admin' AND email NOT IN ('{a}', '{b}')"
        ));
        let (mine, theirs, by) = (t.db.accounts(), other.accounts(), op());
        let (first, second) = tokio::join!(
            mine.set_role(&a, Role::Student, &by, Utc::now()),
            theirs.set_role(&b, Role::Student, &by, Utc::now()),
        );
        let outcomes = [first.unwrap(), second.unwrap()];
        assert_eq!(
            outcomes
                .iter()
                .filter(|outcome| **outcome == AccountUpdate::LastAdmin)
                .count(),
            1,
            "{outcomes:?}"
        );
        assert_eq!(
            t.count_sql(
                "SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled_at IS NULL"
            ),
            1
        );
    }
}

async fn accounts_are_listed_in_filtered_keyset_pages(t: TestDb) {
    let accounts = t.db.accounts();
    for (email, role) in [
        ("a1@school.test", Role::Student),
        ("a2@school.test", Role::Student),
        ("b_1@other.test", Role::Instructor),
        ("b%2@other.test", Role::Student),
        ("c@school.test", Role::Admin),
    ] {
        created(&t, email, role).await;
    }
    let emails = |listed: Vec<AccountSummary>| -> Vec<String> {
        listed
            .into_iter()
            .map(|summary| summary.account.email)
            .collect()
    };
    let page = |email_contains: Option<&str>, role, after: Option<&str>| AccountQuery {
        email_contains: email_contains.map(str::to_owned),
        role,
        after_email: after.map(str::to_owned),
    };
    assert_eq!(
        emails(
            accounts
                .list_accounts(&page(None, None, None), 2)
                .await
                .unwrap()
        ),
        vec!["a1@school.test", "a2@school.test"]
    );
    assert_eq!(
        emails(
            accounts
                .list_accounts(&page(None, None, Some("a2@school.test")), 2)
                .await
                .unwrap()
        ),
        vec!["b%2@other.test", "b_1@other.test"]
    );
    assert_eq!(
        emails(
            accounts
                .list_accounts(&page(Some("school"), Some(Role::Student), None), 10)
                .await
                .unwrap()
        ),
        vec!["a1@school.test", "a2@school.test"]
    );
    // `%` and `_` are literal, not wildcards.
    assert_eq!(
        emails(
            accounts
                .list_accounts(&page(Some("b_"), None, None), 10)
                .await
                .unwrap()
        ),
        vec!["b_1@other.test"]
    );
    assert_eq!(
        emails(
            accounts
                .list_accounts(&page(Some("%"), None, None), 10)
                .await
                .unwrap()
        ),
        vec!["b%2@other.test"]
    );
}

crate::both_backends!(
    every_change_is_recorded_with_who_and_what,
    the_last_enabled_admin_stays,
    two_admins_demoting_each_other_at_once_leave_one_admin,
    accounts_are_listed_in_filtered_keyset_pages,
);
