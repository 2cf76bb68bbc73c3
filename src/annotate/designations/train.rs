//! Training the designation head on labelled texts (`newshound train-designations`), and the
//! cross-validation by document that says how well it does on texts it never saw.
//!
//! Labels are names, not offsets: a candidate is positive when one of its names matches a gold
//! designee's name or alias, as `designation_eval.py` matches names ([`super::names`]).

use std::collections::HashMap;
use std::ops::Range;

use anyhow::Context;
use candle_core::{D, DType, Device, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use super::super::entities::{self, EncodedWords, Mention};
use super::super::ner::NerModel;
use super::super::text;
use super::candidates::{CUE_FEATURES, feature_count};
use super::head::{DesignationHead, HeadConfig};
use super::names::{MATCH, normalise, similar, similarity};
use super::{ArticleView, Reading, decide};
use crate::document::{Article, DesignationAction};

/// A text with the designees a person read in it; each designee is its name, then its aliases.
pub struct LabelledArticle {
    pub id: String,
    /// Which labelled set it comes from (reported apart).
    pub set: String,
    pub article: Article,
    pub designees: Vec<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct HeadOptions {
    /// Hidden units (0: logistic regression).
    pub hidden: usize,
    /// The encoder layer whose word vectors the head reads.
    pub encoder_layer: usize,
    /// Differently seeded networks averaged.
    pub members: usize,
    pub epochs: usize,
    pub learning_rate: f64,
    pub weight_decay: f64,
    /// Strength of the L2 penalty added to the mean loss: on the weights of the encoder-vector
    /// features and of the output, not on those of the cue features.
    pub l2: f64,
    /// Folds of the cross-validation by document.
    pub folds: usize,
    pub seed: u64,
}

/// An article as the entity stage leaves it: what the candidates are read from.
struct Encoded {
    id: String,
    set: String,
    title: Option<String>,
    body: String,
    sentences: Vec<Range<usize>>,
    mentions: Vec<Mention>,
    encoded: EncodedWords,
    published: Option<NaiveDate>,
    gold: Vec<Vec<String>>,
}

impl Encoded {
    fn view(&self) -> ArticleView<'_> {
        ArticleView {
            title: self.title.as_deref(),
            body: &self.body,
            sentences: &self.sentences,
            mentions: &self.mentions,
            encoded: &self.encoded,
            published: self.published,
        }
    }
}

/// Candidate names, features and labels of one article.
struct Table {
    names: Vec<String>,
    features: Vec<Vec<f32>>,
    labels: Vec<bool>,
}

/// Precision, recall and F1 over designee names, as `designation_eval.py` counts them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Score {
    pub documents: usize,
    pub gold: usize,
    pub predicted: usize,
    pub matched: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Score {
    fn add(&mut self, gold: usize, predicted: usize, matched: usize) {
        self.documents += 1;
        self.gold += gold;
        self.predicted += predicted;
        self.matched += matched;
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        self.precision = ratio(self.matched, self.predicted);
        self.recall = ratio(self.matched, self.gold);
        let (p, r) = (self.precision, self.recall);
        self.f1 = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
    }
}

/// One document's predicted designations, as `newshound extract --jsonl` writes the fields the
/// scorer reads.
#[derive(Debug, Serialize)]
pub struct Prediction {
    pub id: String,
    pub set: String,
    pub designations: Vec<PredictedDesignation>,
}

#[derive(Debug, Serialize)]
pub struct PredictedDesignation {
    pub target: PredictedTarget,
    pub action: DesignationAction,
    pub confidence: f32,
}

#[derive(Debug, Serialize)]
pub struct PredictedTarget {
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct TrainReport {
    pub options: String,
    pub documents: usize,
    pub candidates: usize,
    pub positives: usize,
    /// Gold designees that no candidate matches: the most any head could find.
    pub gold_without_candidate: usize,
    /// Out-of-fold scores by set: each document scored by a model and threshold that never saw it.
    pub cross_validated: Vec<(String, Score)>,
    /// The final model on the texts it was trained on, by set.
    pub in_sample: Vec<(String, Score)>,
    pub fold_thresholds: Vec<f32>,
    pub threshold: f32,
    #[serde(skip)]
    pub predictions: Vec<Prediction>,
    /// Every candidate's features and label, by document, for analysis.
    #[serde(skip)]
    pub candidate_table: Vec<CandidateRow>,
}

#[derive(Debug, Serialize)]
pub struct CandidateRow {
    pub id: String,
    pub set: String,
    pub name: String,
    pub label: bool,
    pub features: Vec<f32>,
}

/// Encodes the articles, cross-validates the head by document, then trains it on all of them.
pub fn train(
    articles: &[LabelledArticle],
    model: &NerModel,
    options: &HeadOptions,
    progress: &mut crate::progress::Progress,
) -> anyhow::Result<(DesignationHead, TrainReport)> {
    anyhow::ensure!(options.folds >= 2, "cross-validation needs at least 2 folds");
    anyhow::ensure!(
        articles.len() >= options.folds,
        "{} texts are too few for {} folds",
        articles.len(),
        options.folds
    );
    model.ensure_layer(options.encoder_layer).context("--encoder-layer")?;
    let mut docs = Vec::with_capacity(articles.len());
    for labelled in articles {
        docs.push(encode(labelled, model, options.encoder_layer)?);
        progress.advance(&labelled.id);
    }
    progress.finish();
    // Read once: every threshold tried and every fold decides from the same readings.
    let readings: Vec<Reading> = docs.iter().map(|d| Reading::of(&d.view())).collect();
    let tables: Vec<Table> = docs.iter().zip(&readings).map(|(d, r)| table(d, r)).collect();
    let dim = model.hidden_size();
    let candidates: usize = tables.iter().map(|t| t.labels.len()).sum();
    let positives: usize = tables.iter().map(|t| t.labels.iter().filter(|&&l| l).count()).sum();
    let gold_without_candidate: usize = docs.iter().zip(&readings).map(|(d, r)| unreachable_gold(d, r)).sum();
    tracing::info!(documents = docs.len(), candidates, positives, gold_without_candidate, "candidates read");

    // Outer folds: each document is predicted by a head (and threshold) trained without it.
    let folds = fold_of(docs.len(), options.folds, options.seed);
    let mut out_of_fold: Vec<Vec<f32>> = vec![Vec::new(); docs.len()];
    let mut fold_thresholds = Vec::new();
    for fold in 0..options.folds {
        let training: Vec<usize> = (0..docs.len()).filter(|&d| folds[d] != fold).collect();
        let threshold = inner_threshold(&docs, &readings, &tables, &training, options, dim)?;
        let head = fit(&tables, &training, options, dim)?.with_threshold(threshold);
        for d in (0..docs.len()).filter(|&d| folds[d] == fold) {
            out_of_fold[d] = tables[d].features.iter().map(|f| head.score_features(f)).collect();
        }
        tracing::info!(fold, threshold, "fold trained");
        fold_thresholds.push(threshold);
    }
    let mut predictions = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        predictions.push(predict(doc, &readings[d], &out_of_fold[d], fold_thresholds[folds[d]]));
    }
    let cross_validated = score_by_set(&docs, &predictions);

    // The shipped head: all documents; its threshold from the out-of-fold scores.
    let all: Vec<usize> = (0..docs.len()).collect();
    let threshold = best_threshold(&docs, &readings, &all, &out_of_fold);
    let head = fit(&tables, &all, options, dim)?.with_threshold(threshold);
    let in_sample_predictions: Vec<Prediction> = (0..docs.len())
        .map(|d| {
            let scores: Vec<f32> = tables[d].features.iter().map(|f| head.score_features(f)).collect();
            predict(&docs[d], &readings[d], &scores, threshold)
        })
        .collect();
    let report = TrainReport {
        options: format!("{options:?}"),
        documents: docs.len(),
        candidates,
        positives,
        gold_without_candidate,
        cross_validated,
        in_sample: score_by_set(&docs, &in_sample_predictions),
        fold_thresholds,
        threshold,
        predictions,
        candidate_table: docs
            .iter()
            .zip(&tables)
            .flat_map(|(doc, t)| {
                t.features.iter().zip(&t.labels).zip(&t.names).map(|((f, &label), name)| CandidateRow {
                    id: doc.id.clone(),
                    set: doc.set.clone(),
                    name: name.clone(),
                    label,
                    features: f.clone(),
                })
            })
            .collect(),
    };
    Ok((head, report))
}

fn encode(labelled: &LabelledArticle, model: &NerModel, encoder_layer: usize) -> anyhow::Result<Encoded> {
    let body = labelled.article.body();
    let sentences = text::sentences(&body);
    let (mentions, encoded) = entities::recognize(&body, &sentences, model, Some(encoder_layer))?;
    Ok(Encoded {
        id: labelled.id.clone(),
        set: labelled.set.clone(),
        title: labelled.article.title.clone(),
        published: labelled.article.published.map(|p| p.date_naive()),
        body,
        sentences,
        mentions,
        encoded,
        gold: labelled.designees.clone(),
    })
}

fn table(doc: &Encoded, reading: &Reading) -> Table {
    let candidates = &reading.candidates;
    let gold: Vec<Vec<String>> = doc.gold.iter().map(|names| names.iter().map(|n| normalise(n)).collect()).collect();
    let labels = candidates
        .iter()
        .map(|c| {
            let forms: Vec<String> = std::iter::once(c.canonical.as_str())
                .chain(c.mentions.iter().map(|m| m.text.as_str()))
                .map(normalise)
                .collect();
            gold.iter().flatten().any(|g| forms.iter().any(|f| similar(f, g)))
        })
        .collect();
    let names = candidates.iter().map(|c| c.canonical.clone()).collect();
    Table { names, features: candidates.iter().map(|c| c.features.clone()).collect(), labels }
}

/// Gold designees that none of the document's candidates names.
fn unreachable_gold(doc: &Encoded, reading: &Reading) -> usize {
    let forms: Vec<String> = reading
        .candidates
        .iter()
        .flat_map(|c| std::iter::once(c.canonical.clone()).chain(c.mentions.iter().map(|m| m.text.clone())))
        .map(|n| normalise(&n))
        .collect();
    doc.gold.iter().filter(|names| !names.iter().any(|n| forms.iter().any(|f| similar(f, &normalise(n))))).count()
}

/// Documents dealt to folds at random (seeded), so each fold mixes sets and kinds.
fn fold_of(documents: usize, folds: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..documents).collect();
    order.shuffle(&mut StdRng::seed_from_u64(seed));
    let mut fold = vec![0; documents];
    for (position, &d) in order.iter().enumerate() {
        fold[d] = position % folds;
    }
    fold
}

