//! Training the designation head on labelled texts (`newshound train-designations`), and the
//! cross-validation by document that says how well it does on texts it never saw.
//!
//! Labels are names, not offsets: a candidate is positive when one of its names matches a gold
//! designee's name or alias, as `designation_eval.py` matches names ([`super::names`]). A text
//! passes the gate when a person read a designation or delisting in it; pages of ordinary news
//! (`general`) are texts that report none, so they train the gate and show how often it raises a
//! false alarm, but their names never train the candidate scorer.
//!
//! Every setting that is chosen rather than given (what the gate reads and its penalty, both
//! thresholds) is chosen inside the training texts of each fold, by an inner cross-validation on
//! those texts only.

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
use super::candidates::{self as candidate_features, sentence_cues};
use super::head::{DesignationHead, Ensemble, EnsembleConfig};
use super::names::{MATCH, normalise, similar, similarity};
use super::report;
use super::tune::{self, Penalty, TuneOptions, TuneRow, TuneText};
use super::{ArticleView, Reading, Thresholds, decide};
use crate::annotate::ner::{self, LayerShape, LayersRead};
use crate::document::{Article, DesignationAction};
use crate::lists::ListLinker;

/// A text with the designees a person read in it; each designee is its name, then its aliases.
pub struct LabelledArticle {
    pub id: String,
    /// Which labelled set it comes from (reported apart).
    pub set: String,
    pub article: Article,
    pub designees: Vec<Vec<String>>,
    pub delisted: Vec<String>,
    /// A page of ordinary news, taken to report no sanctions action.
    pub general: bool,
}

/// How the head is trained: also the flags of `newshound train-designations`.
#[derive(Debug, Clone, clap::Args)]
pub struct HeadOptions {
    /// Folds of the cross-validation by document.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Hidden units of the candidate scorer (0: logistic regression).
    #[arg(long, default_value_t = 32)]
    pub hidden: usize,
    /// The encoder layer whose word vectors the head reads (1 is the first). A middle layer keeps
    /// more of the sentence than the last, which is tuned to entity tags.
    #[arg(long, default_value_t = 4)]
    pub encoder_layer: usize,
    /// Differently seeded networks whose scores the candidate scorer averages.
    #[arg(long, default_value_t = 5)]
    pub members: usize,
    /// Full-batch training steps of the candidate scorer.
    #[arg(long, default_value_t = 300)]
    pub epochs: usize,
    #[arg(long, default_value_t = 1e-3)]
    pub learning_rate: f64,
    #[arg(long, default_value_t = 1e-2)]
    pub weight_decay: f64,
    /// Strength of an L2 penalty on the candidate scorer's weights (all but the hand-read cue
    /// features'), added to its loss. The candidates are few and their features many (five encoder
    /// vectors each): without it the scorer fits its training texts far better than new ones.
    #[arg(long, default_value_t = 0.06)]
    pub l2: f64,
    /// L2 strengths the gate chooses from, inside each fold (each with and without the text's bag
    /// of words).
    #[arg(long, value_delimiter = ',', default_value = "0.1,0.3,1,3")]
    pub gate_l2: Vec<f64>,
    /// Full-batch training steps of the gate (a logistic regression over the whole text).
    #[arg(long, default_value_t = 300)]
    pub gate_epochs: usize,
    #[arg(long, default_value_t = 1e-2)]
    pub gate_learning_rate: f64,
    /// The largest share of general-news pages that may give any designation when the thresholds
    /// are chosen.
    #[arg(long, default_value_t = 0.002)]
    pub max_false_alarms: f64,
    /// Seeds of the cross-validation (folds and initialisation), run in turn; the first also
    /// trains the shipped head.
    #[arg(long = "seed", default_values_t = [13])]
    pub seeds: Vec<u64>,
    /// Give the candidate scorer the official lists' evidence (the list store's state on each
    /// text's day); without it the head reads no list features.
    #[arg(long)]
    pub list_evidence: bool,
    #[command(flatten)]
    pub tune: TuneOptions,
}

