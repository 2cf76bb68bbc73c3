//! The neural named-entity recogniser: a MiniLM encoder fine-tuned on CoNLL-2003 in this repository
//! (`newshound train-ner`), run in-process with candle.
//!
//! Input is a document as sentences of words; output is an IOB2 tag per word. Windows of whole
//! sentences give each sentence its neighbours as context, and decoding only yields valid sequences.

pub mod conll;
mod encoder;
mod inference;
mod matmul;
pub mod tags;
pub mod train;
mod windows;

use std::path::{Path, PathBuf};

use anyhow::Context;
use candle_core::Device;
use rayon::prelude::*;

use encoder::EncoderConfig;
use inference::Encoder;
use matmul::Kernel;
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

/// Windows are scored in batches of at most this many word pieces (a window longer than that alone).
const BATCH_PIECES: usize = 4096;

const GOOD_MODEL_HINT: &str = "point --model (or NEWSHOUND_MODEL, or [annotate] ner_model) at a folder holding \
     a good copy of the repository's models/ner, or unset them to use the model built into newshound; \
     models/ner/README.md says how to retrain one";

pub struct NerModel {
    encoder: Encoder,
    pieces: WordPieces,
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
        let encoder = Encoder::new(&config, &weights, Kernel::detect()).with_context(|| part(WEIGHTS_FILE))?;
        let pieces = WordPieces::from_bytes(embedded::TOKENIZER).with_context(|| part(TOKENIZER_FILE))?;
        Ok(NerModel { encoder, pieces })
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
        let encoder = Encoder::new(&config, &weights, Kernel::detect()).with_context(|| {
            format!("{}: weights do not match {CONFIG_FILE}; {GOOD_MODEL_HINT}", weights_path.display())
        })?;
        let tokenizer_path = file(TOKENIZER_FILE)?;
        let pieces = WordPieces::load(&tokenizer_path)
            .with_context(|| format!("{}: unusable tokenizer; {GOOD_MODEL_HINT}", tokenizer_path.display()))?;
        Ok(NerModel { encoder, pieces })
    }

    /// Tags documents given as sentences of words: one IOB2 tag index (see [`tags::TAGS`]) per word.
    pub fn tag<S: AsRef<str> + Sync>(&self, documents: &[Vec<Vec<S>>]) -> anyhow::Result<Vec<Vec<Vec<usize>>>> {
        Ok(predict(&self.encoder, &self.pieces, documents, None)?.into_iter().map(|(tags, _)| tags).collect())
    }

    /// Tags one document and also returns the encoder's vector of each word (the output of
    /// `layer` at the word's first piece), words in document order: what the designation head reads.
    pub fn tag_with_vectors<S: AsRef<str> + Sync>(
        &self,
        document: &[Vec<S>],
        layer: usize,
    ) -> anyhow::Result<(Vec<Vec<usize>>, WordVectors)> {
        let mut tagged = predict(&self.encoder, &self.pieces, &[document], Some(layer))?;
        let (tags, vectors) = tagged.pop().unwrap_or_default();
        Ok((tags, vectors.unwrap_or_default()))
    }

    /// The length of a word vector.
    pub fn hidden_size(&self) -> usize {
        self.encoder.hidden_size()
    }

    /// That `layer` is one of the encoder's (1 is the first), so its vectors can be read.
    pub fn ensure_layer(&self, layer: usize) -> anyhow::Result<()> {
        let layers = self.encoder.layers();
        anyhow::ensure!((1..=layers).contains(&layer), "the encoder has layers 1 to {layers}, not {layer}");
        Ok(())
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

/// Tags and, with a vector layer, each word's vector from it, per document.
type Predicted = (Vec<Vec<usize>>, Option<WordVectors>);

fn predict<S: AsRef<str> + Sync, Doc: AsRef<[Vec<S>]> + Sync>(
    encoder: &Encoder,
    pieces: &WordPieces,
    documents: &[Doc],
    vector_layer: Option<usize>,
) -> anyhow::Result<Vec<Predicted>> {
    let vectors = vector_layer.is_some();
    let pieced: Vec<_> = documents.par_iter().map(|d| pieces.piece_document(d.as_ref())).collect();
    let inputs: Vec<(usize, windows::Window, WindowInput)> = pieced
        .par_iter()
        .enumerate()
        .flat_map_iter(|(d, doc)| {
            plan_windows(doc).into_iter().map(move |window| {
                let input = pieces.window_input(doc, &window);
                (d, window, input)
            })
        })
        .collect();
    let mut batches = Vec::new();
    let mut start = 0;
    while start < inputs.len() {
        let mut end = start;
        let mut size = 0;
        while end < inputs.len() && (end == start || size + inputs[end].2.ids.len() <= BATCH_PIECES) {
            size += inputs[end].2.ids.len();
            end += 1;
        }
        batches.push(start..end);
        start = end;
    }
    // Batches run side by side, each on one core: no core waits for another inside a batch.
    let outputs: Vec<inference::Encoded> = batches
        .par_iter()
        .map(|range| encoder.run(&inputs[range.clone()].iter().map(|(_, _, i)| i).collect::<Vec<_>>(), vector_layer))
        .collect::<anyhow::Result<_>>()?;
    let (dim, labels) = (encoder.hidden_size(), encoder.labels());
    let mut scores: Vec<Vec<[f32; TAGS.len()]>> =
        pieced.iter().map(|doc| vec![[0.0; TAGS.len()]; doc.pieces.len()]).collect();
    let mut word_vectors: Vec<Vec<f32>> =
        pieced.iter().map(|doc| if vectors { vec![0.0; doc.pieces.len() * dim] } else { Vec::new() }).collect();
    for (range, output) in batches.into_iter().zip(outputs) {
        for ((d, window, input), &first_row) in inputs[range].iter().zip(&output.starts) {
            for (word, &position) in window.predict.clone().zip(&input.first_pieces) {
                let row = first_row + position;
                log_softmax(&output.scores[row * labels..(row + 1) * labels], &mut scores[*d][word]);
                if vectors {
                    word_vectors[*d][word * dim..(word + 1) * dim]
                        .copy_from_slice(&output.hidden[row * dim..(row + 1) * dim]);
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

fn log_softmax(scores: &[f32], out: &mut [f32; TAGS.len()]) {
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let log_sum = scores.iter().map(|s| (s - max).exp()).sum::<f32>().ln() + max;
    for (o, s) in out.iter_mut().zip(scores) {
        *o = s - log_sum;
    }
}