/// The threshold for a head trained on `training`, chosen by an inner cross-validation on those
/// documents only.
fn inner_threshold(
    docs: &[Encoded],
    readings: &[Reading],
    tables: &[Table],
    training: &[usize],
    options: &HeadOptions,
    dim: usize,
) -> anyhow::Result<f32> {
    let inner_folds = (options.folds - 1).max(2);
    let assignment = fold_of(training.len(), inner_folds, options.seed.wrapping_add(1));
    let mut scores: Vec<Vec<f32>> = vec![Vec::new(); docs.len()];
    for fold in 0..inner_folds {
        let inner_training: Vec<usize> =
            training.iter().enumerate().filter(|(i, _)| assignment[*i] != fold).map(|(_, &d)| d).collect();
        let head = fit(tables, &inner_training, options, dim)?;
        for (_, &d) in training.iter().enumerate().filter(|(i, _)| assignment[*i] == fold) {
            scores[d] = tables[d].features.iter().map(|f| head.score_features(f)).collect();
        }
    }
    Ok(best_threshold(docs, readings, training, &scores))
}

/// The threshold that maximises name-level F1 over `documents`, given each one's candidate scores.
fn best_threshold(docs: &[Encoded], readings: &[Reading], documents: &[usize], scores: &[Vec<f32>]) -> f32 {
    let mut best = (f64::MIN, 0.5);
    for step in 1..40 {
        let threshold = step as f32 * 0.025;
        let mut score = Score::default();
        for &d in documents {
            let prediction = predict(&docs[d], &readings[d], &scores[d], threshold);
            let (gold, predicted, matched) = count(&docs[d], &prediction);
            score.add(gold, predicted, matched);
        }
        if score.f1 > best.0 {
            best = (score.f1, threshold);
        }
    }
    best.1
}

