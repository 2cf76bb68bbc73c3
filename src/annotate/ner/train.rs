//! Fine-tuning the tagger on CoNLL-2003: train on `train.txt`, keep the epoch that scores best on
//! `valid.txt`. The test file is never read here.
//!
//! Deterministic for a given seed and thread count: new parameters are initialised and batches
//! shuffled from the seed, and training uses no dropout.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW, VarBuilder, VarMap};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use super::encoder::{EncoderConfig, Tagger};
use super::inference::Encoder;
use super::matmul::Kernel;
use super::tags::TAGS;
use super::windows::{CASING_SHAPES, WindowInput, WordPieces, plan_windows};
use super::{CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE, conll, predict};
use crate::progress::Progress;

#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Folder with CoNLL-2003 `train.txt` and `valid.txt`.
    pub data: PathBuf,
    /// Folder with the base encoder: `config.json`, `model.safetensors`, `tokenizer.json`.
    pub base: PathBuf,
    pub out: PathBuf,
    pub epochs: usize,
    /// Windows per optimisation step.
    pub batch_size: usize,
    /// Peak learning rate of the pretrained encoder; new parameters learn ten times faster.
    pub learning_rate: f64,
    /// Encoder layers kept from the base (fewer is faster).
    pub layers: Option<usize>,
    pub seed: u64,
    pub progress: bool,
}

#[derive(Debug, Serialize)]
pub struct EpochReport {
    pub epoch: usize,
    pub mean_loss: f64,
    pub valid_f1: f64,
    pub seconds: f64,
}

#[derive(Debug, Serialize)]
pub struct TrainReport {
    pub options: String,
    pub train_windows: usize,
    pub epochs: Vec<EpochReport>,
    pub best_epoch: usize,
    pub best_valid_f1: f64,
}

/// A training window and the gold tag of each word it predicts.
struct Example {
    input: WindowInput,
    tags: Vec<u32>,
}

fn examples(pieces: &WordPieces, documents: &[conll::Document]) -> Vec<Example> {
    let mut out = Vec::new();
    for document in documents {
        let doc = pieces.piece_document(&document.words());
        let gold: Vec<u32> = document.sentences.iter().flat_map(|s| s.tags.iter().map(|&t| t as u32)).collect();
        for window in plan_windows(&doc) {
            let input = pieces.window_input(&doc, &window);
            out.push(Example { tags: gold[window.predict.clone()].to_vec(), input });
        }
    }
    out
}

/// The base encoder's config (Hugging Face `config.json`), cut to `layers`, with our additions.
fn encoder_config(base: &Path, layers: Option<usize>) -> anyhow::Result<EncoderConfig> {
    let path = base.join("config.json");
    let mut value: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&path).with_context(|| format!("{}: cannot read", path.display()))?,
    )
    .with_context(|| format!("{}: not JSON", path.display()))?;
    value["casing_shapes"] = CASING_SHAPES.into();
    value["labels"] = TAGS.len().into();
    let mut config: EncoderConfig =
        serde_json::from_value(value).with_context(|| format!("{}: not a BERT config", path.display()))?;
    if let Some(layers) = layers {
        anyhow::ensure!(
            (1..=config.num_hidden_layers).contains(&layers),
            "--layers must be 1..={}",
            config.num_hidden_layers
        );
        config.num_hidden_layers = layers;
    }
    Ok(config)
}

/// Seeded uniform initialisation in ±`scale`.
fn seeded(rng: &mut StdRng, shape: (usize, usize), scale: f32) -> candle_core::Result<Tensor> {
    let values: Vec<f32> = (0..shape.0 * shape.1).map(|_| rng.random_range(-scale..scale)).collect();
    Tensor::from_vec(values, shape, &Device::Cpu)
}

