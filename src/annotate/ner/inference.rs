//! The tagger's forward pass for tagging: the same network as [`super::encoder::Tagger`], computed
//! without a tensor library so that every step is fused and nothing is padded.
//!
//! The windows of a batch are laid end to end, one row per word piece: the dense layers see all rows
//! at once and attention runs window by window, so no row is padding. Bias, residual, GELU and layer
//! norm are applied in the same pass as the product they follow, and buffers are reused from layer to
//! layer. The products are in [`super::matmul`]. A batch runs on the calling thread; batches run side
//! by side.

use std::collections::HashMap;

use anyhow::Context;
use candle_core::{DType, Tensor};

use super::encoder::{EncoderConfig, LayerShape};
use super::matmul::{Kernel, Weights};
use super::windows::WindowInput;

struct Norm {
    weight: Vec<f32>,
    bias: Vec<f32>,
    eps: f32,
}

impl Norm {
    /// Layer norm of each row of `x` in place.
    fn apply(&self, x: &mut [f32]) {
        for row in x.chunks_exact_mut(self.weight.len()) {
            let n = row.len() as f32;
            let mean = lane_sum(row) / n;
            let mut squares = [0f32; LANES];
            for chunk in row.chunks(LANES) {
                for (s, v) in squares.iter_mut().zip(chunk) {
                    *s += (v - mean) * (v - mean);
                }
            }
            let inverse = 1.0 / (squares.iter().sum::<f32>() / n + self.eps).sqrt();
            for ((v, w), b) in row.iter_mut().zip(&self.weight).zip(&self.bias) {
                *v = (*v - mean) * inverse * w + b;
            }
        }
    }
}

struct Layer {
    /// Query, key and value in one product: `hidden → 3 × hidden`.
    qkv: Weights,
    attention_out: Weights,
    attention_norm: Norm,
    intermediate: Weights,
    output: Weights,
    output_norm: Norm,
}

/// The encoder and its tag head, ready to tag.
pub struct Encoder {
    hidden: usize,
    heads: usize,
    words: Vec<f32>,
    positions: Vec<f32>,
    token_type: Vec<f32>,
    shapes: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
    classifier: Weights,
}

/// The output of one batch: rows of the windows end to end, `starts[i]` the first row of window `i`.
pub struct Encoded {
    /// The output of each layer asked for, in the order asked.
    pub hidden: Vec<Vec<f32>>,
    pub scores: Vec<f32>,
    pub starts: Vec<usize>,
}

impl Encoder {
    /// From the network's tensors, named as in [`super::encoder::Tagger`] (Hugging Face BERT names).
    pub fn new(config: &EncoderConfig, tensors: &HashMap<String, Tensor>, kernel: Kernel) -> anyhow::Result<Self> {
        let h = config.hidden_size;
        anyhow::ensure!(
            config.num_attention_heads > 0 && h.is_multiple_of(config.num_attention_heads),
            "hidden size {h} is not a multiple of {} heads",
            config.num_attention_heads
        );
        let values = |name: &str, shape: &[usize]| values(tensors, name, shape);
        let norm = |prefix: &str| norm(tensors, prefix, h, config.layer_norm_eps);
        let layers = (0..config.num_hidden_layers)
            .map(|i| Layer::new(tensors, &format!("encoder.layer.{i}."), &config.layer_shape(), kernel))
            .collect::<anyhow::Result<_>>()?;
        let token_types = values("embeddings.token_type_embeddings.weight", &[2, h])?;
        Ok(Encoder {
            hidden: h,
            heads: config.num_attention_heads,
            words: values("embeddings.word_embeddings.weight", &[config.vocab_size, h])?,
            positions: values("embeddings.position_embeddings.weight", &[config.max_position_embeddings, h])?,
            // Every window is one segment: only the first token-type row is used.
            token_type: token_types[..h].to_vec(),
            shapes: values("embeddings.shape_embeddings.weight", &[config.casing_shapes, h])?,
            embedding_norm: norm("embeddings.LayerNorm")?,
            layers,
            classifier: linear(tensors, "classifier", h, config.labels, kernel)?,
        })
    }

