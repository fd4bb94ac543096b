//! Message previews cut on character boundaries.

use crate::services::preview;

#[test]
fn text_within_the_limit_is_returned_unchanged() {
    assert_eq!(preview("", 5), "");
    assert_eq!(preview("short", 10), "short");
    assert_eq!(preview("exact", 5), "exact");
    assert_eq!(preview("ééééé", 5), "ééééé");
}

#[test]
fn longer_text_keeps_the_first_characters_and_ends_with_an_ellipsis() {
    assert_eq!(preview("abcdefgh", 3), "abc…");
}

#[test]
fn multibyte_text_is_cut_between_characters_never_inside_one() {
    assert_eq!(preview("ééééééé", 3), "ééé…");
    assert_eq!(preview("日本語のテキスト", 2), "日本…");
    assert_eq!(preview("🦀🦀🦀🦀", 1), "🦀…");
    assert_eq!(preview("ab🦀cd", 3), "ab🦀…");
}

#[test]
fn whitespace_before_the_cut_is_dropped() {
    assert_eq!(preview("one two three", 4), "one…");
}

#[test]
fn a_limit_of_zero_leaves_only_the_ellipsis() {
    assert_eq!(preview("anything", 0), "…");
}
