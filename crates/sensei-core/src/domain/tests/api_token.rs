//! API tokens as stores and clients see them: the token's exact form, the digest a store
//! keeps (a change would lock out every token already handed out), names and hashes read
//! back as stored, the expiry instant and the status words.

use chrono::{Duration, TimeZone, Utc};

use crate::domain::{
    ApiToken, ApiTokenHash, ApiTokenLifetime, ApiTokenName, ApiTokenStatus, API_TOKEN_BYTES,
    API_TOKEN_CHARS,
};

#[test]
fn a_token_is_stored_as_the_sha256_of_its_whole_text() {
    let token = ApiToken::from_random([0; API_TOKEN_BYTES]);
    assert_eq!(API_TOKEN_CHARS, 68);
    assert_eq!(token.as_str(), format!("sst_{}", "0".repeat(64)));
    let hash = token.hash();
    assert_eq!(
        hash.as_str(),
        "fe6200ba7c470c47f1f511ac126829be50a23e1088c01a5d450da7ddfc69ce59"
    );
    assert_eq!(ApiTokenHash::from_stored(hash.as_str()), hash);
    assert_eq!(ApiTokenHash::from_stored("abc").as_str(), "abc");
}

#[test]
fn only_the_exact_lowercase_form_is_a_token() {
    let digits = "0123456789abcdef".repeat(4);
    assert!(ApiToken::parse(&format!("sst_{digits}")).is_some());
    for raw in [
        format!("sst_{}", digits.to_uppercase()),
        format!("sst_{}", &digits[1..]),
        format!("sst_{digits}0"),
        format!("SST_{digits}"),
        format!(" sst_{digits}"),
        digits.clone(),
    ] {
        assert_eq!(ApiToken::parse(&raw), None, "{raw:?}");
    }
}

#[test]
fn a_stored_name_reads_back_as_stored() {
    assert_eq!(
        ApiTokenName::from_stored("  nightly export ").as_str(),
        "  nightly export "
    );
}

#[test]
fn a_token_expires_its_lifetime_in_days_after_it_was_made() {
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap();
    assert_eq!(
        ApiTokenLifetime::days(30).unwrap().expiry_from(now),
        now + Duration::days(30)
    );
    assert_eq!(
        ApiTokenLifetime::default().expiry_from(now),
        Utc.with_ymd_and_hms(2027, 2, 26, 10, 0, 0).unwrap()
    );
}

#[test]
fn statuses_have_stable_words() {
    assert_eq!(ApiTokenStatus::Active.as_str(), "active");
    assert_eq!(ApiTokenStatus::Expired.as_str(), "expired");
    assert_eq!(ApiTokenStatus::Revoked.as_str(), "revoked");
}
