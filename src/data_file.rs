//! The word lists and patterns shipped inside the binary (`include_str!`), one entry a line.

/// A data file's entries: its lines, trimmed, without blank ones and `#` comments.
pub fn entries(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}