/// How one network is trained.
struct NetworkOptions {
    hidden: usize,
    members: usize,
    epochs: usize,
    learning_rate: f64,
    weight_decay: f64,
    l2: f64,
    /// The first features, hand-read cues, which the penalty spares.
    free_features: usize,
    seed: u64,
}

/// One way to train the gate, among which each fold chooses.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct GateVariant {
    pub l2: f64,
    /// Whether it reads the text's bag of words too.
    pub words: bool,
}

impl HeadOptions {
    fn gate_variants(&self) -> Vec<GateVariant> {
        [false, true]
            .into_iter()
            .flat_map(|words| self.gate_l2.iter().map(move |&l2| GateVariant { l2, words }))
            .collect()
    }

    fn candidate_network(&self, seed: u64) -> NetworkOptions {
        NetworkOptions {
            hidden: self.hidden,
            members: self.members,
            epochs: self.epochs,
            learning_rate: self.learning_rate,
            weight_decay: self.weight_decay,
            l2: self.l2,
            free_features: candidate_features::CUE_FEATURES,
            seed,
        }
    }

    fn gate_network(&self, l2: f64, seed: u64) -> NetworkOptions {
        NetworkOptions {
            hidden: 0,
            members: 1,
            epochs: self.gate_epochs,
            learning_rate: self.gate_learning_rate,
            weight_decay: self.weight_decay,
            l2,
            free_features: report::CUE_FEATURES,
            seed,
        }
    }
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
    /// Whether a person read a designation or delisting in it: the gate's label.
    reports_action: bool,
    general: bool,
}

impl Encoded {
    fn view(&self) -> ArticleView<'_> {
        self.view_with(None)
    }

    fn view_with<'a>(&'a self, lists: Option<&'a ListLinker>) -> ArticleView<'a> {
        ArticleView {
            title: self.title.as_deref(),
            body: &self.body,
            sentences: &self.sentences,
            mentions: &self.mentions,
            encoded: &self.encoded,
            published: self.published,
            lists,
        }
    }
}

/// What one article gives the training: its gate features, and its candidates' names, features and
/// labels.
struct Table {
    gate_features: Vec<f32>,
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

/// How often pages of ordinary news give designations.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FalseAlarms {
    pub pages: usize,
    /// Pages that give any designation (or delisting).
    pub pages_with_any: usize,
    pub per_thousand: f64,
    pub designations: usize,
    /// The pages that give any, with how many they give (their names stay out of the report, which
    /// is stored beside the model: the pages are not the project's).
    pub which: Vec<(String, usize)>,
}

impl FalseAlarms {
    fn add(&mut self, id: &str, designations: usize) {
        self.pages += 1;
        if designations > 0 {
            self.pages_with_any += 1;
            self.designations += designations;
            self.which.push((id.to_string(), designations));
        }
        self.per_thousand = 1000.0 * self.pages_with_any as f64 / self.pages as f64;
    }
}

/// One set's figures: designee scores for a labelled set, false alarms for general news.
#[derive(Debug, Clone, Serialize)]
pub enum SetScore {
    Designees(Score),
    General(FalseAlarms),
}

