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

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use candle_core::Device;
use rayon::prelude::*;

use candle_core::Tensor;
use encoder::EncoderConfig;
pub use encoder::{Layer as TrainableLayer, LayerShape};
use inference::Encoder;
pub use inference::TopLayer;
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
    shape: LayerShape,
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
        Ok(NerModel { encoder, pieces, shape: config.layer_shape() })
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
        Ok(NerModel { encoder, pieces, shape: config.layer_shape() })
    }

    /// Tags documents given as sentences of words: one IOB2 tag index (see [`tags::TAGS`]) per word.
    pub fn tag<S: AsRef<str> + Sync>(&self, documents: &[Vec<Vec<S>>]) -> anyhow::Result<Vec<Vec<Vec<usize>>>> {
        Ok(predict(&self.encoder, &self.pieces, documents, None)?.into_iter().map(|p| p.tags).collect())
    }

    /// Tags one document and also returns the encoder's vector of each word (the output of layer
    /// `read.vectors` at the word's first piece), words in document order: what the designation head
    /// reads; with `read.states`, also the output of that layer at every piece, for a layer above it.
    pub fn tag_with_vectors<S: AsRef<str> + Sync>(
        &self,
        document: &[Vec<S>],
        read: LayersRead,
    ) -> anyhow::Result<(Vec<Vec<usize>>, WordVectors, Option<PieceStates>)> {
        let tagged = predict(&self.encoder, &self.pieces, &[document], Some(read))?.pop().unwrap_or_default();
        Ok((tagged.tags, tagged.vectors.unwrap_or_default(), tagged.states))
    }

    /// The shape of each of the encoder's layers.
    pub fn layer_shape(&self) -> LayerShape {
        self.shape
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

/// The weights of encoder layer `layer` (1 is the first) of the model in `dir`, else of the built-in
/// one, named within the layer (`attention.self.query.weight`, …), in f32: where a tuned copy of the
/// layer starts from.
pub fn layer_weights(dir: Option<&Path>, layer: usize) -> anyhow::Result<HashMap<String, Tensor>> {
    let all = match dir {
        Some(dir) => {
            let path = dir.join(WEIGHTS_FILE);
            candle_core::safetensors::load(&path, &Device::Cpu)
                .with_context(|| format!("{}: unreadable model weights; {GOOD_MODEL_HINT}", path.display()))?
        }
        None => built_in_weights()?,
    };
    let prefix = format!("encoder.layer.{}.", layer.saturating_sub(1));
    let weights: HashMap<String, Tensor> = all
        .into_iter()
        .filter_map(|(name, t)| Some((name.strip_prefix(&prefix)?.to_string(), t)))
        .map(|(name, t)| Ok((name, t.to_dtype(candle_core::DType::F32)?)))
        .collect::<anyhow::Result<_>>()?;
    anyhow::ensure!(!weights.is_empty(), "the model has no encoder layer {layer}");
    Ok(weights)
}

#[cfg(feature = "embedded-model")]
fn built_in_weights() -> anyhow::Result<HashMap<String, Tensor>> {
    candle_core::safetensors::load_buffer(embedded::WEIGHTS, &Device::Cpu)
        .context("the built-in model's weights (rebuild newshound)")
}

#[cfg(not(feature = "embedded-model"))]
fn built_in_weights() -> anyhow::Result<HashMap<String, Tensor>> {
    NerModel::built_in().map(|_| HashMap::new())
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

/// The output of one encoder layer at every piece of a document's windows, windows end to end: what
/// a layer above it reads.
#[derive(Debug, Clone, Default)]
pub struct PieceStates {
    pub dim: usize,
    pub rows: Vec<f32>,
    /// Pieces per window, in order.
    pub lengths: Vec<usize>,
    /// The row each word is read from: its first piece, in the window that predicts it.
    pub word_rows: Vec<usize>,
}

impl PieceStates {
    /// Each word's vector from `rows`, the same windows' rows out of a layer above.
    pub fn words_of(&self, rows: &[f32]) -> WordVectors {
        let dim = self.dim;
        let data = self.word_rows.iter().flat_map(|&r| rows[r * dim..(r + 1) * dim].iter().copied()).collect();
        WordVectors { dim, data }
    }
}

/// Which layers' outputs a prediction keeps (1 is the first): `vectors` at each word, `states` at
/// every piece.
#[derive(Debug, Clone, Copy)]
pub struct LayersRead {
    pub vectors: usize,
    pub states: Option<usize>,
}

/// A document's tags and what was kept of the layers read.
#[derive(Default)]
struct Predicted {
    tags: Vec<Vec<usize>>,
    vectors: Option<WordVectors>,
    states: Option<PieceStates>,
}

fn predict<S: AsRef<str> + Sync, Doc: AsRef<[Vec<S>]> + Sync>(
    encoder: &Encoder,
    pieces: &WordPieces,
    documents: &[Doc],
    read: Option<LayersRead>,
) -> anyhow::Result<Vec<Predicted>> {
    let vectors = read.is_some();
    let keep: Vec<usize> = read.map(|r| std::iter::once(r.vectors).chain(r.states).collect()).unwrap_or_default();
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
        .map(|range| encoder.run(&inputs[range.clone()].iter().map(|(_, _, i)| i).collect::<Vec<_>>(), &keep))
        .collect::<anyhow::Result<_>>()?;
    let (dim, labels) = (encoder.hidden_size(), encoder.labels());
    let mut scores: Vec<Vec<[f32; TAGS.len()]>> =
        pieced.iter().map(|doc| vec![[0.0; TAGS.len()]; doc.pieces.len()]).collect();
    let mut word_vectors: Vec<Vec<f32>> =
        pieced.iter().map(|doc| if vectors { vec![0.0; doc.pieces.len() * dim] } else { Vec::new() }).collect();
    let keeps_states = read.is_some_and(|r| r.states.is_some());
    let mut states: Vec<PieceStates> = pieced
        .iter()
        .map(|doc| PieceStates { dim, word_rows: vec![0; doc.pieces.len()], ..Default::default() })
        .collect();
    for (range, output) in batches.into_iter().zip(outputs) {
        for ((d, window, input), &first_row) in inputs[range].iter().zip(&output.starts) {
            let state_base = states[*d].rows.len() / dim;
            if keeps_states {
                let window_rows = first_row * dim..(first_row + input.ids.len()) * dim;
                states[*d].rows.extend_from_slice(&output.hidden[1][window_rows]);
                states[*d].lengths.push(input.ids.len());
            }
            for (word, &position) in window.predict.clone().zip(&input.first_pieces) {
                let row = first_row + position;
                log_softmax(&output.scores[row * labels..(row + 1) * labels], &mut scores[*d][word]);
                if vectors {
                    word_vectors[*d][word * dim..(word + 1) * dim]
                        .copy_from_slice(&output.hidden[0][row * dim..(row + 1) * dim]);
                }
                states[*d].word_rows[word] = state_base + position;
            }
        }
    }
    Ok(pieced
        .iter()
        .zip(scores)
        .zip(documents)
        .zip(word_vectors)
        .zip(states)
        .map(|((((doc, doc_scores), words), data), states)| {
            let ends = doc.sentence_starts.iter().skip(1).copied().chain(std::iter::once(doc.pieces.len()));
            let mut tags: Vec<Vec<usize>> =
                doc.sentence_starts.iter().zip(ends).map(|(&s, e)| tags::decode(&doc_scores[s..e])).collect();
            tags::harmonise_types(words.as_ref(), &mut tags);
            Predicted {
                tags,
                vectors: vectors.then_some(WordVectors { dim, data }),
                states: keeps_states.then_some(states),
            }
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

#[cfg(all(test, feature = "embedded-model"))]
mod tests {
    use super::*;

    /// A copy of layer 4 run over layer 3's states is layer 4: the states, the rows each word is read
    /// from and the layer's weights line up (what a tuned layer starts from).
    #[test]
    fn a_layer_copy_over_the_states_below_gives_the_encoders_own_vectors() {
        let model = NerModel::built_in().unwrap();
        let text = [
            "The U.S. Treasury on Tuesday sanctioned Baltic Freight Lines FZE, a Sharjah-registered ship manager.",
            "Its owner Anton Viktorovich Kessler is now subject to an asset freeze and a travel ban, officials in Washington said.",
        ];
        let document: Vec<Vec<&str>> = text.iter().map(|s| s.split(' ').collect()).collect();
        let (_, vectors, states) =
            model.tag_with_vectors(&document, LayersRead { vectors: 4, states: Some(3) }).unwrap();
        let states = states.unwrap();
        let words: usize = document.iter().map(Vec::len).sum();
        assert_eq!(vectors.len(), words);
        assert_eq!(states.word_rows.len(), words);
        assert_eq!(states.rows.len(), states.lengths.iter().sum::<usize>() * states.dim);
        let copy = TopLayer::new(&layer_weights(None, 4).unwrap(), "", &model.layer_shape()).unwrap();
        let again = states.words_of(&copy.run(&states.rows, &states.lengths));
        let largest = vectors.data.iter().zip(&again.data).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
        assert!(largest < 1e-4, "the copy's vectors differ from the encoder's by up to {largest}");
        // Another layer's weights give other vectors.
        let other = TopLayer::new(&layer_weights(None, 5).unwrap(), "", &model.layer_shape()).unwrap();
        let moved = states.words_of(&other.run(&states.rows, &states.lengths));
        assert!(vectors.data.iter().zip(&moved.data).any(|(a, b)| (a - b).abs() > 0.1));
    }
}
