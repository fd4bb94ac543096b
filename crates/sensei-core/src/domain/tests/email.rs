//! Email: the stored kinds, the skip labels the outbox records, the link secret's digest (what
//! stores keep: a change would orphan every link already sent) and its `Debug`, and header
//! text that no Unicode line or control character can break.

use crate::domain::{header_text, EmailKind, LinkSecret, Skip, LINK_SECRET_BYTES};

#[test]
fn email_kinds_have_stable_stored_forms_read_back_trimmed() {
    let forms = [
        (EmailKind::Booked, "booked"),
        (EmailKind::Claimed, "claimed"),
        (EmailKind::Completed, "completed"),
        (EmailKind::Cancelled, "cancelled"),
        (EmailKind::PasswordReset, "password_reset"),
    ];
    assert_eq!(
        EmailKind::ALL.map(EmailKind::as_str),
        forms.map(|(_, text)| text)
    );
    for (kind, text) in forms {
        assert_eq!(EmailKind::parse(&format!(" {text}\n")), Some(kind));
    }
    for other in ["", "Booked", "reset", "xyzzy"] {
        assert_eq!(EmailKind::parse(other), None, "{other:?}");
    }
}

#[test]
fn each_skip_has_its_own_label() {
    let labels = [
        (Skip::OptedOut, "opted out"),
        (Skip::Gone, "recipient or session gone"),
        (Skip::ResetSpent, "reset link expired or used"),
        (Skip::NotSent, "no email for this event"),
    ];
    for (skip, label) in labels {
        assert_eq!(skip.label(), label);
    }
}

#[test]
fn a_link_secret_is_stored_as_the_sha256_of_its_text_and_debug_hides_it() {
    let secret = LinkSecret::from_random([0xab; LINK_SECRET_BYTES]);
    assert_eq!(
        secret.digest(),
        "271a413bd339c5709fdceaec41f14f11e9fbfb5042d72d331c65f32b284cd09a"
    );
    assert_eq!(format!("{secret:?}"), "LinkSecret(<hidden>)");
    let digits = LinkSecret::from_random([0x01; LINK_SECRET_BYTES]);
    assert_eq!(digits.as_str(), "01".repeat(LINK_SECRET_BYTES));
    assert_eq!(
        LinkSecret::parse(&format!(" {} ", digits.as_str())),
        Some(digits)
    );
    assert_eq!(
        LinkSecret::parse(&"a".repeat(LINK_SECRET_BYTES * 2 - 1)),
        None
    );
    assert_eq!(
        LinkSecret::parse(&"a".repeat(LINK_SECRET_BYTES * 2 + 1)),
        None
    );
}

#[test]
fn header_text_turns_every_unicode_space_and_control_character_into_one_space() {
    // A no-break space and a line separator are spaces but not control characters; a bell
    // and a NUL are control characters but not spaces.
    assert_eq!(header_text("a\u{a0}b\u{2028}c\u{7}d\0e", 80), "a b c d e");
    assert_eq!(header_text("\u{2029}\u{85} x", 80), "x");
    assert_eq!(header_text("ab  cd", 4), "ab c…");
    assert_eq!(header_text("abc", 3), "abc");
}