    pub fn hidden_size(&self) -> usize {
        self.hidden
    }

    pub fn layers(&self) -> usize {
        self.layers.len()
    }

    pub fn labels(&self) -> usize {
        self.classifier.outputs()
    }

    /// The tag scores (before softmax) of every piece of every window and the output of each layer
    /// in `keep` (1 is the first, [`Self::layers`] the last; see [`super::NerModel::ensure_layer`]).
    pub fn run(&self, windows: &[&WindowInput], keep: &[usize]) -> anyhow::Result<Encoded> {
        let h = self.hidden;
        let mut starts = Vec::with_capacity(windows.len());
        let mut rows = 0;
        for window in windows {
            anyhow::ensure!(
                window.ids.len() * h <= self.positions.len(),
                "a window of {} pieces is longer than the model reads",
                window.ids.len()
            );
            starts.push(rows);
            rows += window.ids.len();
        }
        let mut x = vec![0f32; rows * h];
        for (window, &start) in windows.iter().zip(&starts) {
            for (position, (&id, &shape)) in window.ids.iter().zip(&window.shapes).enumerate() {
                let row = &mut x[(start + position) * h..(start + position + 1) * h];
                let word =
                    self.words.get(id as usize * h..(id as usize + 1) * h).context("piece id out of vocabulary")?;
                let shape =
                    self.shapes.get(shape as usize * h..(shape as usize + 1) * h).context("unknown casing shape")?;
                let position = &self.positions[position * h..(position + 1) * h];
                for (((v, w), p), (t, s)) in
                    row.iter_mut().zip(word).zip(position).zip(self.token_type.iter().zip(shape))
                {
                    *v = w + p + t + s;
                }
            }
        }
        self.embedding_norm.apply(&mut x);
        let lengths: Vec<usize> = windows.iter().map(|w| w.ids.len()).collect();
        let mut scratch = Scratch::new(rows, h, self.layers.first().map_or(0, |l| l.intermediate.outputs()));
        let mut hidden = vec![Vec::new(); keep.len()];
        for (number, layer) in (1..).zip(&self.layers) {
            layer.apply(&mut x, &lengths, self.heads, &mut scratch);
            for (kept, _) in hidden.iter_mut().zip(keep).filter(|&(_, &k)| k == number) {
                kept.clone_from(&x);
            }
        }
        let mut scores = vec![0f32; rows * self.classifier.outputs()];
        self.classifier.apply(&x, &mut scores);
        Ok(Encoded { hidden, scores, starts })
    }
}

/// The values of tensor `name`, which must have `shape`.
fn values(tensors: &HashMap<String, Tensor>, name: &str, shape: &[usize]) -> anyhow::Result<Vec<f32>> {
    let tensor = tensors.get(name).with_context(|| format!("no tensor {name}"))?;
    anyhow::ensure!(tensor.dims() == shape, "{name} is {:?}, expected {shape:?}", tensor.dims());
    Ok(tensor.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>()?)
}

fn linear(
    tensors: &HashMap<String, Tensor>,
    prefix: &str,
    inputs: usize,
    outputs: usize,
    kernel: Kernel,
) -> anyhow::Result<Weights> {
    let weight = values(tensors, &format!("{prefix}.weight"), &[outputs, inputs])?;
    let bias = values(tensors, &format!("{prefix}.bias"), &[outputs])?;
    Ok(Weights::new(weight, bias, inputs, outputs, kernel))
}

fn norm(tensors: &HashMap<String, Tensor>, prefix: &str, hidden: usize, eps: f64) -> anyhow::Result<Norm> {
    Ok(Norm {
        weight: values(tensors, &format!("{prefix}.weight"), &[hidden])?,
        bias: values(tensors, &format!("{prefix}.bias"), &[hidden])?,
        eps: eps as f32,
    })
}

