//! Fine-tuning the encoder for the designee decision: a copy of the encoder layer the head reads is
//! trained end to end with the candidate scorer, over the frozen output of the layer below (read
//! once per text), so an epoch costs one layer rather than the whole encoder.
//!
//! Training starts where the frozen head ends: the copy starts as the encoder's own layer, so its
//! output is at first exactly the vectors the frozen scorer was fitted on, and the scorer starts as
//! that fitted scorer. Gradients flow from the candidates' loss through the pools of their features
//! into the layer.

use std::collections::HashMap;

use candle_core::{D, DType, Device, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW, VarBuilder, VarMap};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::candidates::{POOLS, Pool, pooled};
use super::head::Ensemble;
pub use super::head::TunedLayer;
use crate::annotate::ner::{LayerShape, PieceStates, TrainableLayer};

/// How the layer is tuned: also flags of `newshound train-designations`.
#[derive(Debug, Clone, clap::Args)]
pub struct TuneOptions {
    /// Epochs of fine-tuning the encoder layer the head reads, with the candidate scorer, after the
    /// scorer is fitted on frozen vectors (0: no fine-tuning; the head reads the encoder as it is).
    #[arg(long, default_value_t = 0)]
    pub tune_epochs: usize,
    /// AdamW learning rate of the tuned encoder layer.
    #[arg(long, default_value_t = 3e-5)]
    pub tune_learning_rate: f64,
    /// AdamW learning rate of the candidate scorer while the layer is tuned.
    #[arg(long, default_value_t = 1e-4)]
    pub tune_head_learning_rate: f64,
    /// Texts per fine-tuning step.
    #[arg(long, default_value_t = 8)]
    pub tune_batch: usize,
}

/// One candidate as the tuning reads it: the features around its pools, and its label.
pub struct TuneRow<'a> {
    /// The hand-read cues before the pools.
    pub cues: &'a [f32],
    pub pools: &'a [Pool],
    /// What follows the pools (the lists' evidence, when the head reads it).
    pub tail: &'a [f32],
    pub label: bool,
}

/// A text's frozen states below the tuned layer, and its candidates.
pub struct TuneText<'a> {
    pub states: &'a PieceStates,
    pub rows: Vec<TuneRow<'a>>,
}

/// The penalties of the candidate scorer, as its frozen fit had them.
pub struct Penalty {
    pub l2: f64,
    /// The first features (cues), which the penalty spares.
    pub free_features: usize,
    pub weight_decay: f64,
}

