//! IOB2 tags over the four CoNLL types, and decoding that only yields valid tag sequences.

use crate::document::EntityLabel;

pub const TAGS: [&str; 9] = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"];

pub fn tag_index(tag: &str) -> Option<usize> {
    // IOB1 files mark a chunk's first word I- unless it follows one of the same type; the reader
    // converts to IOB2 before this.
    TAGS.iter().position(|t| *t == tag)
}

/// The entity type of a tag, `None` for O.
pub fn tag_label(tag: usize) -> Option<EntityLabel> {
    match tag {
        1 | 2 => Some(EntityLabel::Per),
        3 | 4 => Some(EntityLabel::Org),
        5 | 6 => Some(EntityLabel::Loc),
        7 | 8 => Some(EntityLabel::Misc),
        _ => None,
    }
}

fn is_inside(tag: usize) -> bool {
    tag != 0 && tag % 2 == 0
}

/// I-X may only follow B-X or I-X.
fn allowed(previous: Option<usize>, tag: usize) -> bool {
    if !is_inside(tag) {
        return true;
    }
    matches!(previous, Some(p) if p == tag || p + 1 == tag)
}

/// The most probable valid tag sequence for one sentence, from per-word log-probabilities.
pub fn decode(scores: &[[f32; TAGS.len()]]) -> Vec<usize> {
    let n = scores.len();
    if n == 0 {
        return Vec::new();
    }
    let mut best = vec![[f32::NEG_INFINITY; TAGS.len()]; n];
    let mut back = vec![[0usize; TAGS.len()]; n];
    for tag in 0..TAGS.len() {
        if allowed(None, tag) {
            best[0][tag] = scores[0][tag];
        }
    }
    for i in 1..n {
        for tag in 0..TAGS.len() {
            for previous in 0..TAGS.len() {
                if !allowed(Some(previous), tag) {
                    continue;
                }
                let score = best[i - 1][previous] + scores[i][tag];
                if score > best[i][tag] {
                    best[i][tag] = score;
                    back[i][tag] = previous;
                }
            }
        }
    }
    let mut tag = (0..TAGS.len()).max_by(|&a, &b| best[n - 1][a].total_cmp(&best[n - 1][b])).unwrap_or(0);
    let mut path = vec![0; n];
    for i in (0..n).rev() {
        path[i] = tag;
        tag = back[i][tag];
    }
    path
}

/// Entity spans `(first word, end word, label)` of a valid tag sequence.
pub fn spans(tags: &[usize]) -> Vec<(usize, usize, EntityLabel)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, EntityLabel)> = None;
    for (i, &tag) in tags.iter().enumerate() {
        if is_inside(tag) {
            continue;
        }
        if let Some((start, label)) = open.take() {
            out.push((start, i, label));
        }
        if let Some(label) = tag_label(tag) {
            open = Some((i, label));
        }
    }
    if let Some((start, label)) = open {
        out.push((start, tags.len(), label));
    }
    out
}

/// One type per name within a document: every span with the same words takes the type most of its
/// occurrences got ("Kim" tagged PER twice and ORG once is PER throughout). Ties keep each span's own.
pub fn harmonise_types<S: AsRef<str>>(words: &[Vec<S>], tags: &mut [Vec<usize>]) {
    let type_of = |tag: usize| (tag - 1) / 2;
    let mut votes: std::collections::HashMap<Vec<&str>, [u32; 4]> = std::collections::HashMap::new();
    let mut found = Vec::new();
    for (sentence, sentence_tags) in words.iter().zip(tags.iter()) {
        for (start, end, _) in spans(sentence_tags) {
            let name: Vec<&str> = sentence[start..end].iter().map(AsRef::as_ref).collect();
            votes.entry(name).or_default()[type_of(sentence_tags[start])] += 1;
        }
    }
    for (index, (sentence, sentence_tags)) in words.iter().zip(tags.iter()).enumerate() {
        for (start, end, _) in spans(sentence_tags) {
            let name: Vec<&str> = sentence[start..end].iter().map(AsRef::as_ref).collect();
            let counts = votes[&name];
            let best = (0..4).max_by_key(|&t| counts[t]).expect("four types");
            let own = type_of(sentence_tags[start]);
            if counts[best] > counts[own] {
                found.push((index, start, end, best));
            }
        }
    }
    for (index, start, end, kind) in found {
        tags[index][start] = 1 + 2 * kind;
        for tag in &mut tags[index][start + 1..end] {
            *tag = 2 + 2 * kind;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(preferred: &[usize]) -> Vec<[f32; TAGS.len()]> {
        preferred
            .iter()
            .map(|&p| {
                let mut row = [-5.0; TAGS.len()];
                row[p] = -0.1;
                row
            })
            .collect()
    }

    #[test]
    fn an_inside_tag_cannot_start_an_entity() {
        // The model prefers I-PER on the first word; the decoder must not produce it.
        let mut s = scores(&[2, 2]);
        s[0][1] = -0.5;
        assert_eq!(decode(&s), vec![1, 2]);
    }

    #[test]
    fn an_inside_tag_cannot_change_type() {
        let mut s = scores(&[3, 2]);
        s[1][4] = -0.3;
        assert_eq!(decode(&s), vec![3, 4]);
    }

    #[test]
    fn spans_close_at_o_and_at_a_new_begin() {
        assert_eq!(
            spans(&[1, 2, 0, 3, 5, 6]),
            vec![(0, 2, EntityLabel::Per), (3, 4, EntityLabel::Org), (4, 6, EntityLabel::Loc)]
        );
    }
}
