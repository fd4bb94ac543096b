use chrono::TimeZone;

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap()
}

#[test]
fn a_token_is_the_prefix_and_64_hex_digits_of_its_random_bytes() {
    let mut bytes = [0_u8; API_TOKEN_BYTES];
    bytes[0] = 0xab;
    let token = ApiToken::from_random(bytes);
    assert_eq!(token.as_str().len(), API_TOKEN_CHARS);
    assert!(token.as_str().starts_with("sst_ab00"));
    assert_eq!(ApiToken::parse(token.as_str()), Some(token));
}

#[test]
fn the_hash_is_the_sha256_of_the_whole_text_and_differs_from_it() {
    let token = ApiToken::from_random([0_u8; API_TOKEN_BYTES]);
    let hash = token.hash();
    assert_eq!(hash.as_str().len(), 64);
    assert!(!hash.as_str().contains(token.as_str()));
    assert_eq!(hash, ApiToken::from_random([0_u8; API_TOKEN_BYTES]).hash());
    assert_ne!(hash, ApiToken::from_random([1_u8; API_TOKEN_BYTES]).hash());
}

#[test]
fn malformed_tokens_are_refused_without_a_lookup() {
    let digits = "0".repeat(64);
    assert!(ApiToken::parse(&format!("sst_{digits}")).is_some());
    for raw in [
        String::new(),
        digits.clone(),
        format!("sst_{}", "0".repeat(63)),
        format!("sst_{}", "0".repeat(65)),
        format!("SST_{digits}"),
        format!("sst_{}", "A".repeat(64)),
        format!("xyz_{digits}"),
        format!(" sst_{digits}"),
        format!("sst_{}é", "0".repeat(62)),
    ] {
        assert_eq!(ApiToken::parse(&raw), None, "{raw:?}");
    }
}

#[test]
fn the_token_never_shows_in_debug_output() {
    let token = ApiToken::from_random([7_u8; API_TOKEN_BYTES]);
    assert_eq!(format!("{token:?}"), "ApiToken(<redacted>)");
}

#[test]
fn names_are_trimmed_bounded_and_free_of_control_characters() {
    assert_eq!(
        ApiTokenName::new("  nightly  ").unwrap().as_str(),
        "nightly"
    );
    assert_eq!(ApiTokenName::new("").unwrap().as_str(), "");
    assert!(ApiTokenName::new(&"é".repeat(MAX_API_TOKEN_NAME_CHARS)).is_ok());
    assert_eq!(
        ApiTokenName::new(&"x".repeat(MAX_API_TOKEN_NAME_CHARS + 1)),
        Err(ApiTokenInputError::NameTooLong(
            MAX_API_TOKEN_NAME_CHARS + 1
        ))
    );
    for bad in ["a\nb", "a\0b", "a\u{7}b"] {
        assert_eq!(ApiTokenName::new(bad), Err(ApiTokenInputError::NameControl));
    }
}

#[test]
fn lifetimes_are_days_within_the_maximum() {
    assert_eq!(ApiTokenLifetime::default().in_days(), 90);
    assert_eq!(ApiTokenLifetime::parse("30d").unwrap().in_days(), 30);
    assert_eq!(ApiTokenLifetime::parse(" 7 ").unwrap().in_days(), 7);
    assert_eq!(ApiTokenLifetime::parse("365D").unwrap().in_days(), 365);
    assert_eq!(
        ApiTokenLifetime::parse("366d"),
        Err(ApiTokenInputError::LifetimeRange(366))
    );
    assert_eq!(
        ApiTokenLifetime::parse("0d"),
        Err(ApiTokenInputError::LifetimeRange(0))
    );
    for bad in ["never", "3w", "", "d", "-1x"] {
        assert!(
            matches!(
                ApiTokenLifetime::parse(bad),
                Err(ApiTokenInputError::LifetimeFormat(_))
            ),
            "{bad:?}"
        );
    }
    assert_eq!(
        ApiTokenLifetime::parse("90d").unwrap().expiry_from(now()),
        now() + Duration::days(90)
    );
}

#[test]
fn a_token_expires_at_its_instant() {
    assert!(!is_expired(now() + Duration::seconds(1), now()));
    assert!(is_expired(now(), now()));
    assert!(is_expired(now() - Duration::seconds(1), now()));
}

#[test]
fn last_use_is_written_at_most_once_a_minute() {
    assert!(last_use_is_due(None, now()));
    assert!(!last_use_is_due(Some(now()), now()));
    assert!(!last_use_is_due(Some(now() - Duration::seconds(59)), now()));
    assert!(last_use_is_due(Some(now() - Duration::seconds(60)), now()));
    // A clock that went back writes nothing.
    assert!(!last_use_is_due(Some(now() + Duration::hours(1)), now()));
}

#[test]
fn a_listed_token_is_revoked_before_it_is_expired() {
    let record = ApiTokenRecord {
        id: ApiTokenId(1),
        owner: UserId(2),
        owner_email: "a@example.com".to_owned(),
        name: ApiTokenName::default(),
        created_at: now() - Duration::days(1),
        expires_at: now() + Duration::days(1),
        last_used_at: None,
        revoked_at: None,
    };
    assert_eq!(record.status_at(now()), ApiTokenStatus::Active);
    assert_eq!(
        record.status_at(now() + Duration::days(2)),
        ApiTokenStatus::Expired
    );
    let revoked = ApiTokenRecord {
        revoked_at: Some(now()),
        ..record
    };
    assert_eq!(
        revoked.status_at(now() + Duration::days(2)),
        ApiTokenStatus::Revoked
    );
}
