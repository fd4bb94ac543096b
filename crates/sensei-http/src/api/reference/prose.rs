//! Descriptions as paragraphs of plain, `code` and **strong** text.
//!
//! The document's descriptions are CommonMark, but ours use only blank-line paragraphs,
//! backticks and double asterisks, so this small reader covers them without a Markdown
//! dependency. It never produces markup: the template writes each piece escaped, so a
//! description cannot inject HTML whatever it contains. Anything it does not understand
//! (an unclosed backtick, a lone asterisk) stays as the text it was.

/// How a piece of text is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// As it is.
    Plain,
    /// In `<code>`.
    Code,
    /// In `<strong>`.
    Strong,
}

/// A run of text in one style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// How it is shown.
    pub style: Style,
    /// The text, unescaped (the template escapes it).
    pub text: String,
}

impl Span {
    /// Whether it is code (for the template).
    pub fn is_code(&self) -> bool {
        self.style == Style::Code
    }

    /// Whether it is strong (for the template).
    pub fn is_strong(&self) -> bool {
        self.style == Style::Strong
    }
}

/// One paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// Its runs of text, in order.
    pub spans: Vec<Span>,
}

/// Splits a description into paragraphs at blank lines; line breaks inside a paragraph are
/// spaces, as in Markdown.
pub fn paragraphs(text: &str) -> Vec<Paragraph> {
    let mut found = Vec::new();
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            if !lines.is_empty() {
                found.push(Paragraph {
                    spans: spans(&lines.join(" ")),
                });
                lines.clear();
            }
        } else {
            lines.push(line.trim());
        }
    }
    found
}

/// The markers this reader knows, with the style of what they enclose.
const MARKERS: [(&str, Style); 2] = [("`", Style::Code), ("**", Style::Strong)];

/// Splits one paragraph into runs: the earliest marker with a closing twin opens a run.
fn spans(text: &str) -> Vec<Span> {
    let mut found = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some((start, marker, style)) = MARKERS
        .iter()
        .filter_map(|&(marker, style)| rest.find(marker).map(|at| (at, marker, style)))
        .min_by_key(|&(at, _, _)| at)
    {
        let inner_start = start + marker.len();
        let Some(length) = rest[inner_start..].find(marker) else {
            // No closing twin: this marker is plain text; later ones may still pair up.
            plain.push_str(&rest[..inner_start]);
            rest = &rest[inner_start..];
            continue;
        };
        plain.push_str(&rest[..start]);
        push(&mut found, Style::Plain, std::mem::take(&mut plain));
        push(
            &mut found,
            style,
            rest[inner_start..inner_start + length].to_owned(),
        );
        rest = &rest[inner_start + length + marker.len()..];
    }
    plain.push_str(rest);
    push(&mut found, Style::Plain, plain);
    found
}

/// Appends a run unless it is empty.
fn push(spans: &mut Vec<Span>, style: Style, text: String) {
    if !text.is_empty() {
        spans.push(Span { style, text });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(style: Style, text: &str) -> Span {
        Span {
            style,
            text: text.to_owned(),
        }
    }

    #[test]
    fn blank_lines_separate_paragraphs_and_line_breaks_are_spaces() {
        let read = paragraphs("One\nline.\n\n  \nTwo.\n");
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].spans, [span(Style::Plain, "One line.")]);
        assert_eq!(read[1].spans, [span(Style::Plain, "Two.")]);
        assert!(paragraphs("  \n\n").is_empty());
    }

    #[test]
    fn backticks_and_double_asterisks_become_code_and_strong() {
        let read = paragraphs("**Errors**: `{\"code\": \"x\"}` with a `code`.");
        assert_eq!(
            read[0].spans,
            [
                span(Style::Strong, "Errors"),
                span(Style::Plain, ": "),
                span(Style::Code, "{\"code\": \"x\"}"),
                span(Style::Plain, " with a "),
                span(Style::Code, "code"),
                span(Style::Plain, "."),
            ]
        );
    }

    #[test]
    fn asterisks_inside_code_stay_code() {
        let read = paragraphs("`a ** b` **c**");
        assert_eq!(
            read[0].spans,
            [
                span(Style::Code, "a ** b"),
                span(Style::Plain, " "),
                span(Style::Strong, "c"),
            ]
        );
    }

    #[test]
    fn an_unclosed_marker_stays_text() {
        let read = paragraphs("a `b and **c");
        assert_eq!(read[0].spans, [span(Style::Plain, "a `b and **c")]);
        let later = paragraphs("a ` b **c**");
        assert_eq!(
            later[0].spans,
            [span(Style::Plain, "a ` b "), span(Style::Strong, "c")]
        );
    }

    #[test]
    fn markup_is_kept_as_text_for_the_template_to_escape() {
        let read = paragraphs("<script>alert(1)</script> `<b>`");
        assert_eq!(
            read[0].spans,
            [
                span(Style::Plain, "<script>alert(1)</script> "),
                span(Style::Code, "<b>"),
            ]
        );
    }
}
