//! From words to model input: word pieces, casing shapes, and windows that cover a whole document.
//!
//! A document is tagged in windows of whole sentences packed up to the model's length, so each sentence
//! is read with its neighbours. A sentence longer than a window is cut into overlapping chunks; each
//! word is predicted from the chunk where it has the most context on both sides. No word is dropped.

use std::ops::Range;
use std::path::Path;

use anyhow::Context;
use tokenizers::Tokenizer;

/// Longest window in word pieces, [CLS] and [SEP] included.
pub const WINDOW: usize = 128;
/// A word's pieces beyond this many are not read (only junk such as long hashes reaches it); the word is
/// still tagged from its first pieces.
const MAX_PIECES_PER_WORD: usize = 16;
/// How much of a chunk of a long sentence is context on each side, in word pieces.
const OVERLAP: usize = 24;
/// Context from the neighbouring sentences that a window reads on each side of the sentences it
/// predicts, in word pieces.
const CONTEXT: usize = 16;

/// The casing the uncased encoder cannot see, one class per word, doubled for sentence-initial words.
pub const CASING_SHAPES: usize = 20;

fn casing_shape(word: &str, sentence_initial: bool) -> u32 {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    let upper = word.chars().filter(|c| c.is_uppercase()).count();
    let digits = word.chars().filter(|c| c.is_numeric()).count();
    let first_upper = word.chars().next().is_some_and(char::is_uppercase);
    let shape = if letters == 0 && digits == 0 {
        0 // punctuation and symbols
    } else if letters == 0 {
        1 // numbers
    } else if digits > 0 {
        2 // letters and digits
    } else if upper == 0 {
        3 // lower case
    } else if upper == letters && letters == 1 {
        4 // a single capital letter
    } else if upper == letters {
        5 // all capitals
    } else if first_upper && upper == 1 {
        6 // Title case
    } else if first_upper {
        7 // inner capitals after an initial one (McDonald)
    } else {
        8 // inner capitals only (iPhone)
    };
    // Class 9 is the special tokens; sentence-initial words use 10..19.
    if sentence_initial { shape + 10 } else { shape }
}

const SPECIAL_SHAPE: u32 = 9;

/// Splits words into the encoder's word pieces.
pub struct WordPieces {
    tokenizer: Tokenizer,
    cls: u32,
    sep: u32,
    unk: u32,
}

/// The pieces of each word of a document.
pub struct PiecedDocument {
    pub pieces: Vec<Vec<u32>>,
    pub shapes: Vec<u32>,
    /// Word index where each sentence starts.
    pub sentence_starts: Vec<usize>,
}