impl Layer {
    /// The layer whose tensors are named `{prefix}attention.self.query.weight` and so on.
    fn new(
        tensors: &HashMap<String, Tensor>,
        prefix: &str,
        shape: &LayerShape,
        kernel: Kernel,
    ) -> anyhow::Result<Self> {
        let h = shape.hidden_size;
        let at = |part: &str| format!("{prefix}{part}");
        let mut qkv_weight = Vec::with_capacity(3 * h * h);
        let mut qkv_bias = Vec::with_capacity(3 * h);
        for part in ["query", "key", "value"] {
            qkv_weight.extend(values(tensors, &at(&format!("attention.self.{part}.weight")), &[h, h])?);
            qkv_bias.extend(values(tensors, &at(&format!("attention.self.{part}.bias")), &[h])?);
        }
        Ok(Layer {
            qkv: Weights::new(qkv_weight, qkv_bias, h, 3 * h, kernel),
            attention_out: linear(tensors, &at("attention.output.dense"), h, h, kernel)?,
            attention_norm: norm(tensors, &at("attention.output.LayerNorm"), h, shape.layer_norm_eps)?,
            intermediate: linear(tensors, &at("intermediate.dense"), h, shape.intermediate_size, kernel)?,
            output: linear(tensors, &at("output.dense"), shape.intermediate_size, h, kernel)?,
            output_norm: norm(tensors, &at("output.LayerNorm"), h, shape.layer_norm_eps)?,
        })
    }

    /// `x` (rows of windows laid end to end, `lengths` rows each) through the layer, in place.
    fn apply(&self, x: &mut [f32], lengths: &[usize], heads: usize, scratch: &mut Scratch) {
        let hidden = self.attention_norm.weight.len();
        self.qkv.apply(x, &mut scratch.qkv);
        attend(&scratch.qkv, lengths, hidden, heads, &mut scratch.context, &mut scratch.scores);
        // x ← norm(x + context · Wₒ)
        self.attention_out.apply(&scratch.context, &mut scratch.projected);
        add_in_place(x, &scratch.projected);
        self.attention_norm.apply(x);
        // x ← norm(x + gelu(x · Wᵢ) · W₂)
        self.intermediate.apply(x, &mut scratch.inner);
        gelu(&mut scratch.inner);
        self.output.apply(&scratch.inner, &mut scratch.projected);
        add_in_place(x, &scratch.projected);
        self.output_norm.apply(x);
    }
}

/// One encoder layer apart from the encoder: the designation head's tuned copy of a layer, run over
/// the output of the layer below it.
pub struct TopLayer {
    layer: Layer,
    heads: usize,
}

impl TopLayer {
    pub fn new(tensors: &HashMap<String, Tensor>, prefix: &str, shape: &LayerShape) -> anyhow::Result<Self> {
        anyhow::ensure!(
            shape.num_attention_heads > 0 && shape.hidden_size.is_multiple_of(shape.num_attention_heads),
            "hidden size {} is not a multiple of {} heads",
            shape.hidden_size,
            shape.num_attention_heads
        );
        Ok(TopLayer { layer: Layer::new(tensors, prefix, shape, Kernel::detect())?, heads: shape.num_attention_heads })
    }

    /// Rows of windows laid end to end (`lengths` rows each) through the layer.
    pub fn run(&self, rows: &[f32], lengths: &[usize]) -> Vec<f32> {
        let hidden = self.layer.attention_norm.weight.len();
        let mut x = rows.to_vec();
        let mut scratch = Scratch::new(x.len() / hidden.max(1), hidden, self.layer.intermediate.outputs());
        self.layer.apply(&mut x, lengths, self.heads, &mut scratch);
        x
    }
}

/// Buffers reused by every layer of a batch.
struct Scratch {
    qkv: Vec<f32>,
    context: Vec<f32>,
    projected: Vec<f32>,
    inner: Vec<f32>,
    /// Attention scores of one head of one window.
    scores: Vec<f32>,
}

