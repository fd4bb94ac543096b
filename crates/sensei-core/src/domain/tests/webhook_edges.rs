//! Webhook rules at their edges: the URL length limit, masking credentials of either kind,
//! the attempt error's cut, and the documentation range 3fff::/20 (not further).

use crate::domain::{
    is_public, AttemptResult, WebhookUrl, MAX_ATTEMPT_ERROR_CHARS, MAX_WEBHOOK_URL_CHARS,
};

#[test]
fn a_url_of_exactly_the_limit_is_accepted_and_one_more_character_is_not() {
    let base = "https://hooks.example.com/";
    let at_limit = format!("{base}{}", "a".repeat(MAX_WEBHOOK_URL_CHARS - base.len()));
    assert!(WebhookUrl::parse(&at_limit).is_ok());
    assert!(WebhookUrl::parse(&format!("{at_limit}a")).is_err());
}

#[test]
fn a_user_name_alone_or_a_password_alone_is_masked_too() {
    let user_only = WebhookUrl::parse("https://alice@hooks.example.com/x").unwrap();
    assert!(
        !user_only.masked().contains("alice"),
        "{}",
        user_only.masked()
    );
    let password_only = WebhookUrl::parse("https://:s3cret@hooks.example.com/x").unwrap();
    assert!(!password_only.masked().contains("s3cret"));
    let plain = WebhookUrl::parse("https://hooks.example.com/x").unwrap();
    assert_eq!(plain.masked(), "https://hooks.example.com/x");
}

#[test]
fn an_attempts_error_is_cut_to_the_limit_for_the_log() {
    let long = AttemptResult {
        status: None,
        latency_ms: 1,
        error: Some("é".repeat(MAX_ATTEMPT_ERROR_CHARS + 20)),
    };
    assert_eq!(
        long.error_for_log().map(|error| error.chars().count()),
        Some(MAX_ATTEMPT_ERROR_CHARS)
    );
    let short = AttemptResult {
        error: Some("connection refused".to_owned()),
        ..long
    };
    assert_eq!(short.error_for_log().as_deref(), Some("connection refused"));
}

#[test]
fn the_documentation_range_3fff_20_ends_where_it_ends() {
    let address = |raw: &str| raw.parse().unwrap();
    assert!(!is_public(address("3fff::1")));
    assert!(!is_public(address("3fff:0fff::1")));
    assert!(is_public(address("3fff:1000::1")));
}

#[test]
fn ipv6_forms_carrying_an_ipv4_address_are_as_public_as_that_address() {
    let public = |raw: &str| is_public(raw.parse().unwrap());
    // 6to4 (2002::/16): the address sits in the second and third groups.
    assert!(!public("2002:c0a8:0101::1"), "192.168.1.1");
    assert!(public("2002:0808:0808::1"), "8.8.8.8");
    // NAT64 (64:ff9b::/96).
    assert!(!public("64:ff9b::c0a8:101"), "192.168.1.1");
    assert!(public("64:ff9b::808:808"), "8.8.8.8");
    // IPv4-compatible (::a.b.c.d).
    assert!(public("::808:808"), "8.8.8.8");
    assert!(!public("::"));
    assert!(!public("::1"));
}

#[test]
fn special_ipv6_ranges_are_refused_and_their_neighbours_are_not() {
    let public = |raw: &str| is_public(raw.parse().unwrap());
    assert!(!public("fec0::1"), "site-local");
    assert!(!public("2001:db8::1"), "documentation");
    assert!(!public("2001:0:4136:e378::1"), "Teredo");
    // The same first group, another second group: an ordinary global address.
    assert!(public("2001:4860:4860::8888"));
    assert!(public("2001:db9::1"));
}