impl WordPieces {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let tokenizer = Tokenizer::from_file(path)
            .map_err(|e| anyhow::anyhow!("{}: not a readable tokenizer: {e}", path.display()))?;
        Self::new(tokenizer).with_context(|| path.display().to_string())
    }

    /// From the bytes of a `tokenizer.json` (the one built into the binary).
    #[cfg(feature = "embedded-model")]
    pub fn from_bytes(bytes: &[u8]) -> anyhow::Result<Self> {
        let tokenizer = Tokenizer::from_bytes(bytes).map_err(|e| anyhow::anyhow!("not a readable tokenizer: {e}"))?;
        Self::new(tokenizer)
    }

    fn new(mut tokenizer: Tokenizer) -> anyhow::Result<Self> {
        // Words are encoded one at a time and windows are built here: the file's padding and
        // truncation settings (sentence-transformers ships 128 fixed) must not apply.
        tokenizer.with_padding(None);
        tokenizer.with_truncation(None).map_err(|e| anyhow::anyhow!("cannot turn truncation off: {e}"))?;
        let id = |token: &str| tokenizer.token_to_id(token).with_context(|| format!("the vocabulary has no {token}"));
        Ok(WordPieces { cls: id("[CLS]")?, sep: id("[SEP]")?, unk: id("[UNK]")?, tokenizer })
    }

    fn word_pieces(&self, word: &str) -> Vec<u32> {
        let mut ids = match self.tokenizer.encode(word, false) {
            Ok(encoding) => encoding.get_ids().to_vec(),
            Err(_) => Vec::new(),
        };
        if ids.is_empty() {
            // Characters the normaliser removes entirely (control or zero-width) still make a word.
            ids.push(self.unk);
        }
        ids.truncate(MAX_PIECES_PER_WORD);
        ids
    }

    /// Pieces and shapes of a document given as sentences of words.
    pub fn piece_document<S: AsRef<str>>(&self, sentences: &[Vec<S>]) -> PiecedDocument {
        let mut doc = PiecedDocument { pieces: Vec::new(), shapes: Vec::new(), sentence_starts: Vec::new() };
        for sentence in sentences {
            doc.sentence_starts.push(doc.pieces.len());
            for (i, word) in sentence.iter().enumerate() {
                doc.pieces.push(self.word_pieces(word.as_ref()));
                doc.shapes.push(casing_shape(word.as_ref(), i == 0));
            }
        }
        doc
    }

    /// The model input of one window: ids, shapes, and the position of each predicted word's first piece.
    pub fn window_input(&self, doc: &PiecedDocument, window: &Window) -> WindowInput {
        let mut ids = vec![self.cls];
        let mut shapes = vec![SPECIAL_SHAPE];
        let mut first_pieces = Vec::with_capacity(window.predict.len());
        for w in window.context.clone() {
            if window.predict.contains(&w) {
                first_pieces.push(ids.len());
            }
            ids.extend_from_slice(&doc.pieces[w]);
            shapes.extend(std::iter::repeat_n(doc.shapes[w], doc.pieces[w].len()));
        }
        ids.push(self.sep);
        shapes.push(SPECIAL_SHAPE);
        WindowInput { ids, shapes, first_pieces }
    }
}

pub struct WindowInput {
    pub ids: Vec<u32>,
    pub shapes: Vec<u32>,
    pub first_pieces: Vec<usize>,
}

/// Words a window reads (`context`) and the words it predicts (`predict`, within `context`).
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub context: Range<usize>,
    pub predict: Range<usize>,
}

/// Windows over a document such that every word is predicted exactly once.
pub fn plan_windows(doc: &PiecedDocument) -> Vec<Window> {
    let budget = WINDOW - 2;
    // Whole sentences are packed into what is left after context on both sides.
    let packed_budget = budget - 2 * CONTEXT;
    let count = |words: Range<usize>| -> usize { doc.pieces[words].iter().map(Vec::len).sum() };
    let mut predicted: Vec<Range<usize>> = Vec::new();
    let mut windows = Vec::new();
    let ends = doc.sentence_starts.iter().skip(1).copied().chain(std::iter::once(doc.pieces.len()));
    for (start, end) in doc.sentence_starts.iter().copied().zip(ends) {
        if start == end {
            continue;
        }
        match predicted.last_mut() {
            Some(current) if current.end == start && count(current.start..end) <= packed_budget => current.end = end,
            _ if count(start..end) <= budget => predicted.push(start..end),
            _ => windows.extend(chunk_long_sentence(doc, start..end, budget)),
        }
    }
    windows.extend(predicted.into_iter().map(|predict| with_context(doc, predict, budget)));
    windows.sort_by_key(|w| w.predict.start);
    windows
}

/// A window predicting `predict` that also reads up to CONTEXT pieces of whole words on each side.
fn with_context(doc: &PiecedDocument, predict: Range<usize>, budget: usize) -> Window {
    let len = |w: usize| doc.pieces[w].len();
    let mut used: usize = predict.clone().map(len).sum();
    let mut context = predict.clone();
    let mut left = 0;
    while context.start > 0 && left + len(context.start - 1) <= CONTEXT && used + len(context.start - 1) <= budget {
        context.start -= 1;
        left += len(context.start);
        used += len(context.start);
    }
    let mut right = 0;
    while context.end < doc.pieces.len() && right + len(context.end) <= CONTEXT && used + len(context.end) <= budget {
        right += len(context.end);
        used += len(context.end);
        context.end += 1;
    }
    Window { context, predict }
}

