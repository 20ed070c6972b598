//! The one HTML escape of the crate: text placed in an HTML or SVG page, as element content or
//! as a quoted attribute value (the report, the charts' titles, the game's board, debrief and
//! fan charts).

/// Escapes `&`, `<`, `>`, `"` and `'` so that `s` is safe as element text or attribute value.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_special_character_is_escaped() {
        assert_eq!(
            super::escape(r#"<a href="x">Tom & Jerry's</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
        assert_eq!(super::escape("Türkiye – 0.5"), "Türkiye – 0.5");
    }
}
