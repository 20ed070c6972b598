//! Text that came from a user's file, made safe to show: on a terminal and in file names.
//!
//! A scenario, a data file or a session log may hold anything, including NUL, ESC and the
//! rest of the control characters (`ESC[2J` clears a terminal), or bidirectional overrides
//! that make a line read differently from what it is. Names are refused when they hold such
//! characters ([`is_shown_char`]); a message that quotes what a user wrote goes through
//! [`shown`], and the binary passes every message it prints through [`terminal_safe`], so
//! nothing a user wrote reaches the terminal as a control sequence.

/// The most characters of a user's text a message quotes before it shortens it.
pub const QUOTE_CHARS: usize = 60;

/// Whether `c` is a bidirectional embedding, override or isolate (U+202A–U+202E,
/// U+2066–U+2069) or a mark that changes how neighbouring text is ordered.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Whether a terminal shows `c` as itself: not a control character (C0, DEL, C1), not a
/// bidirectional control, not the byte-order mark.
pub fn is_shown_char(c: char) -> bool {
    !c.is_control() && !is_bidi_control(c) && c != '\u{FEFF}'
}

/// The first character of `s` that a terminal would not show as itself, allowing newlines and
/// tabs when `multiline` (descriptions).
pub fn first_hidden_char(s: &str, multiline: bool) -> Option<char> {
    s.chars()
        .find(|&c| !(is_shown_char(c) || (multiline && (c == '\n' || c == '\t' || c == '\r'))))
}

/// A character as a message names it: `U+001B`.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// User text quoted in a message: hidden characters written as `\u{1b}`, and at most
/// [`QUOTE_CHARS`] characters (then `…` and the length).
pub fn shown(s: &str) -> String {
    let mut out = String::new();
    let total = s.chars().count();
    for (i, c) in s.chars().enumerate() {
        if i == QUOTE_CHARS {
            out.push_str(&format!("… ({total} characters)"));
            break;
        }
        if is_shown_char(c) {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    out
}

/// A whole message made safe for a terminal: every hidden character but newline and tab
/// written as `\u{…}`.
pub fn terminal_safe(s: &str) -> String {
    if first_hidden_char(s, true).is_none() && !s.contains('\r') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_shown_char(c) || c == '\n' || c == '\t' {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_are_never_shown_raw() {
        assert_eq!(shown("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(shown("x\0y"), "x\\u{0}y");
        assert_eq!(shown("\u{202E}abc"), "\\u{202e}abc");
        assert_eq!(
            terminal_safe("line 1\nline\u{1b}[31m 2\r"),
            "line 1\nline\\u{1b}[31m 2\\u{d}"
        );
        assert_eq!(terminal_safe("plain: ok"), "plain: ok");
        assert_eq!(first_hidden_char("Türkiye", false), None);
        assert_eq!(first_hidden_char("a\nb", false), Some('\n'));
        assert_eq!(first_hidden_char("a\nb\tc", true), None);
        assert_eq!(first_hidden_char("a\u{7f}", true), Some('\u{7f}'));
        assert_eq!(code_point('\u{1b}'), "U+001B");
    }

    #[test]
    fn long_text_is_shortened_in_messages() {
        let long = "x".repeat(1000);
        let s = shown(&long);
        assert!(s.len() < 100 && s.ends_with("(1000 characters)"), "{s}");
        assert_eq!(shown("short"), "short");
    }
}
