//! What the gate reads of a whole text to decide whether it reports a sanctions action at all: how
//! many of its sentences carry action words of each kind, and how (triggered, negated, earlier), and
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

/// Hand-read cues per text (then two encoder vectors: the mean of its action sentences and of all
/// its sentences; then the words).
pub const CUE_FEATURES: usize = 14;
/// Buckets of the hashed bag of words.
const WORD_BUCKETS: usize = 2048;

/// How many of the features come before the bag of words: a gate may read only those.
pub fn without_words(dim: usize) -> usize {
    CUE_FEATURES + 2 * dim
}

pub fn features(view: &ArticleView, cues: &[SentenceCues]) -> Vec<f32> {
    let dim = view.encoded.vectors.dim;
    let sentences = cues.len().max(1) as f32;
    let acting: Vec<(usize, &SentenceCues)> = cues.iter().enumerate().filter(|(_, c)| c.action.is_some()).collect();
    let share_acting = |test: fn(&SentenceCues) -> bool| {
        acting.iter().filter(|(_, c)| test(c)).count() as f32 / acting.len().max(1) as f32
    };
    let log_count = |n: usize| (1.0 + n as f32).ln();
    let mut f = vec![log_count(cues.len()), acting.len() as f32 / sentences];
    for (kind, _) in ACTION_WORDS.iter() {
        f.push(log_count(acting.iter().filter(|(_, c)| c.action == Some(*kind)).count()));
    }
    let naming_sanctions = view.sentences.iter().filter(|s| SANCTION.is_match(&view.body[(*s).clone()])).count();
    let names = view.mentions.iter().filter(|m| matches!(m.label, EntityLabel::Per | EntityLabel::Org | EntityLabel::Misc));
    f.extend([
        log_count(naming_sanctions),
        share_acting(|c| c.trigger),
        share_acting(|c| c.negated),
        share_acting(|c| c.earlier),
        log_count(names.count()),
        view.title.is_some_and(|t| ACTION_WORDS.iter().any(|(_, p)| p.is_match(t))) as u8 as f32,
        acting.iter().any(|(_, c)| c.trigger && !c.negated && !c.earlier) as u8 as f32,
    ]);
    debug_assert_eq!(f.len(), CUE_FEATURES);
    f.extend(mean(acting.iter().map(|(_, c)| c.vector.as_slice()), dim));
    f.extend(mean(cues.iter().map(|c| c.vector.as_slice()), dim));
    debug_assert_eq!(f.len(), without_words(dim));
    f.extend(bag_of_words(view));
    f
}

/// The text's words (title and body, lower case, three letters or more) hashed into buckets, each
/// the log of its count, the whole scaled to unit length so that long texts weigh as much as short.
fn bag_of_words(view: &ArticleView) -> Vec<f32> {
    let mut buckets = vec![0f32; WORD_BUCKETS];
    let text = view.title.into_iter().chain(std::iter::once(view.body));
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