/// Overlapping chunks of a sentence longer than a window.
fn chunk_long_sentence(doc: &PiecedDocument, sentence: Range<usize>, budget: usize) -> Vec<Window> {
    let len = |w: usize| doc.pieces[w].len();
    let mut chunks = Vec::new();
    let mut predict_start = sentence.start;
    while predict_start < sentence.end {
        // Left context: up to OVERLAP pieces before the predicted words.
        let mut context_start = predict_start;
        let mut left = 0;
        while context_start > sentence.start && left + len(context_start - 1) <= OVERLAP {
            context_start -= 1;
            left += len(context_start);
        }
        // Predicted words: as many as leave OVERLAP pieces of right context (or all that remain).
        let mut used = left;
        let mut predict_end = predict_start;
        while predict_end < sentence.end && used + len(predict_end) <= budget - OVERLAP {
            used += len(predict_end);
            predict_end += 1;
        }
        let rest: usize = (predict_end..sentence.end).map(len).sum();
        if used + rest <= budget {
            predict_end = sentence.end;
            used += rest;
        }
        if predict_end == predict_start {
            predict_end += 1; // one word always fits: its pieces are capped far below the budget
            used += len(predict_start);
        }
        let mut context_end = predict_end;
        while context_end < sentence.end && used + len(context_end) <= budget {
            used += len(context_end);
            context_end += 1;
        }
        chunks.push(Window { context: context_start..context_end, predict: predict_start..predict_end });
        predict_start = predict_end;
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(sentence_lengths: &[usize], pieces_per_word: usize) -> PiecedDocument {
        let mut doc = PiecedDocument { pieces: Vec::new(), shapes: Vec::new(), sentence_starts: Vec::new() };
        for &n in sentence_lengths {
            doc.sentence_starts.push(doc.pieces.len());
            for _ in 0..n {
                doc.pieces.push(vec![1; pieces_per_word]);
                doc.shapes.push(3);
            }
        }
        doc
    }

    fn assert_covers_once(doc: &PiecedDocument, windows: &[Window]) {
        let mut next = 0;
        for w in windows {
            assert_eq!(w.predict.start, next, "{windows:?}");
            assert!(w.context.start <= w.predict.start && w.predict.end <= w.context.end);
            let pieces: usize = doc.pieces[w.context.clone()].iter().map(Vec::len).sum();
            assert!(pieces <= WINDOW - 2, "{pieces} pieces in {w:?}");
            next = w.predict.end;
        }
        assert_eq!(next, doc.pieces.len());
    }

    #[test]
    fn short_sentences_share_a_window() {
        let d = doc(&[10, 20, 30], 1);
        let windows = plan_windows(&d);
        assert_eq!(windows.len(), 1);
        assert_covers_once(&d, &windows);
    }

    #[test]
    fn sentences_spill_into_the_next_window_whole_with_neighbours_as_context() {
        let d = doc(&[40, 40, 40], 1);
        let windows = plan_windows(&d);
        assert_eq!(windows.iter().map(|w| w.predict.clone()).collect::<Vec<_>>(), vec![0..80, 80..120]);
        assert_eq!(windows[0].context, 0..80 + CONTEXT);
        assert_eq!(windows[1].context, 80 - CONTEXT..120);
        assert_covers_once(&d, &windows);
    }

    #[test]
    fn a_long_sentence_is_chunked_with_context_on_both_sides() {
        let d = doc(&[5, 1000, 5], 2);
        let windows = plan_windows(&d);
        assert_covers_once(&d, &windows);
        let middle = &windows[2];
        assert!(middle.context.start < middle.predict.start && middle.predict.end < middle.context.end);
    }

    #[test]
    fn shapes_tell_case_apart() {
        assert_eq!(casing_shape("Blinken", false), 6);
        assert_eq!(casing_shape("OFAC", false), 5);
        assert_eq!(casing_shape("sanctions", false), 3);
        assert_eq!(casing_shape("The", true), 16);
        assert_eq!(casing_shape("13694", false), 1);
        assert_eq!(casing_shape(",", false), 0);
    }
}
