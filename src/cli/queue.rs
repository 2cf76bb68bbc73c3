//! The commands of the shared queue: `enqueue`, `worker`, `indexer` and `queue status`.

use std::path::PathBuf;
use std::process::ExitCode;

use newshound::config::Config;
use newshound::progress::Progress;
use newshound::queue::{self, IndexerOptions, Queue, WorkerOptions, run_indexer, run_worker};
use newshound::sinks::IndexSink;
use newshound::sources::resolve_inputs;

use super::ingest::pipeline;

/// Queues `args` as work, and the start points of `crawl` (its seeds, feeds and sitemaps) on the
/// shared frontier.
pub fn enqueue(
    config: &Config,
    args: &[String],
    crawl: &newshound::config::CrawlConfig,
    warc_batch: usize,
    redis: &str,
) -> anyhow::Result<ExitCode> {
    let (inputs, missing) = resolve_inputs(args);
    let (work, unreadable) = queue::work_for(inputs, warc_batch, config.fetch.max_body_bytes);
    for e in missing.iter().chain(&unreadable) {
        eprintln!("error: {e}");
    }
    let mut queue = Queue::connect(redis)?;
    queue.enqueue(&work)?;
    if !args.is_empty() {
        println!("enqueued {} work entries on {redis}", work.len());
    }
    if !(crawl.seeds.is_empty() && crawl.feeds.is_empty() && crawl.sitemaps.is_empty()) {
        let starts = queue::enqueue_crawl(&mut queue, crawl, &crawl.seeds, &crawl.feeds, &crawl.sitemaps)?;
        println!("queued {starts} crawl start points (at most {} pages) on {redis}", crawl.max_pages);
    }
    let failed = work.is_empty() && !args.is_empty() && !(missing.is_empty() && unreadable.is_empty());
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// The host name and process id: unique among the workers of one queue.
pub fn default_worker_name() -> String {
    let mut buffer = [0u8; 256];
    // SAFETY: the buffer's length is passed; the name is NUL-terminated when it fits.
    let host = if unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) } == 0 {
        let end = buffer.iter().position(|&b| b == 0).unwrap_or(buffer.len());
        String::from_utf8_lossy(&buffer[..end]).into_owned()
    } else {
        "worker".to_string()
    };
    format!("{host}-{}", std::process::id())
}

pub fn worker(
    config: &Config,
    model: Option<PathBuf>,
    redis: &str,
    options: &WorkerOptions,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    let pipeline = pipeline(config, Some(model.as_deref()), false)?;
    let mut queue = Queue::connect(redis)?;
    tracing::info!(name = %options.name, threads = options.batch, "worker ready");
    let mut progress = Progress::counting(None, !quiet, "entries");
    let report = run_worker(&mut queue, &pipeline, options, &mut progress)?;
    progress.finish();
    println!(
        "worker {}: {} work entries, {} documents, {} failed",
        options.name, report.entries, report.documents, report.failed
    );
    Ok(ExitCode::SUCCESS)
}

pub fn indexer(config: &Config, redis: &str, options: &IndexerOptions, quiet: bool) -> anyhow::Result<ExitCode> {
    let mut queue = Queue::connect(redis)?;
    let mut sink = IndexSink::open(&config.index)?;
    let mut progress = Progress::counting(None, !quiet, "documents");
    let report = run_indexer(&mut queue, &mut sink, options, &mut progress)?;
    progress.finish();
    println!(
        "indexed {} documents ({} near-duplicates not stored) into {}",
        report.documents,
        report.near_duplicates,
        config.index.path.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn queue_status(redis: &str, json: bool) -> anyhow::Result<ExitCode> {
    let status = Queue::connect(redis)?.status()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&status)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!("backlog          {}", status.backlog);
    println!("in flight        {}", status.in_flight);
    println!("results pending  {}", status.results_pending);
    println!("done             {}", status.done);
    println!("failed           {}", status.failed);
    for w in &status.workers {
        println!(
            "worker {}: {} entries, {} documents, {} failed, {:.2} documents/s, last seen {}",
            w.name,
            w.entries,
            w.documents,
            w.failed,
            w.documents_per_second,
            chrono::DateTime::from_timestamp(w.seen, 0).map_or_else(String::new, |t| t.to_rfc3339())
        );
    }
    let crawl = &status.crawl;
    if crawl.seen > 0 {
        let counts: Vec<String> = crawl.counts.iter().map(|(what, n)| format!("{n} {what}")).collect();
        let errors: Vec<String> = crawl.errors.iter().map(|(kind, n)| format!("{n}× {kind}")).collect();
        println!("crawl            {} hosts, {} URLs queued, {} seen", crawl.hosts, crawl.queued, crawl.seen);
        println!("crawled          {}", if counts.is_empty() { "nothing yet".to_string() } else { counts.join(", ") });
        println!("crawl errors     {}", if errors.is_empty() { "none".to_string() } else { errors.join(", ") });
    }
    for f in &status.recent_failures {
        println!("failed: {}: {}", f.work, f.reason);
    }
    Ok(ExitCode::SUCCESS)
}
