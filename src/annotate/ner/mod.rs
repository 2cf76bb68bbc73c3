//! The neural named-entity recogniser: a MiniLM encoder fine-tuned on CoNLL-2003 in this repository
//! (`newshound train-ner`), run in-process with candle.
//!
//! Input is a document as sentences of words; output is an IOB2 tag per word. Windows of whole
//! sentences give each sentence its neighbours as context, and decoding only yields valid sequences.

pub mod conll;
mod encoder;
pub mod tags;
pub mod train;
mod windows;

use std::path::{Path, PathBuf};

use anyhow::Context;
use candle_core::{D, DType, Device, Tensor};
use candle_nn::VarBuilder;
use rayon::prelude::*;

use encoder::{EncoderConfig, Tagger};
use tags::TAGS;
use windows::{WindowInput, WordPieces, plan_windows};

/// Where the shipped model lives, relative to the crate root.
pub const DEFAULT_MODEL_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/ner");

const WEIGHTS_FILE: &str = "model.safetensors";
const CONFIG_FILE: &str = "config.json";
const TOKENIZER_FILE: &str = "tokenizer.json";

/// Windows are scored in batches of about this many word pieces.
const BATCH_PIECES: usize = 4096;

const REBUILD_HINT: &str = "rebuild it with `newshound train-ner --data CONLL_DIR --base MINILM_DIR --out models/ner` \
     (see models/ner/README.md)";

pub struct NerModel {
    tagger: Tagger,
    pieces: WordPieces,
}

impl NerModel {
    /// Loads `config.json`, `tokenizer.json` and `model.safetensors` from `dir`; weights stored in f16
    /// are widened to f32.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let file = |name: &str| -> anyhow::Result<PathBuf> {
            let path = dir.join(name);
            anyhow::ensure!(path.is_file(), "{}: model file missing; {REBUILD_HINT}", path.display());
            Ok(path)
        };
        let config_path = file(CONFIG_FILE)?;
        let config: EncoderConfig = std::fs::read_to_string(&config_path)
            .map_err(anyhow::Error::from)
            .and_then(|text| Ok(serde_json::from_str(&text)?))
            .with_context(|| format!("{}: not a valid model config; {REBUILD_HINT}", config_path.display()))?;
        let weights_path = file(WEIGHTS_FILE)?;
        let weights = candle_core::safetensors::load(&weights_path, &Device::Cpu)
            .with_context(|| format!("{}: unreadable model weights; {REBUILD_HINT}", weights_path.display()))?;
        let vb = VarBuilder::from_tensors(weights, DType::F32, &Device::Cpu);
        let tagger = Tagger::new(&config, vb).with_context(|| {
            format!("{}: weights do not match {CONFIG_FILE}; {REBUILD_HINT}", weights_path.display())
        })?;
        let pieces = WordPieces::load(&file(TOKENIZER_FILE)?)?;
        Ok(NerModel { tagger, pieces })
    }

    /// Tags documents given as sentences of words: one IOB2 tag index (see [`tags::TAGS`]) per word.
    pub fn tag<S: AsRef<str>>(&self, documents: &[Vec<Vec<S>>]) -> anyhow::Result<Vec<Vec<Vec<usize>>>> {
        predict(&self.tagger, &self.pieces, documents)
    }
}

/// Pads window inputs into `(ids, shapes, mask)` tensors of shape `(batch, longest)`.
fn batch_tensors(inputs: &[&WindowInput]) -> candle_core::Result<(Tensor, Tensor, Tensor)> {
    let longest = inputs.iter().map(|i| i.ids.len()).max().unwrap_or(0);
    let mut ids = Vec::with_capacity(inputs.len() * longest);
    let mut shapes = Vec::with_capacity(inputs.len() * longest);
    let mut mask = Vec::with_capacity(inputs.len() * longest);
    for input in inputs {
        let padding = longest - input.ids.len();
        ids.extend(input.ids.iter().copied().chain(std::iter::repeat_n(0, padding)));
        shapes.extend(input.shapes.iter().copied().chain(std::iter::repeat_n(0, padding)));
        mask.extend(std::iter::repeat_n(1f32, input.ids.len()).chain(std::iter::repeat_n(0f32, padding)));
    }
    let shape = (inputs.len(), longest);
    Ok((
        Tensor::from_vec(ids, shape, &Device::Cpu)?,
        Tensor::from_vec(shapes, shape, &Device::Cpu)?,
        Tensor::from_vec(mask, shape, &Device::Cpu)?,
    ))
}

fn predict<S: AsRef<str>>(
    tagger: &Tagger,
    pieces: &WordPieces,
    documents: &[Vec<Vec<S>>],
) -> anyhow::Result<Vec<Vec<Vec<usize>>>> {
    let pieced: Vec<_> = documents.iter().map(|d| pieces.piece_document(d)).collect();
    let mut inputs: Vec<(usize, windows::Window, WindowInput)> = Vec::new();
    for (d, doc) in pieced.iter().enumerate() {
        for window in plan_windows(doc) {
            let input = pieces.window_input(doc, &window);
            inputs.push((d, window, input));
        }
    }
    // Similar lengths together, so little of each batch is padding.
    inputs.sort_by_key(|(_, _, input)| input.ids.len());
    let mut batches = Vec::new();
    let mut start = 0;
    while start < inputs.len() {
        // Sorted by length, so the window at `end` is the longest of the batch so far.
        let mut end = start + 1;
        while end < inputs.len() && (end - start + 1) * inputs[end].2.ids.len() <= BATCH_PIECES {
            end += 1;
        }
        batches.push(start..end);
        start = end;
    }
    // Batches run side by side: candle spreads matrix products over the cores, but not the
    // element-wise work (softmax, GELU, layer norm) that is a good part of a small model's time.
    let batch_scores: Vec<Vec<Vec<Vec<f32>>>> = batches
        .par_iter()
        .map(|range| -> candle_core::Result<_> {
            let batch: Vec<&WindowInput> = inputs[range.clone()].iter().map(|(_, _, i)| i).collect();
            let (ids, shapes, mask) = batch_tensors(&batch)?;
            let logits = tagger.forward(&ids, &shapes, &mask, false)?;
            candle_nn::ops::log_softmax(&logits, D::Minus1)?.to_vec3::<f32>()
        })
        .collect::<candle_core::Result<_>>()?;
    let mut scores: Vec<Vec<[f32; TAGS.len()]>> =
        pieced.iter().map(|doc| vec![[0.0; TAGS.len()]; doc.pieces.len()]).collect();
    for (range, log_probs) in batches.into_iter().zip(batch_scores) {
        for ((d, window, input), rows) in inputs[range].iter().zip(log_probs) {
            for (word, &position) in window.predict.clone().zip(&input.first_pieces) {
                scores[*d][word].copy_from_slice(&rows[position]);
            }
        }
    }
    Ok(pieced
        .iter()
        .zip(scores)
        .zip(documents)
        .map(|((doc, doc_scores), words)| {
            let ends = doc.sentence_starts.iter().skip(1).copied().chain(std::iter::once(doc.pieces.len()));
            let mut tags: Vec<Vec<usize>> =
                doc.sentence_starts.iter().zip(ends).map(|(&s, e)| tags::decode(&doc_scores[s..e])).collect();
            tags::harmonise_types(words, &mut tags);
            tags
        })
        .collect())
}