/// One document's predicted designations, as `newshound extract --jsonl` writes the fields the
/// scorer reads.
#[derive(Debug, Serialize)]
pub struct Prediction {
    pub id: String,
    pub set: String,
    /// The gate's score: how likely the text reports a sanctions action.
    pub gate: f32,
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

/// One seed's cross-validation.
#[derive(Debug, Serialize)]
pub struct CrossValidation {
    pub seed: u64,
    /// Out-of-fold figures by set: each document scored by a head and thresholds that never saw it.
    pub by_set: Vec<(String, SetScore)>,
    /// With fine-tuning, the same folds' figures before it (the frozen scorer, the same thresholds).
    pub untuned_by_set: Option<Vec<(String, SetScore)>>,
    /// What each fold chose inside its training texts: the gate, its threshold, the candidates'.
    pub fold_choices: Vec<(GateVariant, f32, f32)>,
    #[serde(skip)]
    pub predictions: Vec<Prediction>,
}

#[derive(Debug, Serialize)]
pub struct TrainReport {
    pub options: String,
    pub documents: usize,
    pub general_pages: usize,
    pub candidates: usize,
    pub positives: usize,
    /// Gold designees that no candidate matches: the most any head could find.
    pub gold_without_candidate: usize,
    pub cross_validated: Vec<CrossValidation>,
    /// The shipped head on the texts it was trained on, by set.
    pub in_sample: Vec<(String, SetScore)>,
    /// The shipped head's gate and thresholds, chosen on the first seed's out-of-fold scores.
    pub gate: GateVariant,
    pub gate_threshold: f32,
    pub threshold: f32,
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

/// Everything the folds read, made once: every threshold tried and every fold decides from the
/// same readings.
struct Corpus<'a> {
    docs: &'a [Encoded],
    readings: &'a [Reading<'a>],
    tables: &'a [Table],
    /// The encoder's vector size.
    dim: usize,
    /// With fine-tuning: each text as the tuning reads it, and where the tuned layer starts from.
    tuning: Option<Tuning<'a>>,
}

struct Tuning<'a> {
    texts: Vec<TuneText<'a>>,
    shape: LayerShape,
    layer: HashMap<String, Tensor>,
}

/// Scores of every document by heads that did not see it: the gate's for each variant
/// (`gate[variant][document]`), and its candidates'.
struct Scores {
    gate: Vec<Vec<f32>>,
    candidates: Vec<Vec<f32>>,
}

impl Scores {
    fn new(documents: usize, gate_variants: usize) -> Self {
        Scores { gate: vec![vec![0.0; documents]; gate_variants], candidates: vec![Vec::new(); documents] }
    }
}

/// What a fold chose inside its training texts.
#[derive(Debug, Clone, Copy)]
struct Choice {
    gate: usize,
    thresholds: Thresholds,
}

