//! RFC 5545 content lines, written by hand so that every byte of the feed is ours to answer
//! for: TEXT escaping (section 3.3.11) and line folding (section 3.1).
//!
//! Why not a builder crate: the one used before passed a bare CR through unescaped, which
//! calendar apps read as a line break inside a property (an injected property, at worst).

/// The longest line, in octets, without its CRLF (RFC 5545 3.1: "SHOULD NOT be longer than
/// 75 octets, excluding the line break").
pub const MAX_LINE_OCTETS: usize = 75;

/// Escapes a TEXT value (RFC 5545 3.3.11): a backslash, `;` and `,` get a backslash before
/// them; every line break, whether CRLF, a bare CR or a bare LF, becomes `\n`. Other control
/// characters (which TEXT cannot carry at all, escaped or not) are dropped; a tab stays.
pub fn escape_text(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\r' => {
                // CRLF is one line break, not two.
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                escaped.push_str("\\n");
            }
            '\n' => escaped.push_str("\\n"),
            '\t' => escaped.push('\t'),
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// Appends the content line `name:value` to `out`, folded so that no line exceeds
/// [`MAX_LINE_OCTETS`]: a fold is a CRLF followed by one space, placed only between UTF-8
/// characters (a reader joins the lines back by removing exactly that CRLF and space). The
/// line ends with CRLF. `value` must already be in its wire form (see [`escape_text`]).
pub fn push_line(out: &mut String, name: &str, value: &str) {
    let line = format!("{name}:{value}");
    let mut room = MAX_LINE_OCTETS;
    let mut used = 0;
    for c in line.chars() {
        let width = c.len_utf8();
        if used + width > room {
            out.push_str("\r\n ");
            // A continuation line's leading space counts towards its 75 octets.
            room = MAX_LINE_OCTETS - 1;
            used = 0;
        }
        out.push(c);
        used += width;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_special_character_and_line_break_is_escaped() {
        assert_eq!(escape_text(r"a\b;c,d"), r"a\\b\;c\,d");
        assert_eq!(escape_text("1\r\n2\r3\n4"), r"1\n2\n3\n4");
        assert_eq!(escape_text("\r\r\n\n"), r"\n\n\n");
        assert_eq!(escape_text("tab\there"), "tab\there");
        assert_eq!(escape_text("nul\0 bell\x07 del\x7f"), "nul bell del");
        assert_eq!(escape_text("naïve – 日本"), "naïve – 日本");
    }

    /// A reader's side, as RFC 5545 describes it: unfold (drop each CRLF + space), split at
    /// the first colon, unescape.
    fn read_back(wire: &str) -> (String, String) {
        let unfolded = wire
            .strip_suffix("\r\n")
            .expect("a line ends with CRLF")
            .replace("\r\n ", "");
        assert!(!unfolded.contains(['\r', '\n']), "one line: {unfolded:?}");
        let (name, value) = unfolded.split_once(':').expect("name:value");
        let mut text = String::new();
        let mut chars = value.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some('n' | 'N') => text.push('\n'),
                    Some(escaped @ ('\\' | ';' | ',')) => text.push(escaped),
                    other => panic!("bad escape {other:?} in {value:?}"),
                },
                ';' | ',' => panic!("unescaped {c:?} in {value:?}"),
                c => text.push(c),
            }
        }
        (name.to_owned(), text)
    }

    #[test]
    fn hostile_text_reads_back_as_written_with_line_breaks_as_newlines() {
        let long = format!("{}é{}", "x".repeat(70), "日本語,;\\".repeat(30));
        for text in [
            "plain",
            "bare\rCR",
            "SUMMARY:evil\rDTSTART:19700101T000000Z",
            "crlf\r\nand lf\n and \\n literal",
            "a;b,c\\d\\;",
            "\r\n\r\r\n\n",
            long.as_str(),
        ] {
            let mut wire = String::new();
            push_line(&mut wire, "SUMMARY", &escape_text(text));
            for line in wire.split_terminator("\r\n") {
                assert!(line.len() <= MAX_LINE_OCTETS, "{line:?}");
                assert!(!line.contains('\r'), "a bare CR on the wire: {line:?}");
            }
            let expected = text.replace("\r\n", "\n").replace('\r', "\n");
            assert_eq!(
                read_back(&wire),
                ("SUMMARY".to_owned(), expected),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_short_line_is_not_folded() {
        let mut out = String::new();
        push_line(&mut out, "SUMMARY", "short");
        assert_eq!(out, "SUMMARY:short\r\n");
        let mut exact = String::new();
        push_line(&mut exact, "X", &"a".repeat(73));
        assert_eq!(exact.len(), 75 + 2, "75 octets fit on one line");
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        // Three-octet characters: a fold never splits one.
        let value = "日".repeat(100);
        let mut out = String::new();
        push_line(&mut out, "DESCRIPTION", &value);
        let lines: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(lines.len() > 1);
        for (index, line) in lines.iter().enumerate() {
            assert!(line.len() <= MAX_LINE_OCTETS, "{index}: {line:?}");
            assert_eq!(index > 0, line.starts_with(' '), "{index}: {line:?}");
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, format!("DESCRIPTION:{value}"));
    }
}
