//! Unit tests of `webhooks`, kept apart so the module itself stays one readable page.
use super::*;

#[test]
fn every_spelling_of_an_address_becomes_the_address() {
    let address = |raw: &str| match WebhookUrl::parse(raw).unwrap().host() {
        WebhookHost::Address(ip) => ip.to_string(),
        WebhookHost::Name(name) => format!("name {name}"),
    };
    assert_eq!(address("http://127.1/"), "127.0.0.1");
    assert_eq!(address("http://0x7f000001/"), "127.0.0.1");
    assert_eq!(address("http://2130706433/"), "127.0.0.1");
    assert_eq!(address("http://0177.0.0.1/"), "127.0.0.1");
    assert_eq!(address("http://[::ffff:127.0.0.1]/"), "::ffff:127.0.0.1");
    assert_eq!(address("http://169.254.169.254/latest"), "169.254.169.254");
    assert_eq!(
        address("https://Hooks.Example.COM/x"),
        "name hooks.example.com"
    );
    assert_eq!(
        WebhookUrl::parse("https://example.com/").unwrap().port(),
        443
    );
    assert_eq!(
        WebhookUrl::parse("http://example.com:81/").unwrap().port(),
        81
    );
}

#[test]
fn failures_are_summed_up_in_generic_words() {
    let cases = [
        (
            Some(500),
            Some("the receiver answered 500 Internal Server Error"),
            "HTTP 500",
        ),
        (Some(204), None, ""),
        (None, Some("timed out: operation timed out"), "timed out"),
        (
            None,
            Some("timed out: cut short, every delivery slot was held"),
            "timed out",
        ),
        (
            None,
            Some("could not connect: tcp connect error: 10.0.0.7:22 refused"),
            "could not connect",
        ),
        (
            None,
            Some("refused: 169.254.169.254 is not an address"),
            "address not allowed",
        ),
        (
            None,
            Some("request failed: connection reset"),
            "request failed",
        ),
        (None, Some("something else"), "request failed"),
        (None, None, ""),
    ];
    for (status, error, shown) in cases {
        assert_eq!(failure_summary(status, error), shown, "{error:?}");
    }
}

#[test]
fn credentials_in_a_url_are_never_shown() {
    let url = WebhookUrl::parse("https://bob:s3cret@example.com/hook?a=1").unwrap();
    assert_eq!(url.masked(), "https://***@example.com/hook?a=1");
    assert!(url.as_str().contains("s3cret"), "kept for posting");
    let plain = WebhookUrl::parse("https://example.com/hook").unwrap();
    assert_eq!(plain.masked(), "https://example.com/hook");
}

#[test]
fn urls_must_be_http_with_a_host() {
    assert_eq!(
        WebhookUrl::parse(" https://example.com/hook ")
            .unwrap()
            .as_str(),
        "https://example.com/hook"
    );
    assert_eq!(
        WebhookUrl::parse("http://127.0.0.1:9000").unwrap().as_str(),
        "http://127.0.0.1:9000/"
    );
    assert!(WebhookUrl::parse("http://[::1]:9000/x").is_ok());
    for bad in [
        "ftp://example.com",
        "https://",
        "http:///path",
        "example.com",
        "http://exa mple.com",
        "javascript:alert(1)",
        "http:example.com",
        "http:\\\\example.com",
        "http://user@/x",
    ] {
        assert!(
            matches!(
                WebhookUrl::parse(bad),
                Err(WebhookInputError::NotHttpUrl(_))
            ),
            "{bad}"
        );
    }
    let long = format!("https://example.com/{}", "a".repeat(2000));
    assert_eq!(
        WebhookUrl::parse(&long),
        Err(WebhookInputError::UrlTooLong(2020))
    );
}

#[test]
fn event_lists_parse_store_and_match() {
    assert_eq!(EventFilter::parse(""), Ok(EventFilter::All));
    assert_eq!(EventFilter::parse("all"), Ok(EventFilter::All));
    let filter = EventFilter::parse("cancelled, Booked,booked").unwrap();
    assert_eq!(
        filter,
        EventFilter::Only(vec![EventKind::Booked, EventKind::Cancelled])
    );
    assert_eq!(filter.stored().as_deref(), Some(",booked,cancelled,"));
    assert_eq!(EventFilter::from_stored(Some(",booked,cancelled,")), filter);
    assert!(filter.matches(EventKind::Booked));
    assert!(!filter.matches(EventKind::Claimed));
    assert_eq!(filter.to_string(), "booked,cancelled");
    assert_eq!(
        EventFilter::parse("booked,shipped"),
        Err(WebhookInputError::UnknownEvent("shipped".into()))
    );
    assert_eq!(
        EventFilter::parse("booked,claimed,renewed,released,completed,cancelled"),
        Ok(EventFilter::All)
    );
}

#[test]
fn a_secret_is_hex_and_never_debug_printed() {
    let secret = WebhookSecret::from_bytes(&[0xab; 32]);
    assert_eq!(secret.as_str(), "ab".repeat(32));
    assert!(!format!("{secret:?}").contains("ab"));
}

#[test]
fn only_a_2xx_answer_is_a_success() {
    let result = |status| AttemptResult {
        status,
        latency_ms: 3,
        error: None,
    };
    assert!(result(Some(200)).is_success());
    assert!(result(Some(204)).is_success());
    assert!(!result(Some(500)).is_success());
    assert!(!result(Some(301)).is_success());
    assert!(!result(None).is_success());
}