impl Scratch {
    fn new(rows: usize, hidden: usize, intermediate: usize) -> Self {
        Scratch {
            qkv: vec![0.0; rows * 3 * hidden],
            context: vec![0.0; rows * hidden],
            projected: vec![0.0; rows * hidden],
            inner: vec![0.0; rows * intermediate],
            scores: Vec::new(),
        }
    }
}

/// Defines a function whose body runs compiled for AVX2 and FMA where the CPU has them (8-wide vectors
/// rather than the baseline's 4), and as compiled for the baseline elsewhere.
macro_rules! with_wide_vectors {
    ($(#[$meta:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        $(#[$meta])*
        fn $name($($arg: $ty),*) {
            #[inline(always)]
            fn body($($arg: $ty),*) $body
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            fn wide($($arg: $ty),*) {
                body($($arg),*)
            }
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                // SAFETY: the CPU has the features `wide` is compiled for.
                return unsafe { wide($($arg),*) };
            }
            body($($arg),*)
        }
    };
}

/// Self-attention of each window over itself, each head apart: `qkv` rows are (query | key | value).
/// `scores` is scratch space.
fn attend(qkv: &[f32], lengths: &[usize], hidden: usize, heads: usize, context: &mut [f32], scores: &mut Vec<f32>) {
    let head_dim = hidden / heads;
    let scale = 1.0 / (head_dim as f32).sqrt();
    let stride = 3 * hidden;
    let mut start = 0;
    for &len in lengths {
        scores.resize(len * len, 0.0);
        for head in 0..heads {
            let query = start * stride + head * head_dim;
            let (key, value) = (query + hidden, query + 2 * hidden);
            // SAFETY (both products): rows `start..start + len` of `qkv` (row stride `stride`) and of
            // `context` (row stride `hidden`) exist, and each head's `head_dim` columns lie inside a row;
            // `scores` holds `len × len`.
            // scores = scale · Q Kᵀ
            unsafe {
                gemm::gemm(
                    len,
                    len,
                    head_dim,
                    scores.as_mut_ptr(),
                    1,
                    len as isize,
                    false,
                    qkv[query..].as_ptr(),
                    1,
                    stride as isize,
                    qkv[key..].as_ptr(),
                    stride as isize,
                    1,
                    0.0,
                    scale,
                    false,
                    false,
                    false,
                    gemm::Parallelism::None,
                )
            };
            softmax_rows(scores, len);
            // context = softmax(scores) V
            unsafe {
                gemm::gemm(
                    len,
                    head_dim,
                    len,
                    context[start * hidden + head * head_dim..].as_mut_ptr(),
                    1,
                    hidden as isize,
                    false,
                    scores.as_ptr(),
                    1,
                    len as isize,
                    qkv[value..].as_ptr(),
                    1,
                    stride as isize,
                    0.0,
                    1.0,
                    false,
                    false,
                    false,
                    gemm::Parallelism::None,
                )
            };
        }
        start += len;
    }
}

with_wide_vectors! {
/// Softmax of each row of `values`, rows of `width`, in place.
fn softmax_rows(values: &mut [f32], width: usize) {
    // Plain loops throughout: an iterator adapter may stay a call, compiled without the wide vectors.
    for row in values.chunks_exact_mut(width) {
        softmax(row);
    }
}
}

fn add_in_place(x: &mut [f32], y: &[f32]) {
    for (a, b) in x.iter_mut().zip(y) {
        *a += b;
    }
}

/// Width of the partial sums that let the compiler vectorise a sum.
const LANES: usize = 16;

#[inline(always)]
fn lane_sum(values: &[f32]) -> f32 {
    let mut lanes = [0f32; LANES];
    for chunk in values.chunks(LANES) {
        for (l, v) in lanes.iter_mut().zip(chunk) {
            *l += v;
        }
    }
    lanes.iter().sum()
}