/// Tunes `layer` (the encoder layer's weights, named within it) and `scorer` (fitted on that
/// layer's frozen vectors) together on `texts`.
pub fn tune(
    texts: &[&TuneText],
    shape: LayerShape,
    layer: &HashMap<String, Tensor>,
    scorer: &Ensemble,
    penalty: &Penalty,
    options: &TuneOptions,
    seed: u64,
) -> anyhow::Result<(TunedLayer, Ensemble)> {
    let device = Device::Cpu;
    let layer_vars = VarMap::new();
    {
        let mut vars = layer_vars.data().lock().expect("not poisoned");
        for (name, tensor) in layer {
            vars.insert(name.clone(), Var::from_tensor(tensor)?);
        }
    }
    let network = TrainableLayer::new(&shape, VarBuilder::from_varmap(&layer_vars, DType::F32, &device))?;
    let scorer_tensors: HashMap<String, Tensor> = scorer.tensors("")?.into_iter().collect();
    let member_count = scorer.config().members;
    let hidden = scorer.config().hidden;
    anyhow::ensure!(hidden > 0, "fine-tuning needs a candidate scorer with a hidden layer");
    let var = |name: &str| -> anyhow::Result<Var> {
        Ok(Var::from_tensor(scorer_tensors.get(name).ok_or_else(|| anyhow::anyhow!("no tensor {name}"))?)?)
    };
    let members: Vec<[Var; 4]> = (0..member_count)
        .map(|m| {
            Ok([
                var(&format!("m{m}.hidden.weight"))?,
                var(&format!("m{m}.hidden.bias"))?,
                var(&format!("m{m}.output.weight"))?,
                var(&format!("m{m}.output.bias"))?,
            ])
        })
        .collect::<anyhow::Result<_>>()?;
    let mean = scorer_tensors["feature_mean"].clone();
    let scale = scorer_tensors["feature_scale"].clone();
    let features = mean.dim(0)?;
    let params = |lr: f64| ParamsAdamW { lr, weight_decay: penalty.weight_decay, ..Default::default() };
    let mut layer_optimizer = AdamW::new(layer_vars.all_vars(), params(options.tune_learning_rate))?;
    let mut scorer_optimizer =
        AdamW::new(members.iter().flatten().cloned().collect(), params(options.tune_head_learning_rate))?;

    let all_rows = texts.iter().flat_map(|t| &t.rows);
    let (n, positives) = all_rows.fold((0usize, 0usize), |(n, p), r| (n + 1, p + usize::from(r.label)));
    anyhow::ensure!(n > 0, "no candidates to tune on");
    // Each class weighs half of the loss, as in the frozen fit.
    let weights = (n as f32 / (2.0 * positives.max(1) as f32), n as f32 / (2.0 * (n - positives).max(1) as f32));
    let mut order: Vec<usize> = (0..texts.len()).filter(|&t| !texts[t].rows.is_empty()).collect();
    let mut rng = StdRng::seed_from_u64(seed);
    for epoch in 0..options.tune_epochs {
        order.shuffle(&mut rng);
        let mut loss_sum = 0.0;
        let mut steps = 0;
        for batch in order.chunks(options.tune_batch.max(1)) {
            let batch: Vec<&TuneText> = batch.iter().map(|&t| texts[t]).collect();
            let (x, labels, row_weights) = batch_features(&batch, &network, shape, weights)?;
            let x = x.broadcast_sub(&mean)?.broadcast_div(&scale)?;
            let mut loss = Tensor::zeros((), DType::F32, &device)?;
            for [hidden_weight, hidden_bias, output_weight, output_bias] in &members {
                let inner =
                    x.matmul(&hidden_weight.as_tensor().t()?)?.broadcast_add(hidden_bias.as_tensor())?.relu()?;
                let z = inner
                    .matmul(&output_weight.as_tensor().t()?)?
                    .broadcast_add(output_bias.as_tensor())?
                    .squeeze(D::Minus1)?;
                // log(1 + e^z) - y·z, computed stably, weighted by class.
                let softplus = (z.relu()? + ((z.abs()?.neg()?.exp()? + 1.0)?.log()?))?;
                let member_loss = ((softplus - (&labels * &z)?)? * &row_weights)?.mean_all()?;
                let free = penalty.free_features.min(features);
                let penalised = hidden_weight.as_tensor().narrow(1, free, features - free)?.sqr()?.sum_all()?
                    + output_weight.as_tensor().sqr()?.sum_all()?;
                loss = (loss + member_loss + (penalised? * (penalty.l2 / 2.0))?)?;
            }
            let loss = (loss / member_count as f64)?;
            let grads = loss.backward()?;
            layer_optimizer.step(&grads)?;
            scorer_optimizer.step(&grads)?;
            loss_sum += loss.to_scalar::<f32>()? as f64;
            steps += 1;
        }
        tracing::info!(epoch, mean_loss = loss_sum / steps.max(1) as f64, "encoder layer tuned");
    }

    let tuned_tensors: HashMap<String, Tensor> = layer_vars
        .data()
        .lock()
        .expect("not poisoned")
        .iter()
        .map(|(name, var)| (name.clone(), var.as_tensor().detach()))
        .collect();
    let mut tensors = HashMap::from([("feature_mean".to_string(), mean), ("feature_scale".to_string(), scale)]);
    for (m, vars) in members.iter().enumerate() {
        for (part, var) in ["hidden.weight", "hidden.bias", "output.weight", "output.bias"].iter().zip(vars) {
            tensors.insert(format!("m{m}.{part}"), var.as_tensor().detach());
        }
    }
    let scorer = Ensemble::from_tensors(scorer.config().clone(), &tensors, "")?;
    Ok((TunedLayer::new(shape, tuned_tensors)?, scorer))
}

