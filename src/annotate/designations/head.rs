//! The designation head: small networks that say how likely a text reports a sanctions action (the
//! gate, one score per text) and how likely each candidate is a designee of it (one score per name,
//! see [`super::candidates`]). Each is an ensemble: its members' mean probability is steadier than
//! any one of them. Trained by `newshound train-designations` ([`super::train`]) and stored beside the
//! NER model it reads: `designations.safetensors` (weights, and the features' mean and scale) and
//! `designations.json`.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use candle_core::{Device, Tensor};
use serde::{Deserialize, Serialize};

use super::candidates::Candidate;
use crate::annotate::ner::{LayerShape, LayersRead, PieceStates, TopLayer, WordVectors};

pub const WEIGHTS_FILE: &str = "designations.safetensors";
pub const CONFIG_FILE: &str = "designations.json";

/// The shipped head, compiled in with the NER model it belongs to.
#[cfg(feature = "embedded-model")]
mod embedded {
    pub const CONFIG: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/ner/designations.json"));
    pub const WEIGHTS: &[u8] =
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/models/ner/designations.safetensors"));
}

const GOOD_HEAD_HINT: &str = "a model folder needs the designation head that was trained on its encoder: \
     run `newshound train-designations --model DIR` (see models/ner/README.md), or unset --model, \
     NEWSHOUND_MODEL and [annotate] ner_model to use the model built into newshound";

/// The shape of one ensemble and the score from which it says yes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnsembleConfig {
    /// Input features per row.
    pub features: usize,
    /// Units of the hidden layer; 0 for a linear (logistic) network.
    pub hidden: usize,
    /// Networks whose scores are averaged.
    pub members: usize,
    /// Rows scoring at least this pass.
    pub threshold: f32,
}

/// The head's two ensembles and the encoder layer both read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HeadConfig {
    /// Whether a text reports a sanctions action at all (its features: [`super::report`]).
    pub gate: EnsembleConfig,
    /// Whether a candidate name is a designee of it.
    pub candidates: EnsembleConfig,
    /// The encoder layer whose word vectors the head reads (1 is the first).
    pub encoder_layer: usize,
    /// The shape of the head's own tuned copy of that layer, when it has one: the candidate scorer
    /// then reads the copy's output over the layer below, the gate still the encoder's layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tuned_layer: Option<LayerShape>,
}

/// Standardised features → members' networks → mean probability.
pub struct Ensemble {
    config: EnsembleConfig,
    mean: Vec<f32>,
    scale: Vec<f32>,
    members: Vec<Member>,
}

/// One network of an ensemble.
struct Member {
    /// `hidden × features`, row-major (absent for a linear network).
    hidden_weight: Vec<f32>,
    hidden_bias: Vec<f32>,
    /// `hidden` (or `features` for a linear network).
    output_weight: Vec<f32>,
    output_bias: f32,
}

impl Member {
    fn logit(&self, x: &[f32]) -> f32 {
        if self.hidden_weight.is_empty() {
            return dot(&self.output_weight, x) + self.output_bias;
        }
        let hidden = self.hidden_weight.chunks(x.len()).zip(&self.hidden_bias).map(|(w, b)| (dot(w, x) + b).max(0.0));
        hidden.zip(&self.output_weight).map(|(h, w)| h * w).sum::<f32>() + self.output_bias
    }
}