#[inline(always)]
fn softmax(values: &mut [f32]) {
    let mut lanes = [f32::NEG_INFINITY; LANES];
    for chunk in values.chunks(LANES) {
        for (l, &v) in lanes.iter_mut().zip(chunk) {
            *l = if v > *l { v } else { *l };
        }
    }
    let max = lanes.into_iter().fold(f32::NEG_INFINITY, f32::max);
    for v in values.iter_mut() {
        *v = exp(*v - max);
    }
    let inverse = 1.0 / lane_sum(values);
    for v in values.iter_mut() {
        *v *= inverse;
    }
}

/// eˣ to within 2 × 10⁻⁷ relative, in plain arithmetic so that loops over it vectorise (libm's expf
/// is a call per value).
#[inline(always)]
fn exp(x: f32) -> f32 {
    const LOG2_E: f32 = std::f32::consts::LOG2_E;
    const LN_2_HIGH: f32 = 0.693_359_4;
    const LN_2_LOW: f32 = -2.121_944_4e-4;
    // Adding and removing 1.5 × 2²³ rounds to the nearest integer without a rounding instruction.
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.3, 88.0);
    let shifted = x * LOG2_E + ROUND;
    let n = shifted - ROUND;
    // x = n ln 2 + r, |r| ≤ ln 2 / 2; ln 2 in two parts keeps r exact.
    let r = (x - n * LN_2_HIGH) - n * LN_2_LOW;
    let p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    // 2ⁿ: the low bits of `shifted` hold n (an integer cast would not vectorise); they become the
    // exponent, biased by 127.
    let two_to_n = f32::from_bits(shifted.to_bits().wrapping_sub(ROUND.to_bits() - 127) << 23);
    p * two_to_n
}

with_wide_vectors! {
/// GELU of each value in place.
fn gelu(values: &mut [f32]) {
    for v in values {
        *v = gelu_one(*v);
    }
}
}