/// The variables: base weights for the kept layers, seeded initial values for the new ones.
fn variables(base: &Path, config: &EncoderConfig, rng: &mut StdRng) -> anyhow::Result<VarMap> {
    let path = base.join("model.safetensors");
    let weights = candle_core::safetensors::load(&path, &Device::Cpu)
        .with_context(|| format!("{}: unreadable base weights", path.display()))?;
    let varmap = VarMap::new();
    {
        let mut vars = varmap.data().lock().expect("not poisoned");
        for (name, tensor) in weights {
            let kept_layer = match name.strip_prefix("encoder.layer.") {
                Some(rest) => rest
                    .split('.')
                    .next()
                    .and_then(|i| i.parse::<usize>().ok())
                    .is_some_and(|i| i < config.num_hidden_layers),
                None => name.starts_with("embeddings.") && !name.ends_with("position_ids"),
            };
            if kept_layer {
                vars.insert(name, Var::from_tensor(&tensor.to_dtype(DType::F32)?)?);
            }
        }
        let h = config.hidden_size;
        vars.insert(
            "embeddings.shape_embeddings.weight".into(),
            Var::from_tensor(&seeded(rng, (config.casing_shapes, h), 0.02)?)?,
        );
        vars.insert("classifier.weight".into(), Var::from_tensor(&seeded(rng, (config.labels, h), 0.05)?)?);
        vars.insert("classifier.bias".into(), Var::zeros(config.labels, DType::F32, &Device::Cpu)?);
    }
    Ok(varmap)
}

/// Pads window inputs into `(ids, shapes, mask)` tensors of shape `(batch, longest)`.
pub(super) fn batch_tensors(inputs: &[&WindowInput]) -> candle_core::Result<(Tensor, Tensor, Tensor)> {
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

/// The network as it stands, in the form that tags: validation scores what would ship.
fn current_encoder(varmap: &VarMap, config: &EncoderConfig) -> anyhow::Result<Encoder> {
    let tensors: HashMap<String, Tensor> = varmap
        .data()
        .lock()
        .expect("not poisoned")
        .iter()
        .map(|(name, var)| (name.clone(), var.as_tensor().clone()))
        .collect();
    Encoder::new(config, &tensors, Kernel::detect())
}

/// Loss on one batch: cross-entropy of each predicted word's first piece.
fn batch_loss(tagger: &Tagger, batch: &[&Example]) -> candle_core::Result<Tensor> {
    let inputs: Vec<&WindowInput> = batch.iter().map(|e| &e.input).collect();
    let (ids, shapes, mask) = batch_tensors(&inputs)?;
    let (_, longest) = ids.dims2()?;
    let logits = tagger.forward(&ids, &shapes, &mask)?;
    let logits = logits.reshape((batch.len() * longest, TAGS.len()))?;
    let mut positions = Vec::new();
    let mut targets = Vec::new();
    for (row, example) in batch.iter().enumerate() {
        positions.extend(example.input.first_pieces.iter().map(|&p| (row * longest + p) as u32));
        targets.extend_from_slice(&example.tags);
    }
    let positions = Tensor::new(positions, &Device::Cpu)?;
    let targets = Tensor::new(targets, &Device::Cpu)?;
    candle_nn::loss::cross_entropy(&logits.index_select(&positions, 0)?, &targets)
}

fn save(varmap: &VarMap, config: &EncoderConfig, base: &Path, out: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("{}: cannot create", out.display()))?;
    let tensors: HashMap<String, Tensor> = varmap
        .data()
        .lock()
        .expect("not poisoned")
        .iter()
        .map(|(name, var)| Ok((name.clone(), var.as_tensor().to_dtype(DType::F16)?)))
        .collect::<candle_core::Result<_>>()?;
    // Written beside, then renamed: an interrupted save leaves the previous model whole.
    let weights = out.join(WEIGHTS_FILE);
    let partial = out.join(format!("{WEIGHTS_FILE}.partial"));
    candle_core::safetensors::save(&tensors, &partial)?;
    std::fs::rename(&partial, &weights)?;
    std::fs::write(out.join(CONFIG_FILE), serde_json::to_string_pretty(config)?)?;
    std::fs::copy(base.join(TOKENIZER_FILE), out.join(TOKENIZER_FILE))
        .with_context(|| format!("{}: cannot copy", base.join(TOKENIZER_FILE).display()))?;
    Ok(())
}

