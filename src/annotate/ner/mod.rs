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

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use candle_core::{D, DType, Device, Tensor};
use candle_nn::VarBuilder;
use rayon::prelude::*;

use encoder::{EncoderConfig, Tagger};
use tags::TAGS;
use windows::{WindowInput, WordPieces, plan_windows};

const WEIGHTS_FILE: &str = "model.safetensors";
const CONFIG_FILE: &str = "config.json";
const TOKENIZER_FILE: &str = "tokenizer.json";

/// The shipped model (`models/ner`), compiled into the binary so that it runs from anywhere.
#[cfg(feature = "embedded-model")]
mod embedded {
    pub const CONFIG: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/ner/config.json"));
    pub const WEIGHTS: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/ner/model.safetensors"));
    pub const TOKENIZER: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/ner/tokenizer.json"));
}

/// Windows are scored in batches of about this many word pieces.
const BATCH_PIECES: usize = 4096;

const GOOD_MODEL_HINT: &str = "point --model (or NEWSHOUND_MODEL, or [annotate] ner_model) at a folder holding \
     a good copy of the repository's models/ner, or unset them to use the model built into newshound; \
     models/ner/README.md says how to retrain one";

pub struct NerModel {
    tagger: Tagger,
    pieces: WordPieces,
    hidden: usize,
}

impl NerModel {
    /// The model in `dir` when one is given, else the one built into the binary.
    pub fn open(dir: Option<&Path>) -> anyhow::Result<Self> {
        match dir {
            Some(dir) => Self::load(dir),
            None => Self::built_in(),
        }
    }

    /// The shipped model, compiled in (cargo feature `embedded-model`, on by default).
    #[cfg(feature = "embedded-model")]
    pub fn built_in() -> anyhow::Result<Self> {
        let part = |name: &str| format!("{name} of the built-in model (rebuild newshound)");
        let config: EncoderConfig = serde_json::from_slice(embedded::CONFIG).with_context(|| part(CONFIG_FILE))?;
        let weights = candle_core::safetensors::load_buffer(embedded::WEIGHTS, &Device::Cpu)
            .with_context(|| part(WEIGHTS_FILE))?;
        let tagger = tagger(&config, weights).with_context(|| part(WEIGHTS_FILE))?;
        let pieces = WordPieces::from_bytes(embedded::TOKENIZER).with_context(|| part(TOKENIZER_FILE))?;
        Ok(NerModel { tagger, pieces, hidden: config.hidden_size })
    }

    #[cfg(not(feature = "embedded-model"))]
    pub fn built_in() -> anyhow::Result<Self> {
        anyhow::bail!(
            "this newshound was built without its model (cargo feature `embedded-model`): give the model \
             folder with --model DIR, NEWSHOUND_MODEL or [annotate] ner_model (the repository's models/ner)"
        )
    }

    /// Loads `config.json`, `tokenizer.json` and `model.safetensors` from `dir`; weights stored in f16
    /// are widened to f32.
    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let file = |name: &str| -> anyhow::Result<PathBuf> {
            let path = dir.join(name);
            anyhow::ensure!(path.is_file(), "{}: model file missing; {GOOD_MODEL_HINT}", path.display());
            Ok(path)
        };
        let config_path = file(CONFIG_FILE)?;
        let config: EncoderConfig = std::fs::read_to_string(&config_path)
            .map_err(anyhow::Error::from)
            .and_then(|text| Ok(serde_json::from_str(&text)?))
            .with_context(|| format!("{}: not a valid model config; {GOOD_MODEL_HINT}", config_path.display()))?;
        let weights_path = file(WEIGHTS_FILE)?;
        let weights = candle_core::safetensors::load(&weights_path, &Device::Cpu)
            .with_context(|| format!("{}: unreadable model weights; {GOOD_MODEL_HINT}", weights_path.display()))?;
        let tagger = tagger(&config, weights).with_context(|| {
            format!("{}: weights do not match {CONFIG_FILE}; {GOOD_MODEL_HINT}", weights_path.display())
        })?;
        let tokenizer_path = file(TOKENIZER_FILE)?;
        let pieces = WordPieces::load(&tokenizer_path)
            .with_context(|| format!("{}: unusable tokenizer; {GOOD_MODEL_HINT}", tokenizer_path.display()))?;
        Ok(NerModel { tagger, pieces, hidden: config.hidden_size })
    }

    /// Tags documents given as sentences of words: one IOB2 tag index (see [`tags::TAGS`]) per word.
    pub fn tag<S: AsRef<str>>(&self, documents: &[Vec<Vec<S>>]) -> anyhow::Result<Vec<Vec<Vec<usize>>>> {
        Ok(predict(&self.tagger, &self.pieces, documents, false)?.into_iter().map(|(tags, _)| tags).collect())
    }

    /// Tags one document and also returns the encoder's vector of each word (the last layer at the
    /// word's first piece), words in document order: what the designation head reads.
    pub fn tag_with_vectors<S: AsRef<str>>(
        &self,
        document: &[Vec<S>],
    ) -> anyhow::Result<(Vec<Vec<usize>>, WordVectors)> {
        let mut tagged = predict(&self.tagger, &self.pieces, &[document], true)?;
        let (tags, vectors) = tagged.pop().unwrap_or_default();
        Ok((tags, vectors.unwrap_or_default()))
    }

    /// The length of a word vector.
    pub fn hidden_size(&self) -> usize {
        self.hidden
    }
}

