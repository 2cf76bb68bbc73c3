//! Entity recognition: fixed-form entities by pattern, names by the neural tagger, then one canonical
//! name per entity within the article.

mod neural;
mod normalize;
mod patterns;
mod repair;
mod rules;

pub use neural::EncodedWords;

use std::ops::Range;

use crate::annotate::ner::NerModel;
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

/// The tagger's names, except where a name typed by its own words overlaps them: that span replaces
/// them ("Deputy Minister of Defense Aleksey Krivoruchko" is a person after a title, whatever part of
/// the title the tagger took in).
fn merge(tagged: Vec<Mention>, typed: Vec<Mention>) -> Vec<Mention> {
    let overlaps = |a: &Mention, b: &Mention| a.start < b.end && b.start < a.end;
    let mut out: Vec<Mention> = tagged.into_iter().filter(|n| !typed.iter().any(|t| overlaps(n, t))).collect();
    out.extend(typed);
    out
}

/// All entity mentions of `body` (split into `sentences`), in order of position, and, with `vectors`,
/// the encoded words the tagger read.
pub fn recognize(
    body: &str,
    sentences: &[Range<usize>],
    model: &NerModel,
    vectors: bool,
) -> anyhow::Result<(Vec<Mention>, EncodedWords)> {
    let mut mentions = patterns::find_patterns(body);
    let taken: Vec<_> = mentions.iter().map(|m| m.start..m.end).collect();
    let (tagged, encoded) = neural::find_names(body, sentences, model, &taken, vectors)?;
    mentions.extend(merge(tagged, rules::find_names(body, &taken)));
    mentions.sort_by_key(|m| (m.start, m.end));
    repair::repair(body, &mut mentions);
    normalize::canonicalize(body, &mut mentions);
    Ok((mentions, encoded))
}
