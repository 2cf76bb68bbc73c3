//! What the gate reads of a text's opening to decide whether it reports a sanctions action at all:
//! how many of its sentences carry action words of each kind, and how (triggered, negated, earlier), and
//! what the encoder makes of those sentences and of the text as a whole, and which words it uses (a
//! hashed bag of words, whose weights are learned). A story about sport, markets or elections uses
//! "designated", "penalty", "listed" or "banned" too; what it is about shows in the vectors and the
//! words.

use once_cell::sync::Lazy;
use regex::Regex;

use super::ArticleView;
use super::candidates::{ACTION_WORDS, SentenceCues, mean};
use crate::document::EntityLabel;

/// The domain's own word, apart from the other action words that ordinary news also uses.
static SANCTION: Lazy<Regex> = Lazy::new(|| Regex::new(r"(?i)sanction").unwrap());

/// Hand-read cues per text (then two encoder vectors: the mean of the opening's action sentences and
/// of all its sentences; then the words).
pub const CUE_FEATURES: usize = 14;
/// Buckets of the hashed bag of words.
const WORD_BUCKETS: usize = 2048;

/// How many of the features come before the bag of words: a gate may read only those.
pub fn without_words(dim: usize) -> usize {
    CUE_FEATURES + 2 * dim
}

/// How much of a text the gate reads: its opening, where news says what it reports. The labelled
/// texts are openings of about this length; reading every text so, the gate cannot tell a sanctions
/// text from ordinary news by its length.
const OPENING_BYTES: usize = 2_000;

pub fn features(view: &ArticleView, cues: &[SentenceCues]) -> Vec<f32> {
    let dim = view.encoded.vectors.dim;
    debug_assert_eq!(cues.len(), view.sentences.len(), "one cue per sentence");
    // The sentences that start in the opening (at least the first, when there is one).
    let opening = view.sentences.iter().take_while(|s| s.start < OPENING_BYTES).count().max(1).min(cues.len());
    let (sentences, cues) = (&view.sentences[..opening], &cues[..opening]);
    let share = |n: usize| n as f32 / cues.len().max(1) as f32;
    let acting: Vec<&SentenceCues> = cues.iter().filter(|c| c.action.is_some()).collect();
    let share_acting =
        |test: fn(&SentenceCues) -> bool| acting.iter().filter(|c| test(c)).count() as f32 / acting.len().max(1) as f32;
    // Shares, not counts: a long text has more of everything.
    let mut f = vec![share(acting.len())];
    for (kind, _) in ACTION_WORDS.iter() {
        f.push(share(acting.iter().filter(|c| c.action == Some(*kind)).count()));
    }
    let naming_sanctions = sentences.iter().filter(|s| SANCTION.is_match(&view.body[(*s).clone()])).count();
    let opening_end = sentences.last().map_or(0, |s| s.end);
    let names = view.mentions.iter().filter(|m| {
        m.start < opening_end && matches!(m.label, EntityLabel::Per | EntityLabel::Org | EntityLabel::Misc)
    });
    f.extend([
        share(naming_sanctions),
        share_acting(|c| c.trigger),
        share_acting(|c| c.negated),
        share_acting(|c| c.earlier),
        share(names.count()),
        view.title.is_some_and(|t| ACTION_WORDS.iter().any(|(_, p)| p.is_match(t))) as u8 as f32,
        acting.iter().any(|c| c.trigger && !c.negated && !c.earlier) as u8 as f32,
        view.title.is_some_and(|t| SANCTION.is_match(t)) as u8 as f32,
    ]);
    debug_assert_eq!(f.len(), CUE_FEATURES);
    f.extend(mean(acting.iter().map(|c| c.vector.as_slice()), dim));
    f.extend(mean(cues.iter().map(|c| c.vector.as_slice()), dim));
    debug_assert_eq!(f.len(), without_words(dim));
    f.extend(bag_of_words(view.title, &view.body[..opening_end]));
    f
}

/// The words of the title and the opening (lower case, three letters or more) hashed into buckets,
/// each the log of its count, the whole scaled to unit length.
fn bag_of_words(title: Option<&str>, opening: &str) -> Vec<f32> {
    let mut buckets = vec![0f32; WORD_BUCKETS];
    let text = title.into_iter().chain(std::iter::once(opening));
    for word in text.flat_map(|t| t.split(|c: char| !c.is_alphabetic())).filter(|w| w.chars().count() >= 3) {
        buckets[(fnv1a(&word.to_lowercase()) % WORD_BUCKETS as u64) as usize] += 1.0;
    }
    buckets.iter_mut().for_each(|b| *b = b.ln_1p());
    let norm = buckets.iter().map(|b| b * b).sum::<f32>().sqrt();
    if norm > 0.0 {
        buckets.iter_mut().for_each(|b| *b /= norm);
    }
    buckets
}

/// FNV-1a: a hash that is the same in every build and on every machine, as stored weights need.
fn fnv1a(word: &str) -> u64 {
    word.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ byte as u64).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_hashes_are_fixed() {
        // Stored gates were trained on these buckets: the hash must never change.
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a("sanctions") % WORD_BUCKETS as u64, 1341);
    }
}