impl Ensemble {
    /// From named tensors under `prefix`: `feature_mean`, `feature_scale`, and for each member
    /// `m{i}.output.weight`, `m{i}.output.bias`, and with a hidden layer `m{i}.hidden.weight`,
    /// `m{i}.hidden.bias`.
    pub fn from_tensors(
        config: EnsembleConfig,
        tensors: &HashMap<String, Tensor>,
        prefix: &str,
    ) -> anyhow::Result<Self> {
        let vector = |name: &str, len: usize| -> anyhow::Result<Vec<f32>> {
            let name = format!("{prefix}{name}");
            let t = tensors.get(&name).with_context(|| format!("no tensor {name}"))?;
            let v = t.flatten_all()?.to_dtype(candle_core::DType::F32)?.to_vec1::<f32>()?;
            anyhow::ensure!(v.len() == len, "{name} has {} values, expected {len}", v.len());
            Ok(v)
        };
        let (f, h) = (config.features, config.hidden);
        anyhow::ensure!(config.members > 0, "an ensemble needs at least one member");
        let members = (0..config.members)
            .map(|i| -> anyhow::Result<Member> {
                let name = |part: &str| format!("m{i}.{part}");
                let (hidden_weight, hidden_bias) = if h > 0 {
                    (vector(&name("hidden.weight"), h * f)?, vector(&name("hidden.bias"), h)?)
                } else {
                    (Vec::new(), Vec::new())
                };
                Ok(Member {
                    hidden_weight,
                    hidden_bias,
                    output_weight: vector(&name("output.weight"), if h > 0 { h } else { f })?,
                    output_bias: vector(&name("output.bias"), 1)?[0],
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Ensemble { mean: vector("feature_mean", f)?, scale: vector("feature_scale", f)?, members, config })
    }

    /// The tensors [`Ensemble::from_tensors`] reads, named under `prefix`.
    pub fn tensors(&self, prefix: &str) -> anyhow::Result<Vec<(String, Tensor)>> {
        let (f, h) = (self.config.features, self.config.hidden);
        let tensor = |v: &[f32], shape: &[usize]| Tensor::from_slice(v, shape, &Device::Cpu);
        let mut tensors = vec![
            (format!("{prefix}feature_mean"), tensor(&self.mean, &[f])?),
            (format!("{prefix}feature_scale"), tensor(&self.scale, &[f])?),
        ];
        for (i, m) in self.members.iter().enumerate() {
            let name = |part: &str| format!("{prefix}m{i}.{part}");
            tensors.push((name("output.weight"), tensor(&m.output_weight, &[1, if h > 0 { h } else { f }])?));
            tensors.push((name("output.bias"), tensor(&[m.output_bias], &[1])?));
            if h > 0 {
                tensors.push((name("hidden.weight"), tensor(&m.hidden_weight, &[h, f])?));
                tensors.push((name("hidden.bias"), tensor(&m.hidden_bias, &[h])?));
            }
        }
        Ok(tensors)
    }

    pub fn threshold(&self) -> f32 {
        self.config.threshold
    }

    pub fn config(&self) -> &EnsembleConfig {
        &self.config
    }

    pub fn with_threshold(mut self, threshold: f32) -> Self {
        self.config.threshold = threshold;
        self
    }

    /// The members' mean probability for one row of features, of which it reads the first
    /// `features` of its config (a gate may read fewer than are made).
    pub fn score(&self, features: &[f32]) -> f32 {
        let features = &features[..self.config.features];
        let x: Vec<f32> = features.iter().zip(&self.mean).zip(&self.scale).map(|((v, m), s)| (v - m) / s).collect();
        let sigmoid = |z: f32| 1.0 / (1.0 + (-z).exp());
        self.members.iter().map(|m| sigmoid(m.logit(&x))).sum::<f32>() / self.members.len() as f32
    }
}

/// The gate and the candidate scorer over one encoder layer.
pub struct DesignationHead {
    pub gate: Ensemble,
    pub candidates: Ensemble,
    encoder_layer: usize,
    tuned: Option<TunedLayer>,
}

/// A copy of the encoder layer that was trained with the candidate scorer.
pub struct TunedLayer {
    shape: LayerShape,
    /// Its weights, named within the layer (`attention.self.query.weight`, …).
    tensors: HashMap<String, Tensor>,
    layer: TopLayer,
}

impl TunedLayer {
    pub fn new(shape: LayerShape, tensors: HashMap<String, Tensor>) -> anyhow::Result<Self> {
        let layer = TopLayer::new(&tensors, "", &shape)?;
        Ok(TunedLayer { shape, tensors, layer })
    }

    pub fn shape(&self) -> LayerShape {
        self.shape
    }

    /// Each word's vector out of this layer, over the layer below's `states`.
    pub fn word_vectors(&self, states: &PieceStates) -> WordVectors {
        states.words_of(&self.layer.run(&states.rows, &states.lengths))
    }
}

const GATE_PREFIX: &str = "gate.";
const CANDIDATES_PREFIX: &str = "";
const TUNED_PREFIX: &str = "tuned.";

impl DesignationHead {
    /// The head beside the NER model in `dir`, else the built-in one.
    pub fn open(dir: Option<&Path>) -> anyhow::Result<Self> {
        match dir {
            Some(dir) => Self::load(dir),
            None => Self::built_in(),
        }
    }

    #[cfg(feature = "embedded-model")]
    fn built_in() -> anyhow::Result<Self> {
        let config = serde_json::from_slice(embedded::CONFIG).context("the built-in designation head's config")?;
        let tensors = candle_core::safetensors::load_buffer(embedded::WEIGHTS, &Device::Cpu)
            .context("the built-in designation head's weights")?;
        Self::from_tensors(config, &tensors).context("the built-in designation head (rebuild newshound)")
    }

    #[cfg(not(feature = "embedded-model"))]
    fn built_in() -> anyhow::Result<Self> {
        anyhow::bail!("this newshound was built without its model (cargo feature `embedded-model`); {GOOD_HEAD_HINT}")
    }

    fn load(dir: &Path) -> anyhow::Result<Self> {
        let config_path = dir.join(CONFIG_FILE);
        let weights_path = dir.join(WEIGHTS_FILE);
        for path in [&config_path, &weights_path] {
            anyhow::ensure!(path.is_file(), "{}: designation head missing; {GOOD_HEAD_HINT}", path.display());
        }
        let config: HeadConfig = std::fs::read(&config_path)
            .map_err(anyhow::Error::from)
            .and_then(|bytes| Ok(serde_json::from_slice(&bytes)?))
            .with_context(|| format!("{}: not a valid head config; {GOOD_HEAD_HINT}", config_path.display()))?;
        let tensors = candle_core::safetensors::load(&weights_path, &Device::Cpu)
            .with_context(|| format!("{}: unreadable head weights; {GOOD_HEAD_HINT}", weights_path.display()))?;
        Self::from_tensors(config, &tensors)
            .with_context(|| format!("{}: does not match {CONFIG_FILE}; {GOOD_HEAD_HINT}", weights_path.display()))
    }

    fn from_tensors(config: HeadConfig, tensors: &HashMap<String, Tensor>) -> anyhow::Result<Self> {
        let tuned = match config.tuned_layer {
            Some(shape) => {
                let within = tensors
                    .iter()
                    .filter_map(|(name, t)| Some((name.strip_prefix(TUNED_PREFIX)?.to_string(), t.clone())))
                    .collect();
                Some(TunedLayer::new(shape, within).context("the tuned encoder layer")?)
            }
            None => None,
        };
        anyhow::ensure!(
            tuned.is_none() || config.encoder_layer >= 2,
            "a tuned layer reads the layer below it: encoder layer {} has none",
            config.encoder_layer
        );
        Ok(DesignationHead {
            gate: Ensemble::from_tensors(config.gate, tensors, GATE_PREFIX).context("the gate")?,
            candidates: Ensemble::from_tensors(config.candidates, tensors, CANDIDATES_PREFIX)
                .context("the candidate scorer")?,
            encoder_layer: config.encoder_layer,
            tuned,
        })
    }

    pub fn new(gate: Ensemble, candidates: Ensemble, encoder_layer: usize, tuned: Option<TunedLayer>) -> Self {
        DesignationHead { gate, candidates, encoder_layer, tuned }
    }

    /// Writes `designations.json` and `designations.safetensors` into `dir`.
    pub fn save(&self, dir: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut tensors: HashMap<String, Tensor> = self.gate.tensors(GATE_PREFIX)?.into_iter().collect();
        tensors.extend(self.candidates.tensors(CANDIDATES_PREFIX)?);
        if let Some(tuned) = &self.tuned {
            tensors.extend(tuned.tensors.iter().map(|(name, t)| (format!("{TUNED_PREFIX}{name}"), t.clone())));
        }
        candle_core::safetensors::save(&tensors, dir.join(WEIGHTS_FILE))?;
        let config = HeadConfig {
            gate: self.gate.config.clone(),
            candidates: self.candidates.config.clone(),
            encoder_layer: self.encoder_layer,
            tuned_layer: self.tuned.as_ref().map(|t| t.shape),
        };
        std::fs::write(dir.join(CONFIG_FILE), serde_json::to_string_pretty(&config)? + "\n")?;
        Ok(())
    }

    pub fn encoder_layer(&self) -> usize {
        self.encoder_layer
    }

    /// What the head reads of the encoder: its layer's word vectors, and with a tuned layer the
    /// layer below's output at every piece.
    pub fn layers_read(&self) -> LayersRead {
        LayersRead { vectors: self.encoder_layer, states: self.tuned.as_ref().map(|_| self.encoder_layer - 1) }
    }

    pub fn tuned_layer(&self) -> Option<&TunedLayer> {
        self.tuned.as_ref()
    }

    /// The probability that each candidate is a designee.
    pub fn score(&self, candidates: &[Candidate]) -> Vec<f32> {
        candidates.iter().map(|c| self.candidates.score(&c.features)).collect()
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
