//! Named entities (PER, ORG, LOC, MISC) from the neural tagger, over the whole article.

use std::ops::Range;

use super::Mention;
use crate::annotate::gazetteer::{MODIFIER_SUFFIXES, PERSON_TITLES};
use crate::annotate::ner::tags::spans;
use crate::annotate::ner::{LayersRead, NerModel, PieceStates, WordVectors};
use crate::annotate::text::words;
use crate::document::EntityLabel;
use crate::identity::{country_named, country_of_demonym};

/// The words of a body (byte ranges, in order) with the encoder's vector of each, and the output of
/// a layer at every piece when it was asked for.
pub struct EncodedWords {
    pub words: Vec<Range<usize>>,
    pub vectors: WordVectors,
    pub states: Option<PieceStates>,
}

/// Names in `body`, skipping any that overlap `taken` (fixed-form entities found before), and, with
/// `read`, the encoded words they were read from (those layers' outputs).
pub fn find_names(
    body: &str,
    sentences: &[Range<usize>],
    model: &NerModel,
    taken: &[Range<usize>],
    read: Option<LayersRead>,
) -> anyhow::Result<(Vec<Mention>, EncodedWords)> {
    let sentence_words: Vec<Vec<Range<usize>>> = sentences.iter().map(|s| words(body, s.clone())).collect();
    let document: Vec<Vec<&str>> =
        sentence_words.iter().map(|ws| ws.iter().map(|w| &body[w.clone()]).collect()).collect();
    let (tags, vectors, states) = if let Some(read) = read {
        model.tag_with_vectors(&document, read)?
    } else {
        (model.tag(std::slice::from_ref(&document))?.pop().unwrap_or_default(), WordVectors::default(), None)
    };
    let overlaps_taken = |r: &Range<usize>| taken.iter().any(|t| t.start < r.end && r.start < t.end);
    let mut out: Vec<Mention> = Vec::new();
    for (ws, sentence_tags) in sentence_words.iter().zip(&tags) {
        for (first, end, label) in spans(sentence_tags) {
            let first = if label == EntityLabel::Per { skip_titles(body, &ws[first..end]) + first } else { first };
            // A name never ends in a connector or punctuation ("Kohana Company Limited and").
            let end = first
                + 1
                + ws[first + 1..end].iter().rposition(|w| !is_trailing_junk(&body[w.clone()])).map_or(0, |p| p + 1);
            let mut range = ws[first].start..ws[end - 1].end;
            let mut label = label;
            // "Hong Kong-registered", "Lebanon-based": the place is the name, the suffix describes.
            if let Some(suffix) =
                MODIFIER_SUFFIXES.iter().find(|s| range.len() > s.len() && body[range.clone()].ends_with(*s))
            {
                range.end -= suffix.len();
                label = EntityLabel::Loc;
            }
            if overlaps_taken(&range) {
                continue;
            }
            // "Anatoliy | Vladimirovich Chepiga": a lone word typed otherwise right before a person's
            // name is the first name the tagger split off; a nationality or a country ("Syrian Issam
            // Shammout", "Iran Brian Hook") is not.
            if label == EntityLabel::Per
                && let Some(previous) = out.last_mut()
                && previous.label != EntityLabel::Per
                && country_of_demonym(&previous.text).is_none()
                && country_named(&previous.text).is_none()
                && body[previous.end..range.start] == *" "
                && !previous.text.contains(' ')
                && previous.text.chars().next().is_some_and(char::is_uppercase)
            {
                *previous = Mention::new(body, previous.start, range.end, EntityLabel::Per);
                continue;
            }
            out.push(Mention::new(body, range.start, range.end, label));
        }
    }
    let encoded = EncodedWords { words: sentence_words.into_iter().flatten().collect(), vectors, states };
    Ok((out, encoded))
}

fn is_trailing_junk(word: &str) -> bool {
    matches!(word, "and" | "or" | "of" | "the" | "&") || word.chars().all(|c| c.is_ascii_punctuation() && c != ')')
}

/// Leading titles of a person's name ("President", "Mr.", "Secretary of State"): how many words to
/// skip, always leaving the last word.
fn skip_titles(body: &str, name: &[Range<usize>]) -> usize {
    let mut skip = 0;
    while skip + 1 < name.len() {
        let word = &body[name[skip].clone()];
        if PERSON_TITLES.contains(word) || (skip > 0 && matches!(word, "of" | "the")) {
            skip += 1;
        } else {
            break;
        }
    }
    // "Secretary of State": the title word after "of" goes too.
    if skip > 0 && skip + 1 < name.len() && matches!(&body[name[skip - 1].clone()], "of") {
        skip += 1;
    }
    skip
}
