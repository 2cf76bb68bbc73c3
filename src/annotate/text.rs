//! Sentences and offsets. Annotators work on byte offsets into the body; the public annotations use
//! character offsets, converted once at the end.

use std::ops::Range;

use once_cell::sync::Lazy;
use regex::Regex;

/// Abbreviations after which a period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "sen", "rep", "gov", "st", "jr", "sr", "co", "corp", "inc",
    "ltd", "no", "vs", "e.o", "u.s", "u.k", "u.n", "e.u", "jan", "feb", "mar", "apr", "aug", "sept", "sep", "oct",
    "nov", "dec", "fig", "approx", "est", "dept", "sgt", "capt", "adm", "messrs",
];

/// Byte ranges of the sentences of `text`. Paragraph breaks always end a sentence.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let boundary_end = if b == b'\n' {
            Some(i)
        } else if matches!(b, b'.' | b'!' | b'?') && ends_sentence(text, i) {
            // Closing quotes and brackets belong to the sentence they close.
            let mut j = i + 1;
            while j < bytes.len() && (matches!(bytes[j], b'"' | b'\'' | b')') || text[j..].starts_with(['”', '’']))
            {
                j += text[j..].chars().next().map_or(1, char::len_utf8);
            }
            Some(j)
        } else {
            None
        };
        if let Some(end) = boundary_end {
            push_trimmed(text, start..end, &mut out);
            start = end;
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    push_trimmed(text, start..text.len(), &mut out);
    out
}

fn push_trimmed(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let s = &text[range.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail < s.len() {
        out.push(range.start + lead..range.end - trail);
    }
}

/// A terminal mark at `i` ends a sentence when followed by space and an upper-case letter, digit or
/// quote, and the word before it is not a known abbreviation or an initial.
fn ends_sentence(text: &str, i: usize) -> bool {
    let after = &text[i + 1..];
    let after = after.trim_start_matches(['"', '\'', ')', '”', '’']);
    if after.is_empty() {
        return true;
    }
    if !after.starts_with(char::is_whitespace) {
        return false;
    }
    let next = after.trim_start().chars().next();
    if !next.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || "\"“'‘(".contains(c)) {
        return false;
    }
    if text.as_bytes()[i] != b'.' {
        return true;
    }
    let word_start = text[..i].rfind(|c: char| c.is_whitespace() || c == '(').map_or(0, |p| p + 1);
    let word = text[word_start..i].to_lowercase();
    let single_initial = word.chars().count() == 1 && word.chars().all(char::is_alphabetic);
    !(single_initial || ABBREVIATIONS.contains(&word.as_str()))
}

/// Words as CoNLL-2003 (the NER model's training data) splits them: punctuation apart, "U.S." and
/// "Corp." whole, hyphenated and numeric words whole, and a possessive "'s" on its own.
static WORD: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"(?:\p{L}\.){2,}|(?:Mrs|Mr|Ms|Dr|St|Jr|Sr|Co|Corp|Inc|Ltd|Gen|Lt|Col|Sen|Rep|Gov|Nos|No|Messrs|Prof|Capt|Adm|Sgt|Jan|Feb|Aug|Sept|Oct|Nov|Dec)\.|\p{Lu}\.|[\p{L}\p{N}]+(?:[-'’&.,][\p{L}\p{N}]+)*|\S",
    )
    .expect("valid regex")
});

/// Byte ranges of the words of `text[range]`.
pub fn words(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for m in WORD.find_iter(&text[range.clone()]) {
        let (start, end) = (range.start + m.start(), range.start + m.end());
        let possessive = ["'s", "’s"].iter().find(|p| m.as_str().len() > p.len() && m.as_str().ends_with(*p));
        match possessive {
            Some(p) => {
                out.push(start..end - p.len());
                out.push(end - p.len()..end);
            }
            None => out.push(start..end),
        }
    }
    out
}

/// Converts byte offsets of one string to character offsets.
pub struct CharOffsets {
    /// `starts[k]` is the byte offset of character `k`.
    starts: Vec<usize>,
}

impl CharOffsets {
    pub fn new(text: &str) -> Self {
        CharOffsets { starts: text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len())).collect() }
    }

    pub fn char_offset(&self, byte: usize) -> usize {
        self.starts.partition_point(|&b| b < byte)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sentences_but_not_abbreviations() {
        let text = "The U.S. Treasury acted on Tuesday. Mr. Kim was named under E.O. 13722, it said. \"We act,\" he said.\nNext paragraph";
        let got: Vec<&str> = sentences(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(
            got,
            vec![
                "The U.S. Treasury acted on Tuesday.",
                "Mr. Kim was named under E.O. 13722, it said.",
                "\"We act,\" he said.",
                "Next paragraph"
            ]
        );
    }

    #[test]
    fn words_split_like_conll() {
        let text = "The U.S. Treasury's Office (OFAC) fined Acme Corp. $1,000.5 on Kim's anti-fraud case.";
        let got: Vec<&str> = words(text, 0..text.len()).into_iter().map(|r| &text[r]).collect();
        assert_eq!(
            got,
            vec![
                "The",
                "U.S.",
                "Treasury",
                "'s",
                "Office",
                "(",
                "OFAC",
                ")",
                "fined",
                "Acme",
                "Corp.",
                "$",
                "1,000.5",
                "on",
                "Kim",
                "'s",
                "anti-fraud",
                "case",
                "."
            ]
        );
    }

    #[test]
    fn byte_to_char_offsets() {
        let text = "Café Kim";
        let idx = CharOffsets::new(text);
        assert_eq!(idx.char_offset(text.find("Kim").unwrap()), 5);
        assert_eq!(idx.char_offset(text.len()), 8);
    }
}