/// What the article yields at `threshold`, exactly as `extract` would decide it.
fn predict(doc: &Encoded, reading: &Reading, scores: &[f32], threshold: f32) -> Prediction {
    let found = decide(&doc.view(), reading, scores, threshold);
    Prediction {
        id: doc.id.clone(),
        set: doc.set.clone(),
        designations: found
            .into_iter()
            .map(|f| PredictedDesignation {
                target: PredictedTarget { name: f.target_name },
                action: f.action,
                confidence: f.confidence,
            })
            .collect(),
    }
}

fn score_by_set(docs: &[Encoded], predictions: &[Prediction]) -> Vec<(String, Score)> {
    let mut by_set: Vec<(String, Score)> = Vec::new();
    for (doc, prediction) in docs.iter().zip(predictions) {
        let (gold, predicted, matched) = count(doc, prediction);
        if !by_set.iter().any(|(s, _)| *s == doc.set) {
            by_set.push((doc.set.clone(), Score::default()));
        }
        let entry = by_set.iter_mut().find(|(s, _)| *s == doc.set).expect("just added");
        entry.1.add(gold, predicted, matched);
    }
    by_set
}

/// (gold, predicted, matched) names of one document, matched one to one as the scorer does;
/// delistings are not designations.
fn count(doc: &Encoded, prediction: &Prediction) -> (usize, usize, usize) {
    let gold: Vec<String> = doc.gold.iter().filter_map(|names| names.first()).map(|n| normalise(n)).collect();
    let mut predicted: Vec<String> = prediction
        .designations
        .iter()
        .filter(|d| d.action != DesignationAction::Delist)
        .map(|d| normalise(&d.target.name))
        .filter(|n| !n.is_empty())
        .collect();
    predicted.sort();
    predicted.dedup();
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, g) in gold.iter().enumerate() {
        for (j, p) in predicted.iter().enumerate() {
            let s = similarity(g, p);
            if s >= MATCH {
                pairs.push((s, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.partial_cmp(a).expect("no NaN"));
    let (mut used_gold, mut used_predicted, mut matched) = (Vec::new(), Vec::new(), 0);
    for (_, i, j) in pairs {
        if !used_gold.contains(&i) && !used_predicted.contains(&j) {
            used_gold.push(i);
            used_predicted.push(j);
            matched += 1;
        }
    }
    (gold.len(), predicted.len(), matched)
}

/// Trains a head on the candidates of `documents`: standardised features, class-balanced logistic
/// loss with an L2 penalty, full-batch AdamW from a seeded start.
fn fit(tables: &[Table], documents: &[usize], options: &HeadOptions, dim: usize) -> anyhow::Result<DesignationHead> {
    let features = feature_count(dim);
    let rows: Vec<(&Vec<f32>, bool)> =
        documents.iter().flat_map(|&d| tables[d].features.iter().zip(tables[d].labels.iter().copied())).collect();
    anyhow::ensure!(!rows.is_empty(), "no candidates to train on");
    let n = rows.len();
    let mut mean = vec![0f32; features];
    for (f, _) in &rows {
        mean.iter_mut().zip(f.iter()).for_each(|(m, v)| *m += v / n as f32);
    }
    let mut scale = vec![0f32; features];
    for (f, _) in &rows {
        scale.iter_mut().zip(f.iter().zip(&mean)).for_each(|(s, (v, m))| *s += (v - m) * (v - m) / n as f32);
    }
    scale.iter_mut().for_each(|s| *s = if *s > 1e-12 { s.sqrt() } else { 1.0 });
    let x: Vec<f32> =
        rows.iter().flat_map(|(f, _)| f.iter().zip(&mean).zip(&scale).map(|((v, m), s)| (v - m) / s)).collect();
    let positives = rows.iter().filter(|(_, l)| *l).count().max(1);
    // Each class weighs half of the loss.
    let (positive_weight, negative_weight) =
        (n as f32 / (2.0 * positives as f32), n as f32 / (2.0 * (n - positives).max(1) as f32));
    let y: Vec<f32> = rows.iter().map(|(_, l)| if *l { 1.0 } else { 0.0 }).collect();
    let w: Vec<f32> = rows.iter().map(|(_, l)| if *l { positive_weight } else { negative_weight }).collect();
    let device = Device::Cpu;
    let x = Tensor::from_vec(x, (n, features), &device)?;
    let y = Tensor::from_vec(y, n, &device)?;
    let w = Tensor::from_vec(w, n, &device)?;

    let mut tensors = HashMap::from([
        ("feature_mean".to_string(), Tensor::from_vec(mean, features, &device)?),
        ("feature_scale".to_string(), Tensor::from_vec(scale, features, &device)?),
    ]);
    for member in 0..options.members {
        let seed = options.seed.wrapping_add(member as u64);
        for (name, tensor) in fit_member(&x, &y, &w, options, seed)? {
            tensors.insert(format!("m{member}.{name}"), tensor);
        }
    }
    let config = HeadConfig {
        features,
        hidden: options.hidden,
        members: options.members,
        threshold: 0.5,
        encoder_layer: options.encoder_layer,
    };
    DesignationHead::from_tensors(config, &tensors)
}

/// One network on standardised features `x`, labels `y` and weights `w`, from a seeded start.
fn fit_member(
    x: &Tensor,
    y: &Tensor,
    w: &Tensor,
    options: &HeadOptions,
    seed: u64,
) -> anyhow::Result<Vec<(&'static str, Tensor)>> {
    let device = Device::Cpu;
    let features = x.dim(1)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut seeded = |rows: usize, cols: usize| -> candle_core::Result<Var> {
        let bound = (6.0 / (rows + cols) as f32).sqrt();
        let values: Vec<f32> = (0..rows * cols).map(|_| rng.random_range(-bound..bound)).collect();
        Var::from_tensor(&Tensor::from_vec(values, (rows, cols), &device)?)
    };
    let h = options.hidden;
    let (hidden_weight, hidden_bias) =
        if h > 0 { (Some(seeded(h, features)?), Some(Var::zeros(h, DType::F32, &device)?)) } else { (None, None) };
    let output_weight = seeded(1, if h > 0 { h } else { features })?;
    let output_bias = Var::zeros(1, DType::F32, &device)?;
    let mut vars = vec![output_weight.clone(), output_bias.clone()];
    vars.extend(hidden_weight.iter().cloned());
    vars.extend(hidden_bias.iter().cloned());
    let mut optimizer = AdamW::new(
        vars,
        ParamsAdamW { lr: options.learning_rate, weight_decay: options.weight_decay, ..Default::default() },
    )?;
    let logits = |x: &Tensor| -> candle_core::Result<Tensor> {
        let inner = match (&hidden_weight, &hidden_bias) {
            (Some(hw), Some(hb)) => x.matmul(&hw.as_tensor().t()?)?.broadcast_add(hb.as_tensor())?.relu()?,
            _ => x.clone(),
        };
        inner.matmul(&output_weight.as_tensor().t()?)?.broadcast_add(output_bias.as_tensor())?.squeeze(D::Minus1)
    };
    for _ in 0..options.epochs {
        let z = logits(x)?;
        // log(1 + e^z) - y·z, computed stably.
        let softplus = (z.relu()? + ((z.abs()?.neg()?.exp()? + 1.0)?.log()?))?;
        let mut loss = ((softplus - (y * &z)?)? * w)?.mean_all()?;
        if options.l2 > 0.0 {
            // The penalty falls on the weights of the encoder vectors, which are many, and on the
            // hidden units' outputs; the few cue features are free to count fully.
            let first = hidden_weight.as_ref().unwrap_or(&output_weight).as_tensor();
            let mut penalised = vec![first.narrow(1, CUE_FEATURES, features - CUE_FEATURES)?];
            if hidden_weight.is_some() {
                penalised.push(output_weight.as_tensor().clone());
            }
            for weight in penalised {
                loss = (loss + (weight.sqr()?.sum_all()? * (options.l2 / 2.0))?)?;
            }
        }
        optimizer.backward_step(&loss)?;
    }
    let mut out =
        vec![("output.weight", output_weight.as_tensor().clone()), ("output.bias", output_bias.as_tensor().clone())];
    if let (Some(hw), Some(hb)) = (hidden_weight, hidden_bias) {
        out.push(("hidden.weight", hw.as_tensor().clone()));
        out.push(("hidden.bias", hb.as_tensor().clone()));
    }
    Ok(out)
}