/// Encodes the articles, cross-validates the head by document (once per seed), then trains it on
/// all of them.
pub fn train(
    articles: &[LabelledArticle],
    model: &NerModel,
    model_dir: Option<&std::path::Path>,
    options: &HeadOptions,
    lists: Option<&ListLinker>,
    progress: &mut crate::progress::Progress,
) -> anyhow::Result<(DesignationHead, TrainReport)> {
    anyhow::ensure!(options.folds >= 2, "cross-validation needs at least 2 folds");
    anyhow::ensure!(
        !options.list_evidence || lists.is_some(),
        "--list-evidence needs lists in the list store (newshound lists import / update)"
    );
    let lists = lists.filter(|_| options.list_evidence);
    anyhow::ensure!(
        articles.len() >= options.folds,
        "{} texts are too few for {} folds",
        articles.len(),
        options.folds
    );
    anyhow::ensure!(!options.seeds.is_empty(), "at least one seed is needed");
    anyhow::ensure!(!options.gate_l2.is_empty(), "at least one gate L2 strength is needed");
    model.ensure_layer(options.encoder_layer).context("--encoder-layer")?;
    let tuning = options.tune.tune_epochs > 0;
    anyhow::ensure!(!tuning || options.encoder_layer >= 2, "--tune-epochs needs an --encoder-layer above the first");
    anyhow::ensure!(!tuning || options.hidden > 0, "--tune-epochs needs a candidate scorer with --hidden units");
    let read = LayersRead { vectors: options.encoder_layer, states: tuning.then(|| options.encoder_layer - 1) };
    let mut docs = Vec::with_capacity(articles.len());
    for labelled in articles {
        docs.push(encode(labelled, model, read)?);
        progress.advance(&labelled.id);
    }
    progress.finish();
    let readings: Vec<Reading> =
        docs.iter().map(|d| Reading::of(&d.view_with(lists), sentence_cues(&d.view()), &d.encoded.vectors)).collect();
    let tables: Vec<Table> = docs.iter().zip(&readings).map(|(d, r)| table(d, r, lists.is_some())).collect();
    let labelled = || docs.iter().zip(&tables).filter(|(d, _)| !d.general).map(|(_, t)| t);
    let candidates: usize = labelled().map(|t| t.labels.len()).sum();
    let positives: usize = labelled().map(|t| t.labels.iter().filter(|&&l| l).count()).sum();
    let gold_without_candidate: usize = docs.iter().zip(&readings).map(|(d, r)| unreachable_gold(d, r)).sum();
    let general_pages = docs.iter().filter(|d| d.general).count();
    tracing::info!(
        documents = docs.len(),
        general_pages,
        candidates,
        positives,
        gold_without_candidate,
        "candidates read"
    );
    let tuning = if tuning {
        let texts = docs.iter().zip(&readings).zip(&tables).map(|((d, r), t)| tune_text(d, r, t)).collect();
        let layer = ner::layer_weights(model_dir, options.encoder_layer)?;
        Some(Tuning { texts, shape: model.layer_shape(), layer })
    } else {
        None
    };
    let corpus = Corpus { docs: &docs, readings: &readings, tables: &tables, dim: model.hidden_size(), tuning };

    let mut cross_validated = Vec::new();
    let mut first_out_of_fold = None;
    for &seed in &options.seeds {
        let (cv, out_of_fold) = cross_validate(&corpus, options, seed)?;
        for (set, score) in &cv.by_set {
            tracing::info!(seed, set, ?score, "cross-validated");
        }
        cross_validated.push(cv);
        first_out_of_fold.get_or_insert(out_of_fold);
    }

    // The shipped head: all documents, with the gate and thresholds that do best on the first
    // seed's out-of-fold scores.
    let seed = options.seeds[0];
    let all: Vec<usize> = (0..docs.len()).collect();
    let choice = choose(&corpus, &all, first_out_of_fold.as_ref().expect("one seed at least"), options);
    let gate = options.gate_variants()[choice.gate];
    let head = fit_head(&corpus, &all, options, gate, seed, choice.thresholds)?;
    let in_sample_predictions: Vec<Prediction> = (0..docs.len())
        .map(|d| {
            let gate = head.gate.score(&tables[d].gate_features);
            let scores: Vec<f32> = match (head.tuned_layer(), &corpus.tuning) {
                (Some(layer), Some(tuning)) => tune::score(&tuning.texts[d], layer, &head.candidates),
                _ => tables[d].features.iter().map(|f| head.candidates.score(f)).collect(),
            };
            predict(&docs[d], &readings[d], gate, &scores, choice.thresholds)
        })
        .collect();
    let report = TrainReport {
        options: format!("{options:?}"),
        documents: docs.len(),
        general_pages,
        candidates,
        positives,
        gold_without_candidate,
        cross_validated,
        in_sample: score_by_set(&docs, &in_sample_predictions),
        gate,
        gate_threshold: choice.thresholds.gate,
        threshold: choice.thresholds.candidate,
        candidate_table: docs
            .iter()
            .zip(&tables)
            .filter(|(doc, _)| !doc.general)
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

/// One cross-validation by document: each fold's head, gate L2 and thresholds chosen and trained
/// on the other folds only. Also returns the out-of-fold scores.
fn cross_validate(corpus: &Corpus, options: &HeadOptions, seed: u64) -> anyhow::Result<(CrossValidation, Scores)> {
    let n = corpus.docs.len();
    let folds = fold_of(n, options.folds, seed);
    let variants = options.gate_variants();
    let mut out_of_fold = Scores::new(n, variants.len());
    // With fine-tuning, the frozen scorer's out-of-fold scores, reported beside.
    let mut untuned = vec![Vec::new(); n];
    let mut choices = Vec::new();
    for fold in 0..options.folds {
        let training: Vec<usize> = (0..n).filter(|&d| folds[d] != fold).collect();
        let held: Vec<usize> = (0..n).filter(|&d| folds[d] == fold).collect();
        let choice = inner_choice(corpus, &training, options, seed)?;
        let frozen = score_held(corpus, &training, &held, options, seed, &mut out_of_fold)?;
        if let Some((layer, scorer)) = tune_candidates(corpus, &training, &frozen, options, seed)? {
            let tuning = corpus.tuning.as_ref().expect("tuned");
            for &d in &held {
                untuned[d] =
                    std::mem::replace(&mut out_of_fold.candidates[d], tune::score(&tuning.texts[d], &layer, &scorer));
            }
        }
        tracing::info!(seed, fold, gate = ?variants[choice.gate], thresholds = ?choice.thresholds, "fold trained");
        choices.push(choice);
    }
    let predict_with = |candidates: &[Vec<f32>]| -> Vec<Prediction> {
        (0..n)
            .map(|d| {
                let choice = choices[folds[d]];
                let gate = out_of_fold.gate[choice.gate][d];
                predict(&corpus.docs[d], &corpus.readings[d], gate, &candidates[d], choice.thresholds)
            })
            .collect()
    };
    let predictions = predict_with(&out_of_fold.candidates);
    let untuned_by_set = corpus.tuning.as_ref().map(|_| score_by_set(corpus.docs, &predict_with(&untuned)));
    let cv = CrossValidation {
        seed,
        untuned_by_set,
        by_set: score_by_set(corpus.docs, &predictions),
        fold_choices: choices.iter().map(|c| (variants[c.gate], c.thresholds.gate, c.thresholds.candidate)).collect(),
        predictions,
    };
    Ok((cv, out_of_fold))
}

/// The gate and thresholds for a head trained on `training`, chosen by an inner cross-validation on
/// those documents only.
fn inner_choice(corpus: &Corpus, training: &[usize], options: &HeadOptions, seed: u64) -> anyhow::Result<Choice> {
    let inner_folds = (options.folds - 1).max(2);
    let assignment = fold_of(training.len(), inner_folds, seed.wrapping_add(1));
    let mut scores = Scores::new(corpus.docs.len(), options.gate_variants().len());
    for fold in 0..inner_folds {
        let part = |inside: bool| -> Vec<usize> {
            training.iter().enumerate().filter(|(i, _)| (assignment[*i] == fold) == inside).map(|(_, &d)| d).collect()
        };
        score_held(corpus, &part(false), &part(true), options, seed, &mut scores)?;
    }
    Ok(choose(corpus, training, &scores, options))
}

/// Trains on `training` and scores `held`: each variant of the gate, and the candidates.
fn score_held(
    corpus: &Corpus,
    training: &[usize],
    held: &[usize],
    options: &HeadOptions,
    seed: u64,
    scores: &mut Scores,
) -> anyhow::Result<Ensemble> {
    let candidates = fit_candidates(corpus, training, options, seed)?;
    for &d in held {
        scores.candidates[d] = corpus.tables[d].features.iter().map(|f| candidates.score(f)).collect();
    }
    for (i, variant) in options.gate_variants().into_iter().enumerate() {
        let gate = fit_gate(corpus, training, options, variant, seed)?;
        for &d in held {
            scores.gate[i][d] = gate.score(&corpus.tables[d].gate_features);
        }
    }
    Ok(candidates)
}

/// With fine-tuning: the candidate scorer fitted on `training` (frozen) tuned with the encoder layer
/// on the same texts.
fn tune_candidates(
    corpus: &Corpus,
    training: &[usize],
    frozen: &Ensemble,
    options: &HeadOptions,
    seed: u64,
) -> anyhow::Result<Option<(tune::TunedLayer, Ensemble)>> {
    let Some(tuning) = &corpus.tuning else { return Ok(None) };
    let texts: Vec<&TuneText> =
        training.iter().filter(|&&d| !corpus.docs[d].general).map(|&d| &tuning.texts[d]).collect();
    let network = options.candidate_network(seed);
    let penalty = Penalty { l2: network.l2, free_features: network.free_features, weight_decay: network.weight_decay };
    let tuned = tune::tune(&texts, tuning.shape, &tuning.layer, frozen, &penalty, &options.tune, seed)?;
    Ok(Some(tuned))
}

fn fit_candidates(corpus: &Corpus, documents: &[usize], options: &HeadOptions, seed: u64) -> anyhow::Result<Ensemble> {
    let rows: Vec<(&[f32], bool)> = documents
        .iter()
        .filter(|&&d| !corpus.docs[d].general)
        .flat_map(|&d| corpus.tables[d].features.iter().map(Vec::as_slice).zip(corpus.tables[d].labels.iter().copied()))
        .collect();
    fit(&rows, &options.candidate_network(seed))
}

fn fit_gate(
    corpus: &Corpus,
    documents: &[usize],
    options: &HeadOptions,
    variant: GateVariant,
    seed: u64,
) -> anyhow::Result<Ensemble> {
    let read = |features: &'_ [f32]| -> usize {
        if variant.words { features.len() } else { report::without_words(corpus.dim) }
    };
    let rows: Vec<(&[f32], bool)> = documents
        .iter()
        .map(|&d| {
            let features = corpus.tables[d].gate_features.as_slice();
            (&features[..read(features)], corpus.docs[d].reports_action)
        })
        .collect();
    fit(&rows, &options.gate_network(variant.l2, seed))
}

fn fit_head(
    corpus: &Corpus,
    documents: &[usize],
    options: &HeadOptions,
    gate: GateVariant,
    seed: u64,
    thresholds: Thresholds,
) -> anyhow::Result<DesignationHead> {
    let gate = fit_gate(corpus, documents, options, gate, seed)?.with_threshold(thresholds.gate);
    let frozen = fit_candidates(corpus, documents, options, seed)?;
    let (candidates, tuned) = match tune_candidates(corpus, documents, &frozen, options, seed)? {
        Some((layer, scorer)) => (scorer, Some(layer)),
        None => (frozen, None),
    };
    Ok(DesignationHead::new(gate, candidates.with_threshold(thresholds.candidate), options.encoder_layer, tuned))
}

const CANDIDATE_THRESHOLDS: std::ops::Range<usize> = 1..40;
const GATE_THRESHOLDS: std::ops::Range<usize> = 0..40;
const THRESHOLD_STEP: f32 = 0.025;

/// The gate variant and the pair of thresholds that maximise name-level F1 over the labelled texts among
/// `documents`, while at most `max_false_alarms` of its general-news pages give any designation
/// (the fewest such pages, when no choice keeps under it).
fn choose(corpus: &Corpus, documents: &[usize], scores: &Scores, options: &HeadOptions) -> Choice {
    let (labelled, general): (Vec<usize>, Vec<usize>) = documents.iter().partition(|&&d| !corpus.docs[d].general);
    // Per labelled text and candidate threshold: (gold, predicted, matched) when its gate passes.
    let counts: Vec<Vec<(usize, usize, usize)>> = labelled
        .iter()
        .map(|&d| {
            CANDIDATE_THRESHOLDS
                .map(|step| {
                    let thresholds = Thresholds { gate: 0.0, candidate: step as f32 * THRESHOLD_STEP };
                    let names = corpus.readings[d].decided_names(1.0, &scores.candidates[d], thresholds);
                    count(&corpus.docs[d], names.iter().filter(|(_, delisted)| !delisted).map(|(n, _)| *n))
                })
                .collect()
        })
        .collect();
    // Per general page: up to which candidate threshold it gives a designation (always with a
    // delisting, never without candidates).
    let alarm_up_to: Vec<f32> = general
        .iter()
        .map(|&d| {
            let delists = corpus.readings[d].rule_found.iter().any(|f| f.action == DesignationAction::Delist);
            if delists { f32::INFINITY } else { scores.candidates[d].iter().copied().fold(f32::NEG_INFINITY, f32::max) }
        })
        .collect();
    let allowed = (options.max_false_alarms * general.len() as f64).floor() as usize;
    // (within the allowance, −false pages, F1) compared lexicographically.
    let mut best: Option<((bool, i64, f64), Choice)> = None;
    for (variant, gate_scores) in scores.gate.iter().enumerate() {
        for gate_step in GATE_THRESHOLDS {
            let gate = gate_step as f32 * THRESHOLD_STEP;
            for (c, step) in CANDIDATE_THRESHOLDS.enumerate() {
                let candidate = step as f32 * THRESHOLD_STEP;
                let mut score = Score::default();
                for (i, &d) in labelled.iter().enumerate() {
                    let (gold, predicted, matched) = counts[i][c];
                    if gate_scores[d] >= gate { score.add(gold, predicted, matched) } else { score.add(gold, 0, 0) }
                }
                let false_pages = general
                    .iter()
                    .zip(&alarm_up_to)
                    .filter(|&(&d, &up_to)| gate_scores[d] >= gate && candidate <= up_to)
                    .count();
                let key = (false_pages <= allowed, -(false_pages as i64), score.f1);
                let within = |k: &(bool, i64, f64)| (k.0, if k.0 { 0 } else { k.1 }, k.2);
                if best.as_ref().is_none_or(|(b, _)| within(&key) > within(b)) {
                    best = Some((key, Choice { gate: variant, thresholds: Thresholds { gate, candidate } }));
                }
            }
        }
    }
    best.expect("the grids are not empty").1
}

fn encode(labelled: &LabelledArticle, model: &NerModel, read: LayersRead) -> anyhow::Result<Encoded> {
    let body = labelled.article.body();
    let sentences = text::sentences(&body);
    let (mentions, encoded) = entities::recognize(&body, &sentences, model, Some(read))
        .with_context(|| format!("{}: {}", labelled.set, labelled.id))?;
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
        reports_action: !labelled.designees.is_empty() || !labelled.delisted.is_empty(),
        general: labelled.general,
    })
}