/// One vector per word of a document, in order.
#[derive(Debug, Clone, Default)]
pub struct WordVectors {
    pub dim: usize,
    pub data: Vec<f32>,
}

impl WordVectors {
    pub fn word(&self, index: usize) -> &[f32] {
        &self.data[index * self.dim..(index + 1) * self.dim]
    }

    pub fn len(&self) -> usize {
        if self.dim == 0 { 0 } else { self.data.len() / self.dim }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn tagger(config: &EncoderConfig, weights: HashMap<String, Tensor>) -> candle_core::Result<Tagger> {
    Tagger::new(config, VarBuilder::from_tensors(weights, DType::F32, &Device::Cpu))
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

/// Tags and, with `vectors`, each word's encoder vector, per document.
type Predicted = (Vec<Vec<usize>>, Option<WordVectors>);

fn predict<S: AsRef<str>, Doc: AsRef<[Vec<S>]>>(
    tagger: &Tagger,
    pieces: &WordPieces,
    documents: &[Doc],
    vectors: bool,
) -> anyhow::Result<Vec<Predicted>> {
    let pieced: Vec<_> = documents.iter().map(|d| pieces.piece_document(d.as_ref())).collect();
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
    type BatchOut = (Vec<Vec<Vec<f32>>>, Option<Vec<Vec<Vec<f32>>>>);
    let batch_outputs: Vec<BatchOut> = batches
        .par_iter()
        .map(|range| -> candle_core::Result<_> {
            let batch: Vec<&WindowInput> = inputs[range.clone()].iter().map(|(_, _, i)| i).collect();
            let (ids, shapes, mask) = batch_tensors(&batch)?;
            let hidden = tagger.encode(&ids, &shapes, &mask, false)?;
            let logits = tagger.classify(&hidden)?;
            let log_probs = candle_nn::ops::log_softmax(&logits, D::Minus1)?.to_vec3::<f32>()?;
            Ok((log_probs, if vectors { Some(hidden.to_vec3::<f32>()?) } else { None }))
        })
        .collect::<candle_core::Result<_>>()?;
    let dim = batch_outputs.iter().find_map(|(_, h)| h.as_ref()?.first()?.first().map(Vec::len)).unwrap_or(0);
    let mut scores: Vec<Vec<[f32; TAGS.len()]>> =
        pieced.iter().map(|doc| vec![[0.0; TAGS.len()]; doc.pieces.len()]).collect();
    let mut word_vectors: Vec<Vec<f32>> =
        pieced.iter().map(|doc| if vectors { vec![0.0; doc.pieces.len() * dim] } else { Vec::new() }).collect();
    for (range, (log_probs, hidden)) in batches.into_iter().zip(batch_outputs) {
        for (i, ((d, window, input), rows)) in inputs[range].iter().zip(log_probs).enumerate() {
            for (word, &position) in window.predict.clone().zip(&input.first_pieces) {
                scores[*d][word].copy_from_slice(&rows[position]);
                if let Some(hidden) = &hidden {
                    word_vectors[*d][word * dim..(word + 1) * dim].copy_from_slice(&hidden[i][position]);
                }
            }
        }
    }
    Ok(pieced
        .iter()
        .zip(scores)
        .zip(documents)
        .zip(word_vectors)
        .map(|(((doc, doc_scores), words), data)| {
            let ends = doc.sentence_starts.iter().skip(1).copied().chain(std::iter::once(doc.pieces.len()));
            let mut tags: Vec<Vec<usize>> =
                doc.sentence_starts.iter().zip(ends).map(|(&s, e)| tags::decode(&doc_scores[s..e])).collect();
            tags::harmonise_types(words.as_ref(), &mut tags);
            (tags, vectors.then_some(WordVectors { dim, data }))
        })
        .collect())
}
