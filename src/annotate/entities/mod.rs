//! Entity recognition: fixed-form entities by pattern, names by the neural tagger, then one canonical
//! name per entity within the article.

mod identity;
mod neural;
mod normalize;
mod patterns;
mod repair;
mod rules;
mod values;

pub use neural::EncodedWords;

use std::ops::Range;

use crate::annotate::ner::{LayersRead, NerModel};
use crate::document::{EntityKey, EntityLabel};

/// An entity mention with byte offsets into the body (converted to characters on output).
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    pub label: EntityLabel,
    pub text: String,
    /// The name this mention has within the article ("Kim" → "Kim Sang Man").
    pub canonical: String,
    /// Identity across articles, set by [`identify`]: `LOC:US`, `ORG:sobaeksu trading co ltd`.
    pub key: Option<EntityKey>,
    /// ISO 3166 alpha-2 code (or `EU`) of a country, nationality, government or authority.
    pub country: Option<String>,
    /// What a date, sum or percentage says, written one way (see [`values`]).
    pub value: Option<String>,
}

impl Mention {
    pub fn new(body: &str, start: usize, end: usize, label: EntityLabel) -> Self {
        let text = body[start..end].to_string();
        Mention { start, end, label, canonical: text.clone(), text, key: None, country: None, value: None }
    }
}

/// Mentions of `(text, label)` spans at their first whole-word occurrence in `body`, in body order.
#[cfg(test)]
fn mentions_at(body: &str, spans: &[(&str, EntityLabel)]) -> Vec<Mention> {
    let mut mentions: Vec<Mention> = spans
        .iter()
        .map(|(text, label)| {
            let start = body
                .match_indices(text)
                .map(|(at, _)| at)
                .find(|&at| !body[at + text.len()..].starts_with(char::is_alphanumeric))
                .unwrap_or_else(|| panic!("{text:?} is not a word of the body"));
            Mention::new(body, start, start + text.len(), *label)
        })
        .collect();
    mentions.sort_by_key(|m| m.start);
    mentions
}

/// The tagger's names, except where a name typed by its own words overlaps them: that span replaces
/// them ("Deputy Minister of Defense Aleksey Krivoruchko" is a person after a title, whatever part of
/// the title the tagger took in). But a typed span that ends in a person the tagger names apart is an
/// office or body followed by its holder ("Director of the Central Intelligence Agency Gina Haspel"):
/// there the tagger's names stand.
fn merge(tagged: Vec<Mention>, typed: Vec<Mention>) -> Vec<Mention> {
    let overlaps = |a: &Mention, b: &Mention| a.start < b.end && b.start < a.end;
    let ends_in_holder = |t: &Mention| {
        tagged
            .iter()
            .any(|n| n.label == EntityLabel::Per && n.end == t.end && n.start > t.start && n.text.contains(' '))
    };
    let typed: Vec<Mention> = typed.into_iter().filter(|t| !ends_in_holder(t)).collect();
    let mut out: Vec<Mention> = tagged.into_iter().filter(|n| !typed.iter().any(|t| overlaps(n, t))).collect();
    out.extend(typed);
    out
}

/// All entity mentions of `body` (split into `sentences`), in order of position, and, with `read`,
/// the encoded words the tagger read (those encoder layers' outputs).
pub fn recognize(
    body: &str,
    sentences: &[Range<usize>],
    model: &NerModel,
    read: Option<LayersRead>,
) -> anyhow::Result<(Vec<Mention>, EncodedWords)> {
    let mut mentions = patterns::find_patterns(body);
    let taken: Vec<_> = mentions.iter().map(|m| m.start..m.end).collect();
    let (tagged, encoded) = neural::find_names(body, sentences, model, &taken, read)?;
    mentions.extend(merge(tagged, rules::find_names(body, &taken)));
    mentions.sort_by_key(|m| (m.start, m.end));
    repair::repair(body, &mut mentions);
    normalize::canonicalize(body, &mut mentions);
    Ok((mentions, encoded))
}

/// Gives every mention its identity across articles (and the value of dates, sums and
/// percentages, read against the publication day). Runs after designations, which read the
/// article's own names.
pub fn identify(body: &str, mentions: &mut Vec<Mention>, published: Option<chrono::NaiveDate>) {
    values::resolve(mentions, published);
    identity::identify(body, mentions);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_office_ending_in_its_holder_gives_way_to_the_tagger() {
        let body =
            "Director of the Central Intelligence Agency Gina Haspel and the Pyongyang University of Automation.";
        let tagged = mentions_at(
            body,
            &[
                ("Central Intelligence Agency", EntityLabel::Org),
                ("Gina Haspel", EntityLabel::Per),
                ("Pyongyang", EntityLabel::Loc),
            ],
        );
        let typed = mentions_at(
            body,
            &[
                ("Central Intelligence Agency Gina Haspel", EntityLabel::Per),
                ("Pyongyang University of Automation", EntityLabel::Org),
            ],
        );
        let mut merged: Vec<(String, EntityLabel)> =
            merge(tagged, typed).into_iter().map(|m| (m.text, m.label)).collect();
        merged.sort();
        assert_eq!(
            merged,
            [
                ("Central Intelligence Agency".to_string(), EntityLabel::Org),
                ("Gina Haspel".to_string(), EntityLabel::Per),
                ("Pyongyang University of Automation".to_string(), EntityLabel::Org),
            ]
        );
    }
}