/// The training rows of one document; without list evidence, the candidates' features stop before
/// the list features, so the head reads none.
fn table(doc: &Encoded, reading: &Reading, list_evidence: bool) -> Table {
    let kept = |f: &Vec<f32>| {
        if list_evidence { f.clone() } else { f[..f.len() - candidate_features::LIST_FEATURES].to_vec() }
    };
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
    Table {
        gate_features: report::features(&doc.view(), &reading.cues),
        names,
        features: candidates.iter().map(|c| kept(&c.features)).collect(),
        labels,
    }
}

/// A document as the fine-tuning reads it: its frozen states and its candidates' rows (none for a
/// page of general news, whose names never train the candidate scorer, but are scored).
fn tune_text<'a>(doc: &'a Encoded, reading: &'a Reading, table: &'a Table) -> TuneText<'a> {
    let vectors_end = candidate_features::CUE_FEATURES + candidate_features::POOLS * doc.encoded.vectors.dim;
    let rows = reading
        .candidates
        .iter()
        .zip(&table.features)
        .zip(&table.labels)
        .map(|((c, features), &label)| TuneRow {
            cues: &features[..candidate_features::CUE_FEATURES],
            pools: &c.pools,
            tail: &features[vectors_end..],
            label,
        })
        .collect();
    TuneText { states: doc.encoded.states.as_ref().expect("states are read when tuning"), rows }
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