pub fn train(options: &TrainOptions) -> anyhow::Result<TrainReport> {
    let train_docs = conll::read(&options.data.join("train.txt"), true)?;
    let valid_docs = conll::read(&options.data.join("valid.txt"), true)?;
    let pieces = WordPieces::load(&options.base.join(TOKENIZER_FILE))?;
    let config = encoder_config(&options.base, options.layers)?;
    let mut rng = StdRng::seed_from_u64(options.seed);
    let varmap = variables(&options.base, &config, &mut rng)?;
    let tagger = Tagger::new(&config, VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu))?;

    let (new_vars, encoder_vars): (Vec<_>, Vec<_>) = {
        let vars = varmap.data().lock().expect("not poisoned");
        let mut named: Vec<(String, Var)> = vars
            .iter()
            .filter(|(name, _)| !name.contains("word_embeddings"))
            .map(|(name, var)| (name.clone(), var.clone()))
            .collect();
        named.sort_by(|a, b| a.0.cmp(&b.0));
        named.into_iter().partition(|(name, _)| name.contains("shape_embeddings") || name.starts_with("classifier"))
    };
    let adamw = |vars: Vec<(String, Var)>, lr: f64| {
        let vars = vars.into_iter().map(|(_, v)| v).collect();
        AdamW::new(vars, ParamsAdamW { lr, weight_decay: 0.01, ..Default::default() })
    };
    let mut encoder_optimizer = adamw(encoder_vars, options.learning_rate)?;
    let mut head_optimizer = adamw(new_vars, options.learning_rate * 10.0)?;

    let mut train_examples = examples(&pieces, &train_docs);
    let steps_per_epoch = train_examples.len().div_ceil(options.batch_size);
    let total_steps = steps_per_epoch * options.epochs;
    let warmup = (total_steps / 16).max(1);
    tracing::info!(windows = train_examples.len(), steps = total_steps, layers = config.num_hidden_layers, "training");

    let valid_words: Vec<_> = valid_docs.iter().map(conll::Document::words).collect();
    let valid_gold: Vec<Vec<usize>> =
        valid_docs.iter().flat_map(|d| d.sentences.iter().map(|s| s.tags.clone())).collect();
    let mut progress = Progress::counting(Some(total_steps), options.progress, "steps");
    let mut report = TrainReport {
        options: format!("{options:?}"),
        train_windows: train_examples.len(),
        epochs: Vec::new(),
        best_epoch: 0,
        best_valid_f1: -1.0,
    };
    let mut step = 0;
    for epoch in 1..=options.epochs {
        let started = Instant::now();
        train_examples.shuffle(&mut rng);
        let mut loss_sum = 0.0;
        for batch in train_examples.chunks(options.batch_size) {
            let scale = if step < warmup {
                (step + 1) as f64 / warmup as f64
            } else {
                (total_steps - step) as f64 / (total_steps - warmup) as f64
            };
            encoder_optimizer.set_learning_rate(options.learning_rate * scale);
            head_optimizer.set_learning_rate(options.learning_rate * 10.0 * scale);
            let batch: Vec<&Example> = batch.iter().collect();
            let loss = batch_loss(&tagger, &batch)?;
            let grads = loss.backward()?;
            encoder_optimizer.step(&grads)?;
            head_optimizer.step(&grads)?;
            let loss = loss.to_scalar::<f32>()? as f64;
            loss_sum += loss;
            step += 1;
            progress.advance(&format!("epoch {epoch} loss {loss:.4}"));
        }
        let predicted: Vec<Vec<usize>> = predict(&current_encoder(&varmap, &config)?, &pieces, &valid_words, None)?
            .into_iter()
            .flat_map(|p| p.tags)
            .collect();
        let valid_f1 = conll::entity_f1(&valid_gold, &predicted);
        let epoch_report = EpochReport {
            epoch,
            mean_loss: loss_sum / steps_per_epoch as f64,
            valid_f1,
            seconds: started.elapsed().as_secs_f64(),
        };
        progress.println(&format!(
            "epoch {epoch}: mean loss {:.4}, valid F1 {valid_f1:.4} ({:.0} s)",
            epoch_report.mean_loss, epoch_report.seconds
        ));
        if valid_f1 > report.best_valid_f1 {
            report.best_valid_f1 = valid_f1;
            report.best_epoch = epoch;
            save(&varmap, &config, &options.base, &options.out)?;
        }
        report.epochs.push(epoch_report);
        std::fs::write(options.out.join("training.json"), serde_json::to_string_pretty(&report)?)?;
    }
    progress.finish();
    Ok(report)
}