/// The features of a batch's candidates with their pools read from the layer being tuned, their
/// labels and their weights by class (`weights`: positive, negative).
fn batch_features(
    batch: &[&TuneText],
    network: &TrainableLayer,
    shape: LayerShape,
    weights: (f32, f32),
) -> anyhow::Result<(Tensor, Tensor, Tensor)> {
    let device = Device::Cpu;
    let dim = shape.hidden_size;
    // Only windows that hold a pooled word are run: attention stays inside a window, so the others
    // change nothing.
    let mut windows: Vec<(usize, usize, usize)> = Vec::new(); // (text, first row, length)
    let mut column_of: HashMap<(usize, usize), usize> = HashMap::new(); // (text, word) → column
    let mut gather: Vec<(usize, usize)> = Vec::new(); // (selected window, position)
    for (t, text) in batch.iter().enumerate() {
        let states = text.states;
        let starts: Vec<usize> = states
            .lengths
            .iter()
            .scan(0, |row, &len| {
                let start = *row;
                *row += len;
                Some(start)
            })
            .collect();
        let mut chosen: HashMap<usize, usize> = HashMap::new(); // window of the text → selected window
        for row in &text.rows {
            for &(word, _) in row.pools.iter().flatten() {
                if column_of.contains_key(&(t, word)) {
                    continue;
                }
                let piece = states.word_rows[word];
                let window = starts.partition_point(|&s| s <= piece) - 1;
                let selected = *chosen.entry(window).or_insert_with(|| {
                    windows.push((t, starts[window], states.lengths[window]));
                    windows.len() - 1
                });
                column_of.insert((t, word), gather.len());
                gather.push((selected, piece - starts[window]));
            }
        }
    }
    let longest = windows.iter().map(|w| w.2).max().unwrap_or(1);
    let mut x = vec![0f32; windows.len() * longest * dim];
    let mut mask = vec![-10_000f32; windows.len() * longest];
    for (w, &(t, first, len)) in windows.iter().enumerate() {
        let rows = &batch[t].states.rows[first * dim..(first + len) * dim];
        x[w * longest * dim..(w * longest + len) * dim].copy_from_slice(rows);
        mask[w * longest..w * longest + len].iter_mut().for_each(|m| *m = 0.0);
    }
    let x = Tensor::from_vec(x, (windows.len(), longest, dim), &device)?;
    let mask = Tensor::from_vec(mask, (windows.len(), 1, 1, longest), &device)?;
    let out = network.forward(&x, &mask, shape.num_attention_heads)?.reshape((windows.len() * longest, dim))?;
    let index: Vec<u32> = gather.iter().map(|&(w, p)| (w * longest + p) as u32).collect();
    let words = out.index_select(&Tensor::new(index, &device)?, 0)?;

    let rows: Vec<(usize, &TuneRow)> =
        batch.iter().enumerate().flat_map(|(t, text)| text.rows.iter().map(move |r| (t, r))).collect();
    let mut pooling = vec![0f32; rows.len() * POOLS * gather.len()];
    for (r, (t, row)) in rows.iter().enumerate() {
        for (p, pool) in row.pools.iter().enumerate() {
            let line = (r * POOLS + p) * gather.len();
            for &(word, weight) in pool {
                pooling[line + column_of[&(*t, word)]] += weight;
            }
        }
    }
    let pooling = Tensor::from_vec(pooling, (rows.len() * POOLS, gather.len()), &device)?;
    let pooled = pooling.matmul(&words)?.reshape((rows.len(), POOLS * dim))?;
    let cues: Vec<f32> = rows.iter().flat_map(|(_, r)| r.cues.iter().copied()).collect();
    let cues = Tensor::from_vec(cues, (rows.len(), rows[0].1.cues.len()), &device)?;
    let mut parts = vec![cues, pooled];
    let tail_len = rows[0].1.tail.len();
    if tail_len > 0 {
        let tail: Vec<f32> = rows.iter().flat_map(|(_, r)| r.tail.iter().copied()).collect();
        parts.push(Tensor::from_vec(tail, (rows.len(), tail_len), &device)?);
    }
    let features = Tensor::cat(&parts, 1)?;
    let labels: Vec<f32> = rows.iter().map(|(_, r)| if r.label { 1.0 } else { 0.0 }).collect();
    let row_weights: Vec<f32> = rows.iter().map(|(_, r)| if r.label { weights.0 } else { weights.1 }).collect();
    Ok((features, Tensor::new(labels, &device)?, Tensor::new(row_weights, &device)?))
}

/// The scores of a text's candidates by a tuned layer and scorer.
pub fn score(text: &TuneText, layer: &TunedLayer, scorer: &Ensemble) -> Vec<f32> {
    let vectors = layer.word_vectors(text.states);
    text.rows
        .iter()
        .map(|row| {
            let mut features = row.cues.to_vec();
            for pool in row.pools {
                features.extend(pooled(pool, &vectors, vectors.dim));
            }
            features.extend_from_slice(row.tail);
            scorer.score(&features)
        })
        .collect()
}
