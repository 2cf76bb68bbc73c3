//! Entity recognition: fixed-form entities by pattern, names by rule, then one canonical name per
//! entity within the article.

mod names;
mod normalize;
mod patterns;

use crate::document::EntityLabel;

/// An entity mention with byte offsets into the body (converted to characters on output).
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    pub label: EntityLabel,
    pub text: String,
    pub canonical: String,
}

impl Mention {
    pub fn new(body: &str, start: usize, end: usize, label: EntityLabel) -> Self {
        let text = body[start..end].to_string();
        Mention { start, end, label, canonical: text.clone(), text }
    }
}

/// All entity mentions of `body`, in order of position.
pub fn recognize(body: &str) -> Vec<Mention> {
    let mut mentions = patterns::find_patterns(body);
    let taken: Vec<_> = mentions.iter().map(|m| m.start..m.end).collect();
    mentions.extend(names::find_names(body, &taken));
    mentions.sort_by_key(|m| (m.start, m.end));
    normalize::canonicalize(body, &mut mentions);
    mentions
}
