//! The commands that train and try the models: `train-designations` and `tag`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use newshound::annotate::designations::train::{HeadOptions, SetScore};
use newshound::annotate::ner::{self, NerModel};
use newshound::config::Config;
use newshound::lists::{ListLinker, ListStore};
use newshound::progress::Progress;

/// What `train-designations` reads: gold files of labelled texts, and folders of general news.
pub struct TrainingInputs {
    pub gold: Vec<PathBuf>,
    pub general: Vec<PathBuf>,
}

/// Where `train-designations` writes: the head, and optionally the out-of-fold predictions and the
/// candidate table.
pub struct TrainingOutputs {
    pub head: PathBuf,
    pub predictions: Option<PathBuf>,
    pub candidates: Option<PathBuf>,
}

pub fn write_json_lines<T: serde::Serialize>(path: &Path, rows: &[T]) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?,
    );
    for row in rows {
        serde_json::to_writer(&mut out, row)?;
        std::io::Write::write_all(&mut out, b"\n")?;
    }
    std::io::Write::flush(&mut out)?;
    Ok(())
}

pub fn train_designations(
    config: &Config,
    model: Option<&Path>,
    inputs: &TrainingInputs,
    outputs: &TrainingOutputs,
    options: &HeadOptions,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    let out = &outputs.head;
    let mut articles = newshound::labelled::load(&inputs.gold, config.fetch.max_body_bytes)?;
    articles.extend(newshound::labelled::load_general(&inputs.general, config.fetch.max_body_bytes)?);
    let ner = NerModel::open(model)?;
    let mut progress = Progress::counting(Some(articles.len()), !quiet, "texts");
    let lists = if options.list_evidence { ListLinker::load(&ListStore::open(&config.lists.path))? } else { None };
    let (head, report) = newshound::annotate::designations::train::train(
        &articles,
        &ner,
        model,
        options,
        lists.as_ref(),
        &mut progress,
    )?;
    head.save(out)?;
    std::fs::write(out.join("designations-training.json"), serde_json::to_string_pretty(&report)? + "\n")?;
    if let Some(path) = &outputs.predictions {
        write_json_lines(path, &report.cross_validated[0].predictions)?;
    }
    if let Some(path) = &outputs.candidates {
        write_json_lines(path, &report.candidate_table)?;
    }
    println!(
        "{} texts ({} general-news pages), {} candidates ({} designees); {} gold designees have no candidate",
        report.documents, report.general_pages, report.candidates, report.positives, report.gold_without_candidate
    );
    let print = |name: &str, set: &str, score: &SetScore| match score {
        SetScore::Designees(s) => println!(
            "{name:>22} {set:<40} P {:.4}  R {:.4}  F1 {:.4}  ({} texts, {} gold, {} predicted)",
            s.precision, s.recall, s.f1, s.documents, s.gold, s.predicted
        ),
        SetScore::General(a) => println!(
            "{name:>22} {set:<40} {} of {} pages give any designation ({:.1} per 1,000; {} designations)",
            a.pages_with_any, a.pages, a.per_thousand, a.designations
        ),
    };
    for cv in &report.cross_validated {
        for (set, score) in &cv.by_set {
            print(&format!("cross-validated ({})", cv.seed), set, score);
        }
        for (set, score) in cv.untuned_by_set.iter().flatten() {
            print(&format!("before tuning ({})", cv.seed), set, score);
        }
    }
    for (set, score) in &report.in_sample {
        print("in-sample", set, score);
    }
    println!(
        "gate L2 {} {} words, gate threshold {:.3}, candidate threshold {:.3}; head written to {}",
        report.gate.l2,
        if report.gate.words { "with" } else { "without" },
        report.gate_threshold,
        report.threshold,
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn tag(conll_path: &Path, model_dir: Option<&Path>) -> anyhow::Result<ExitCode> {
    let model = NerModel::open(model_dir)?;
    let documents = ner::conll::read(conll_path, false)?;
    let words: Vec<_> = documents.iter().map(ner::conll::Document::words).collect();
    let tags = model.tag(&words)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    ner::conll::write(&mut out, &documents, &tags)?;
    std::io::Write::flush(&mut out)?;
    Ok(ExitCode::SUCCESS)
}
