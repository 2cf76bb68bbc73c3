//! The commands that run the pipeline on this machine: `ingest`, `extract` and `crawl`, and the
//! report they print.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use newshound::annotate::Annotator;
use newshound::config::{Config, CrawlConfig};
use newshound::lists::{ListLinker, ListStore};
use newshound::pipeline::{Pipeline, Summary};
use newshound::progress::Progress;
use newshound::sinks::{IndexSink, JsonlSink};
use newshound::sources::crawl::{self, Crawler};
use newshound::sources::{HttpFetcher, Input, items, resolve_inputs};

/// The pipeline; `annotate` names the NER model folder (`Some(None)`: the built-in model).
pub fn pipeline(config: &Config, annotate: Option<Option<&Path>>, keep_empty: bool) -> anyhow::Result<Pipeline> {
    Ok(Pipeline {
        annotator: match annotate {
            Some(model) => {
                let lists = ListLinker::load(&ListStore::open(&config.lists.path))?;
                Some(Annotator::with_model(model)?.with_lists(lists))
            }
            None => None,
        },
        http: HttpFetcher::new(&config.fetch),
        max_body_bytes: config.fetch.max_body_bytes,
        keep_empty,
    })
}

pub fn ingest(config: &Config, model: Option<PathBuf>, args: &[String], quiet: bool) -> anyhow::Result<ExitCode> {
    let (inputs, missing) = resolve_inputs(args);
    for e in &missing {
        eprintln!("error: {e}");
    }
    let mut sink = IndexSink::open(&config.index)?;
    let mut progress = Progress::new(page_count_hint(&inputs), !quiet);
    let items = items(inputs, config.fetch.max_body_bytes);
    let mut summary = pipeline(config, Some(model.as_deref()), false)?.run(items, &mut sink, &mut progress)?;
    summary.failures.splice(0..0, missing);
    print_summary(&summary, &config.index.path);
    Ok(ExitCode::from(summary.exit_code() as u8))
}

pub fn extract(
    config: &Config,
    model: Option<PathBuf>,
    args: &[String],
    jsonl: bool,
    no_annotate: bool,
) -> anyhow::Result<ExitCode> {
    let (inputs, missing) = resolve_inputs(args);
    for e in &missing {
        eprintln!("error: {e}");
    }
    let stdout = std::io::stdout().lock();
    let mut sink = JsonlSink::new(std::io::BufWriter::new(stdout), !jsonl);
    let mut progress = Progress::new(page_count_hint(&inputs), false);
    let items = items(inputs, config.fetch.max_body_bytes);
    let annotate = (!no_annotate).then_some(model.as_deref());
    let mut summary = pipeline(config, annotate, true)?.run(items, &mut sink, &mut progress)?;
    summary.failures.splice(0..0, missing);
    Ok(ExitCode::from(summary.exit_code() as u8))
}

pub fn crawl_once(config: &Config, model: Option<&Path>, crawl: &CrawlConfig, quiet: bool) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&config.index.path)?;
    let crawler = Crawler::new(crawl.clone(), &config.fetch, crawl::state_path(&config.index.path))?;
    let mut sink = IndexSink::open(&config.index)?;
    let mut progress = Progress::new(None, !quiet);
    let summary = pipeline(config, Some(model), false)?.crawl(&crawler, &mut sink, &mut progress)?;
    print_summary(&summary, &config.index.path);
    let stats = crawler.stats();
    println!(
        "crawl: {} pages fetched, {} unchanged (304), {} duplicates, {} disallowed by robots.txt, {} left queued",
        stats.fetched,
        stats.unchanged,
        stats.duplicates,
        stats.disallowed,
        crawler.queued()
    );
    for (kind, n) in &stats.errors {
        println!("  {n} × {kind}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Designations listed in the ingest summary; the rest are counted.
pub const SUMMARY_DESIGNATIONS: usize = 30;

/// How many pages the inputs hold, when that is known before reading them (archives are not counted).
pub fn page_count_hint(inputs: &[Input]) -> Option<usize> {
    (!inputs.iter().any(|i| matches!(i, Input::Warc(_)))).then_some(inputs.len())
}

pub fn print_summary(s: &Summary, index: &Path) {
    println!(
        "ingested {} documents ({} entities, {} designations) into {}",
        s.documents,
        s.entities,
        s.designations,
        index.display()
    );
    if !s.entities_by_label.is_empty() {
        let labels: Vec<String> = s.entities_by_label.iter().map(|(l, n)| format!("{n} {}", l.as_str())).collect();
        println!("entities: {}", labels.join(", "));
    }
    if !s.designated.is_empty() {
        println!("designations:");
        for (doc, d) in s.designated.iter().take(SUMMARY_DESIGNATIONS) {
            let by = d.authority.as_ref().map_or("unknown authority", |a| a.name.as_str());
            let date = d.date.map(|d| d.to_string()).unwrap_or_else(|| "undated".into());
            let listing = d.listing.as_ref().map(|l| format!("; {l}")).unwrap_or_default();
            println!(
                "  {} ({}) {} by {by}, {date}{listing}  [{doc}]",
                d.target.name,
                d.target.kind.as_str(),
                d.action.past_tense()
            );
        }
        if s.designated.len() > SUMMARY_DESIGNATIONS {
            println!("  … and {} more", s.designated.len() - SUMMARY_DESIGNATIONS);
        }
    }
    if !s.skipped.is_empty() {
        println!("skipped {} pages:", s.skipped.len());
        for e in &s.skipped {
            println!("  {e}");
        }
    }
    if !s.failures.is_empty() {
        println!("{} failures:", s.failures.len());
        for e in &s.failures {
            println!("  {e}");
        }
    }
}
