//! The words that introduce an author's name ("By", "Von", "Par", "Autor:"), in one table for
//! the byline the metadata reports and the byline lines the body leaves out, each cue saying where
//! it is read.

use once_cell::sync::Lazy;
use regex::Regex;

/// Where a cue is read.
#[derive(Clone, Copy)]
struct Cue {
    /// The words, in lower case; matched whatever their case.
    words: &'static str,
    /// Removed from the start of a byline, and whether a colon may or must follow it there.
    stripped: Option<Colon>,
    /// Introduces the name in a short line of the page where metadata gives no author.
    before_name: bool,
    /// Capitalised, it opens a byline line printed in the article's text.
    opens_line: bool,
    /// Stands before the name in a line giving the date and the author side by side.
    in_dated_line: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Colon {
    None,
    Optional,
    Required,
}

const fn cue(
    words: &'static str,
    stripped: Option<Colon>,
    before_name: bool,
    opens_line: bool,
    in_dated_line: bool,
) -> Cue {
    Cue { words, stripped, before_name, opens_line, in_dated_line }
}

/// The words that introduce an author's name in the main European languages. Short words that
/// also open sentences or names ("di", "da", "door") are read only where a byline is expected; a
/// photographer's "Foto:" is no cue, since the photographer is not the author.
const CUES: &[Cue] = &[
    cue("by", Some(Colon::None), true, true, true),
    cue("posted by", Some(Colon::None), false, false, false),
    cue("written by", Some(Colon::None), false, false, false),
    cue("published by", Some(Colon::None), false, false, false),
    cue("von", Some(Colon::None), true, true, true),
    cue("eingestellt von", Some(Colon::None), true, false, false),
    cue("geschrieben von", Some(Colon::None), true, false, false),
    cue("verfasst von", Some(Colon::None), true, false, false),
    cue("erstellt von", Some(Colon::None), true, false, false),
    cue("par", Some(Colon::None), true, true, true),
    cue("publié par", Some(Colon::None), false, false, false),
    cue("por", Some(Colon::None), true, true, true),
    cue("escrito por", Some(Colon::None), false, false, false),
    cue("di", None, true, false, true),
    cue("da", None, false, false, true),
    cue("door", None, true, false, false),
    cue("author", Some(Colon::Optional), true, false, false),
    cue("autor", Some(Colon::Optional), true, false, false),
    cue("autorin", Some(Colon::Optional), false, false, false),
    cue("auteur", Some(Colon::Optional), true, false, false),
    cue("post author", Some(Colon::Optional), false, false, false),
    cue("post autor", Some(Colon::Optional), false, false, false),
    cue("post autorin", Some(Colon::Optional), false, false, false),
    cue("post auteur", Some(Colon::Optional), false, false, false),
    cue("redaktion", None, true, false, false),
    cue("text", Some(Colon::Required), false, false, false),
    cue("interview", Some(Colon::Required), false, false, false),
];

/// The cues that `read` selects, as one alternation of regular expressions.
fn alternation(read: impl Fn(&Cue) -> Option<String>) -> String {
    CUES.iter().filter_map(read).collect::<Vec<_>>().join("|")
}

/// A cue at the start of a byline, removed to leave the name.
static LEADING_CUE: Lazy<Regex> = Lazy::new(|| {
    let cues = alternation(|c| {
        let colon = match c.stripped? {
            Colon::None => "",
            Colon::Optional => r"\s*:?",
            Colon::Required => r"\s*:",
        };
        Some(format!("{}{colon}", c.words))
    });
    Regex::new(&format!(r"(?i)^(?:{cues})\s+")).expect("the byline cues are valid patterns")
});

/// A cue anywhere in a short line, then the name it introduces (captured): up to four capitalised
/// words, with name particles between them, and a second author after "and".
static CUE_THEN_NAME: Lazy<Regex> = Lazy::new(|| {
    let cues = alternation(|c| c.before_name.then(|| c.words.to_string()));
    Regex::new(&format!(
        r"(?:^|\s|\|)(?i:{cues})\s*:?\s+(\p{{Lu}}[\p{{L}}.'-]*(?:\s+(?:(?:von|van|de|der|da|di|du|le|la|v\.)\s+)?\p{{Lu}}[\p{{L}}.'-]*){{0,3}}(?:\s+(?:und|and|et|y|e)\s+\p{{Lu}}[\p{{L}}.'-]*(?:\s+\p{{Lu}}[\p{{L}}.'-]*){{0,3}})?)"
    ))
    .expect("the byline cues are valid patterns")
});

/// The most characters after the cue and the name's first letter of a line printed inside the
/// article that is its byline ("By Jane Roe, Ottawa – December 3, 2024"): longer, it is a sentence.
const BYLINE_LINE_MAX_CHARS: usize = 100;

/// A line of the article's text that is its byline: a capitalised cue, then a capitalised name.
static BYLINE_LINE: Lazy<Regex> = Lazy::new(|| {
    let cues = alternation(|c| c.opens_line.then(|| capitalised(c.words)));
    Regex::new(&format!(r"^(?:{cues})\s+\p{{Lu}}.{{0,{BYLINE_LINE_MAX_CHARS}}}$"))
        .expect("the byline cues are valid patterns")
});

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Whether a word stands before the name in a line giving the date and the author.
pub(super) fn is_dated_line_cue(word: &str) -> bool {
    let word = word.to_lowercase();
    CUES.iter().any(|c| c.in_dated_line && c.words == word)
}

/// A byline without the words that introduce it.
pub(super) fn strip_cue(byline: &str) -> String {
    LEADING_CUE.replace(byline, "").trim().to_string()
}

/// The name a cue introduces in a short line of the page ("Von Jana Roth und Paul Weber").
pub(super) fn name_after_cue(line: &str) -> Option<&str> {
    CUE_THEN_NAME.captures(line).and_then(|c| c.get(1)).map(|m| m.as_str())
}

/// Whether a line printed in the article is its byline.
pub(super) fn is_byline_line(text: &str) -> bool {
    BYLINE_LINE.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cue_is_stripped_and_a_name_that_starts_like_one_kept() {
        for (byline, name) in [
            ("By Jane Roe", "Jane Roe"),
            ("Posted by Jane Roe", "Jane Roe"),
            ("Eingestellt von Jana Roth", "Jana Roth"),
            ("Autor: Jana Roth", "Jana Roth"),
            ("Interview: Jana Roth", "Jana Roth"),
            ("Bybee Textor", "Bybee Textor"),
            ("Texter Paul", "Texter Paul"),
            ("Jane Roe", "Jane Roe"),
        ] {
            assert_eq!(strip_cue(byline), name, "{byline}");
        }
    }

    #[test]
    fn a_byline_line_opens_with_a_cue_and_a_name() {
        assert!(is_byline_line("By Jane Roe, Ottawa – December 3, 2024"));
        assert!(is_byline_line("Von Jana Roth"));
        assert!(!is_byline_line("Da Nang is the country's third city."));
        assert!(!is_byline_line("by Jane Roe"));
        assert!(!is_byline_line(
            "By the end of the year, the fund had doubled its holdings in the region and beyond, its managers said on Tuesday."
        ));
        assert_eq!(name_after_cue("Text und Bild | Von Jana Roth und Paul Weber"), Some("Jana Roth und Paul Weber"));
        assert!(is_dated_line_cue("Von") && !is_dated_line_cue("Posted"));
    }
}