/// GELU with the exact (erf) form the encoder was trained with; erf to within 1.5 × 10⁻⁷
/// (Abramowitz and Stegun 7.1.26).
#[inline(always)]
fn gelu_one(x: f32) -> f32 {
    let z = (x * std::f32::consts::FRAC_1_SQRT_2).abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly = t * (0.254_829_6 + t * (-0.284_496_72 + t * (1.421_413_8 + t * (-1.453_152 + t * 1.061_405_4))));
    let erf = 1.0 - poly * exp(-z * z);
    let erf = if x < 0.0 { -erf } else { erf };
    0.5 * x * (1.0 + erf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_matches_the_standard_library() {
        for i in -8700..=8800 {
            let x = i as f32 / 100.0;
            let (got, want) = (exp(x), x.exp());
            assert!(((got - want) / want).abs() < 5e-7, "exp({x}) = {got}, expected {want}");
        }
    }

    #[test]
    fn gelu_matches_its_definition() {
        // erf from its Taylor series, in f64, far from where the series converges slowly.
        let erf = |x: f64| -> f64 {
            let mut term = x;
            let mut sum = x;
            for n in 1..200 {
                term *= -x * x / n as f64;
                sum += term / (2 * n + 1) as f64;
            }
            sum * 2.0 / std::f64::consts::PI.sqrt()
        };
        for i in -600..=600 {
            let x = i as f64 / 100.0;
            let want = 0.5 * x * (1.0 + erf(x / std::f64::consts::SQRT_2));
            let got = gelu_one(x as f32) as f64;
            assert!((got - want).abs() < 1e-6 * (1.0 + x.abs()), "gelu({x}) = {got}, expected {want}");
        }
    }

    #[test]
    fn softmax_sums_to_one_and_keeps_order() {
        let mut v = vec![1.0, 3.0, 2.0, -50.0];
        softmax(&mut v);
        assert!((v.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(v[1] > v[2] && v[2] > v[0] && v[0] > v[3]);
    }
}

/// The forward pass against the network it computes: candle's, as trained, on the shipped weights.
#[cfg(all(test, feature = "embedded-model"))]
mod agreement {
    use candle_core::{DType, Device};
    use candle_nn::VarBuilder;

    use super::super::embedded;
    use super::super::encoder::{EncoderConfig, Tagger};
    use super::super::train::batch_tensors;
    use super::super::windows::{WindowInput, WordPieces, plan_windows};
    use super::*;

    /// Largest difference between the tag scores of the two networks over every real piece, and the
    /// share of pieces where both pick the same tag.
    fn compare(kernel: Kernel) -> (f32, f64) {
        let config: EncoderConfig = serde_json::from_slice(embedded::CONFIG).unwrap();
        let weights = candle_core::safetensors::load_buffer(embedded::WEIGHTS, &Device::Cpu).unwrap();
        let tagger = Tagger::new(&config, VarBuilder::from_tensors(weights.clone(), DType::F32, &Device::Cpu)).unwrap();
        let encoder = Encoder::new(&config, &weights, kernel).unwrap();
        let pieces = WordPieces::from_bytes(embedded::TOKENIZER).unwrap();
        // Windows of different lengths, so that the candle batch has padding and this one has none.
        let text = [
            "The U.S. Treasury Department on Tuesday sanctioned three North Korean hacking groups, Lazarus Group, Bluenoroff and Andariel.",
            "Officials in Washington said the groups had stolen about $571 million in cryptocurrency from exchanges in Asia.",
            "Reuters could not reach the Korean embassy in London for comment.",
            "Separately, the European Union extended its own measures until 2027, a spokeswoman for the Council said on Friday, adding that ministers from Germany, France and Italy had agreed the text without changes after a debate that lasted most of the afternoon.",
        ];
        let sentences: Vec<Vec<&str>> = text.iter().map(|s| s.split(' ').collect()).collect();
        let mut documents = vec![sentences.clone()];
        documents.push(sentences[2..3].to_vec());
        let inputs: Vec<WindowInput> = documents
            .iter()
            .flat_map(|d| {
                let doc = pieces.piece_document(d);
                plan_windows(&doc).into_iter().map(|w| pieces.window_input(&doc, &w)).collect::<Vec<_>>()
            })
            .collect();
        let inputs: Vec<&WindowInput> = inputs.iter().collect();
        assert!(inputs.len() >= 2 && inputs[0].ids.len() != inputs[1].ids.len());
        let (ids, shapes, mask) = batch_tensors(&inputs).unwrap();
        let expected = tagger.forward(&ids, &shapes, &mask).unwrap().to_vec3::<f32>().unwrap();
        let got = encoder.run(&inputs, &[]).unwrap();
        let labels = encoder.labels();
        let argmax = |row: &[f32]| row.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0;
        let (mut largest, mut same, mut total) = (0f32, 0usize, 0usize);
        for (w, input) in inputs.iter().enumerate() {
            for p in 0..input.ids.len() {
                let row = got.starts[w] + p;
                let ours = &got.scores[row * labels..(row + 1) * labels];
                for (a, b) in ours.iter().zip(&expected[w][p]) {
                    largest = largest.max((a - b).abs());
                }
                same += usize::from(argmax(ours) == argmax(&expected[w][p]));
                total += 1;
            }
        }
        (largest, same as f64 / total as f64)
    }

    #[test]
    fn f32_forward_pass_is_the_trained_network() {
        let (largest, same) = compare(Kernel::F32);
        assert!(largest < 1e-3, "scores differ by up to {largest}");
        assert_eq!(same, 1.0);
    }

    #[test]
    fn bf16_forward_pass_stays_close_to_the_trained_network() {
        if Kernel::detect() != Kernel::Bf16 {
            eprintln!("this CPU has no AVX-512 BF16: the bf16 kernel cannot run here");
            return;
        }
        let (largest, same) = compare(Kernel::Bf16);
        eprintln!("bf16: scores differ by up to {largest}; same tag on {:.1} % of pieces", same * 100.0);
        assert!(largest < 0.1, "scores differ by up to {largest}");
        assert!(same >= 0.98, "same tag on only {:.1} % of pieces", same * 100.0);
    }
}
