//! A cancellation reason read back from storage.

use crate::domain::CancelReason;

#[test]
fn a_stored_reason_is_shown_as_stored_and_a_blank_one_is_none() {
    let kept = CancelReason::from_stored("  found the bug myself ".to_owned());
    assert_eq!(
        kept.as_ref().map(CancelReason::as_str),
        Some("  found the bug myself "),
        "stored text is shown as it was stored, not trimmed again"
    );
    for blank in ["", " ", "\t\n"] {
        assert_eq!(
            CancelReason::from_stored(blank.to_owned()),
            None,
            "{blank:?}"
        );
    }
}

#[test]
fn a_parsed_reason_is_trimmed() {
    let parsed = CancelReason::parse("  sorted it out\n").unwrap();
    assert_eq!(
        parsed.as_ref().map(CancelReason::as_str),
        Some("sorted it out")
    );
}
