//! Fragment identifiers for the page's sections: unique, and made only of characters that
//! need no escaping in an `id` or a `#` link, whatever the document's names contain.

use std::collections::HashSet;

/// The identifiers given out so far.
#[derive(Debug, Default)]
pub struct Anchors {
    taken: HashSet<String>,
}

impl Anchors {
    /// A new identifier `prefix-name`: letters, digits, `-` and `_` kept, anything else a
    /// `-`, and a number appended when that is already taken.
    pub fn make(&mut self, prefix: &str, name: &str) -> String {
        let cleaned: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let base = format!("{prefix}-{cleaned}");
        let mut candidate = base.clone();
        let mut number = 2_u32;
        while self.taken.contains(&candidate) {
            candidate = format!("{base}-{number}");
            number = number.saturating_add(1);
        }
        self.taken.insert(candidate.clone());
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_and_never_repeated() {
        let mut anchors = Anchors::default();
        assert_eq!(anchors.make("op", "signIn"), "op-signIn");
        assert_eq!(anchors.make("op", "a b\"<c>"), "op-a-b--c-");
        assert_eq!(anchors.make("op", "a b'<c>"), "op-a-b--c--2");
        assert_eq!(anchors.make("op", "a_b?<c>"), "op-a_b--c-");
        assert_eq!(anchors.make("schema", "signIn"), "schema-signIn");
    }
}