/// What the article yields at these scores and thresholds, exactly as `extract` would decide it.
fn predict(doc: &Encoded, reading: &Reading, gate: f32, scores: &[f32], thresholds: Thresholds) -> Prediction {
    let found = decide(&doc.view(), reading, gate, scores, thresholds);
    Prediction {
        id: doc.id.clone(),
        set: doc.set.clone(),
        gate,
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

fn score_by_set(docs: &[Encoded], predictions: &[Prediction]) -> Vec<(String, SetScore)> {
    let mut by_set: Vec<(String, SetScore)> = Vec::new();
    for (doc, prediction) in docs.iter().zip(predictions) {
        if !by_set.iter().any(|(s, _)| *s == doc.set) {
            let empty = if doc.general {
                SetScore::General(FalseAlarms::default())
            } else {
                SetScore::Designees(Score::default())
            };
            by_set.push((doc.set.clone(), empty));
        }
        let entry = by_set.iter_mut().find(|(s, _)| *s == doc.set).expect("just added");
        match &mut entry.1 {
            SetScore::General(alarms) => alarms.add(&doc.id, prediction.designations.len()),
            SetScore::Designees(score) => {
                let designated = prediction.designations.iter().filter(|d| d.action != DesignationAction::Delist);
                let (gold, predicted, matched) = count(doc, designated.map(|d| d.target.name.as_str()));
                score.add(gold, predicted, matched);
            }
        }
    }
    by_set
}

/// (gold, predicted, matched) names of one document, matched one to one as the scorer does.
fn count<'n>(doc: &Encoded, designated: impl Iterator<Item = &'n str>) -> (usize, usize, usize) {
    let gold: Vec<String> = doc.gold.iter().filter_map(|names| names.first()).map(|n| normalise(n)).collect();
    let mut predicted: Vec<String> = designated.map(normalise).filter(|n| !n.is_empty()).collect();
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

/// Trains an ensemble on `rows` (features, label): standardised features, class-balanced logistic
/// loss with an L2 penalty, full-batch AdamW from seeded starts.
fn fit(rows: &[(&[f32], bool)], network: &NetworkOptions) -> anyhow::Result<Ensemble> {
    anyhow::ensure!(!rows.is_empty(), "no rows to train on");
    let features = rows[0].0.len();
    let n = rows.len();
    let mut mean = vec![0f32; features];
    for (f, _) in rows {
        mean.iter_mut().zip(f.iter()).for_each(|(m, v)| *m += v / n as f32);
    }
    let mut scale = vec![0f32; features];
    for (f, _) in rows {
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
    for member in 0..network.members {
        let seed = network.seed.wrapping_add(member as u64);
        for (name, tensor) in fit_member(&x, &y, &w, network, seed)? {
            tensors.insert(format!("m{member}.{name}"), tensor);
        }
    }
    let config = EnsembleConfig { features, hidden: network.hidden, members: network.members, threshold: 0.5 };
    Ensemble::from_tensors(config, &tensors, "")
}

/// One network on standardised features `x`, labels `y` and weights `w`, from a seeded start.
fn fit_member(
    x: &Tensor,
    y: &Tensor,
    w: &Tensor,
    network: &NetworkOptions,
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
    let h = network.hidden;
    let (hidden_weight, hidden_bias) =
        if h > 0 { (Some(seeded(h, features)?), Some(Var::zeros(h, DType::F32, &device)?)) } else { (None, None) };
    let output_weight = seeded(1, if h > 0 { h } else { features })?;
    let output_bias = Var::zeros(1, DType::F32, &device)?;
    let mut vars = vec![output_weight.clone(), output_bias.clone()];
    vars.extend(hidden_weight.iter().cloned());
    vars.extend(hidden_bias.iter().cloned());
    let mut optimizer = AdamW::new(
        vars,
        ParamsAdamW { lr: network.learning_rate, weight_decay: network.weight_decay, ..Default::default() },
    )?;
    let logits = |x: &Tensor| -> candle_core::Result<Tensor> {
        let inner = match (&hidden_weight, &hidden_bias) {
            (Some(hw), Some(hb)) => x.matmul(&hw.as_tensor().t()?)?.broadcast_add(hb.as_tensor())?.relu()?,
            _ => x.clone(),
        };
        inner.matmul(&output_weight.as_tensor().t()?)?.broadcast_add(output_bias.as_tensor())?.squeeze(D::Minus1)
    };
    let free = network.free_features.min(features);
    for _ in 0..network.epochs {
        let z = logits(x)?;
        // log(1 + e^z) - y·z, computed stably.
        let softplus = (z.relu()? + ((z.abs()?.neg()?.exp()? + 1.0)?.log()?))?;
        let mut loss = ((softplus - (y * &z)?)? * w)?.mean_all()?;
        if network.l2 > 0.0 {
            // The penalty falls on the weights of the encoder vectors, which are many, and on the
            // hidden units' outputs; the few cue features are free to count fully.
            let first = hidden_weight.as_ref().unwrap_or(&output_weight).as_tensor();
            let mut penalised = vec![first.narrow(1, free, features - free)?];
            if hidden_weight.is_some() {
                penalised.push(output_weight.as_tensor().clone());
            }
            for weight in penalised {
                loss = (loss + (weight.sqr()?.sum_all()? * (network.l2 / 2.0))?)?;
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
