//! What the admins' list shows of each recorded change (its kind, the account, the endpoint
//! or token, the detail), who made it, and the erased-account tombstone.

use crate::domain::{
    erased_email, is_erased_email, AccountChange, AccountChangeKind, ChangeActor, Role, UserId,
    WebhookEndpointId, WebhookUrl,
};

const USER: UserId = UserId(3);

#[test]
fn each_change_shows_its_kind_account_object_and_detail() {
    let endpoint = WebhookEndpointId(12);
    let rows = [
        (
            AccountChange::AccountAdded {
                user: USER,
                role: Role::Instructor,
            },
            "account_added",
            Some(USER),
            None,
            Some("instructor"),
        ),
        (
            AccountChange::AccountImported {
                user: USER,
                role: Role::Student,
            },
            "account_imported",
            Some(USER),
            None,
            Some("student"),
        ),
        (
            AccountChange::RoleChanged {
                user: USER,
                from: Role::Admin,
                to: Role::Instructor,
            },
            "role_changed",
            Some(USER),
            None,
            Some("admin → instructor"),
        ),
        (
            AccountChange::PasswordSet { user: USER },
            "password_set",
            Some(USER),
            None,
            None,
        ),
        (
            AccountChange::Disabled { user: USER },
            "disabled",
            Some(USER),
            None,
            None,
        ),
        (
            AccountChange::Enabled { user: USER },
            "enabled",
            Some(USER),
            None,
            None,
        ),
        (
            AccountChange::Erased { user: USER },
            "erased",
            Some(USER),
            None,
            None,
        ),
        (
            AccountChange::WebhookEndpointAdded {
                endpoint,
                host: "hooks.example.com".to_owned(),
            },
            "webhook_added",
            None,
            Some(12),
            Some("hooks.example.com"),
        ),
        (
            AccountChange::WebhookEndpointRemoved { endpoint },
            "webhook_removed",
            None,
            Some(12),
            None,
        ),
        (
            AccountChange::TokenCreated {
                user: USER,
                token: 41,
            },
            "token_created",
            Some(USER),
            Some(41),
            None,
        ),
        (
            AccountChange::TokenRevoked {
                user: USER,
                token: 42,
            },
            "token_revoked",
            Some(USER),
            Some(42),
            None,
        ),
    ];
    assert_eq!(rows.len(), AccountChangeKind::ALL.len());
    for (change, kind, subject, object, detail) in rows {
        assert_eq!(change.kind().as_str(), kind);
        assert_eq!(AccountChangeKind::parse(kind), Some(change.kind()));
        assert_eq!(change.subject_user(), subject, "{kind}");
        assert_eq!(change.object_id(), object, "{kind}");
        assert_eq!(change.detail().as_deref(), detail, "{kind}");
    }
    for stored in ["", "Role_Changed", "role_changed ", "xyzzy"] {
        assert_eq!(AccountChangeKind::parse(stored), None, "{stored:?}");
    }
}

#[test]
fn an_added_endpoint_keeps_only_its_host_at_most_200_characters() {
    let url = WebhookUrl::parse("https://user:s3cret@Hooks.Example.com:8443/path?key=abc").unwrap();
    let change = AccountChange::webhook_added(WebhookEndpointId(5), &url);
    assert_eq!(
        change,
        AccountChange::WebhookEndpointAdded {
            endpoint: WebhookEndpointId(5),
            host: "hooks.example.com".to_owned(),
        }
    );
    let address = WebhookUrl::parse("http://192.0.2.7/hook").unwrap();
    assert_eq!(
        AccountChange::webhook_added(WebhookEndpointId(6), &address).detail(),
        Some("192.0.2.7".to_owned())
    );
    let label = "a".repeat(60);
    let long_host = format!("{label}.{label}.{label}.{label}.example.com");
    let long = WebhookUrl::parse(&format!("https://{long_host}/")).unwrap();
    let Some(host) = AccountChange::webhook_added(WebhookEndpointId(7), &long).detail() else {
        panic!("an added endpoint has a detail");
    };
    assert_eq!(host, long_host.chars().take(200).collect::<String>());
}

#[test]
fn a_change_says_which_user_or_which_operator_made_it() {
    let user = ChangeActor::User(USER);
    assert_eq!((user.user(), user.operator()), (Some(USER), None));
    let operator = ChangeActor::Operator("cli:root".to_owned());
    assert_eq!(
        (operator.user(), operator.operator()),
        (None, Some("cli:root"))
    );
}

#[test]
fn only_the_exact_tombstone_marks_an_erased_account() {
    assert_eq!(erased_email(UserId(42)), "erased-42@invalid");
    assert!(is_erased_email(&erased_email(UserId(42))));
    assert!(is_erased_email(" Erased-7@INVALID "));
    for other in [
        "erased-@invalid",
        "erased-x@invalid",
        "erased-7a@invalid",
        "erased-7@invalid.example",
        "xerased-7@invalid",
        "amy@example.com",
        "",
    ] {
        assert!(!is_erased_email(other), "{other:?}");
    }
}
