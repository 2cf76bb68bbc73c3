//! A worker: takes work entries through the `workers` consumer group, runs the pipeline on them, and
//! hands each finished document to the indexer.

use std::time::{Duration, Instant};

use rayon::prelude::*;
use redis::streams::{StreamAutoClaimReply, StreamId, StreamReadReply};

use super::QueueError;
use super::crawl::SharedCrawl;
use super::{
    DOCUMENT_FIELD, Queue, RESULTS, WORK, WORK_FIELD, WORKER_STATS, WORKERS_GROUP, Work, WorkerStats, add_dead_letter,
    bury, deliveries, now,
};
use crate::config::FetchConfig;
use crate::pipeline::{Outcome, Pipeline};
use crate::progress::Progress;
use crate::sources::{Input, Item, SourceError, warc_pages};

pub struct WorkerOptions {
    /// This worker's consumer name: unique among the workers.
    pub name: String,
    /// Entries taken at a time; they are processed in parallel.
    pub batch: usize,
    /// A taken entry idle this long is presumed abandoned (its worker died) and is taken over.
    pub claim_after: Duration,
    /// An entry handed out this many times without finishing goes to the dead-letter stream.
    pub max_deliveries: u64,
    /// Stop once no work is waiting or being done anywhere, instead of waiting for more.
    pub drain: bool,
    /// How pages are fetched (timeouts, size limit, redirects).
    pub fetch: FetchConfig,
}

#[derive(Debug, Default)]
pub struct WorkerReport {
    pub entries: u64,
    pub documents: u64,
    pub failed: u64,
}

/// How long one read waits for new work before the worker looks for abandoned entries again.
const BLOCK: Duration = Duration::from_secs(1);
/// How long a worker with nothing to do rests while crawl hosts wait out their delays.
const CRAWL_REST: Duration = Duration::from_millis(20);

/// Runs until the queue is drained (with `drain`) or forever.
pub fn run_worker(
    queue: &mut Queue,
    pipeline: &Pipeline,
    options: &WorkerOptions,
    progress: &mut Progress,
) -> Result<WorkerReport, QueueError> {
    let mut report = WorkerReport::default();
    let mut stats = WorkerStats { name: options.name.clone(), started: now(), ..WorkerStats::default() };
    let started = Instant::now();
    let mut crawl = SharedCrawl::new(options.fetch.clone(), &options.name, options.claim_after, options.max_deliveries);
    loop {
        // While a crawl is on, new work is not waited for: hosts come free all the time.
        let crawling = queue.crawl_hosts()? > 0;
        let mut entries = claim_abandoned(queue, options)?;
        if entries.is_empty() {
            // Draining, a worker with nothing left to take stops now rather than after waiting.
            if options.drain && queue.work_is_drained()? {
                return Ok(report);
            }
            entries = read_new(queue, options, if crawling { None } else { Some(BLOCK) })?;
        }
        let mut busy = !entries.is_empty();
        for (id, outcomes) in process(pipeline, entries, options.fetch.max_body_bytes) {
            let (documents, failed) = pass_on(queue, &id, outcomes, progress)?;
            report.entries += 1;
            report.documents += documents;
            report.failed += failed;
            progress.advance(&id);
        }
        if crawling {
            let step = crawl.step(queue, pipeline, options.batch, progress)?;
            busy |= step.targets > 0;
            report.entries += step.targets;
            report.documents += step.documents;
            report.failed += step.failed;
        }
        if !busy {
            if options.drain && queue.work_is_drained()? {
                return Ok(report);
            }
            if crawling {
                std::thread::sleep(CRAWL_REST);
            }
            continue;
        }
        stats.entries = report.entries;
        stats.documents = report.documents;
        stats.failed = report.failed;
        stats.seen = now();
        stats.documents_per_second = report.documents as f64 / started.elapsed().as_secs_f64().max(1e-3);
        queue.query::<()>(
            redis::cmd("HSET").arg(WORKER_STATS).arg(&options.name).arg(serde_json::to_string(&stats)?),
            "cannot report worker stats",
        )?;
    }
}

/// A work entry as read: its id, and the work or why it is not work.
type Entry = (String, Result<Work, String>);

fn entry(id: &StreamId) -> Entry {
    let work = match id.get::<String>(WORK_FIELD) {
        Some(json) => serde_json::from_str(&json).map_err(|e| format!("not a work entry ({e}): {json}")),
        None => Err(format!("no `{WORK_FIELD}` field")),
    };
    (id.id.clone(), work)
}

/// Entries of workers that stopped answering; those handed out too often go to the dead letters.
fn claim_abandoned(queue: &mut Queue, options: &WorkerOptions) -> Result<Vec<Entry>, QueueError> {
    let claimed: StreamAutoClaimReply = queue.query(
        redis::cmd("XAUTOCLAIM")
            .arg(WORK)
            .arg(WORKERS_GROUP)
            .arg(&options.name)
            .arg(options.claim_after.as_millis() as u64)
            .arg("0-0")
            .arg("COUNT")
            .arg(options.batch),
        "cannot claim abandoned work",
    )?;
    let mut entries = Vec::new();
    for id in &claimed.claimed {
        let deliveries = deliveries(queue, WORK, &id.id)?;
        if deliveries > options.max_deliveries {
            let work = id.get::<String>(WORK_FIELD).unwrap_or_default();
            let reason = format!("handed out {deliveries} times without finishing (it may crash workers)");
            bury(queue, WORK, &id.id, &work, &reason)?;
        } else {
            tracing::info!(entry = %id.id, deliveries, "took over abandoned work");
            entries.push(entry(id));
        }
    }
    Ok(entries)
}

/// New work entries, waiting up to `block` for some.
fn read_new(queue: &mut Queue, options: &WorkerOptions, block: Option<Duration>) -> Result<Vec<Entry>, QueueError> {
    let mut read = redis::cmd("XREADGROUP");
    read.arg("GROUP").arg(WORKERS_GROUP).arg(&options.name).arg("COUNT").arg(options.batch);
    if let Some(block) = block {
        read.arg("BLOCK").arg(block.as_millis() as u64);
    }
    let reply: Option<StreamReadReply> = queue.query(read.arg("STREAMS").arg(WORK).arg(">"), "cannot read work")?;
    Ok(reply.into_iter().flat_map(|r| r.keys).flat_map(|k| k.ids).map(|id| entry(&id)).collect())
}

/// The pipeline's outcomes for each entry, all pages of all entries in parallel.
fn process(pipeline: &Pipeline, entries: Vec<Entry>, max_bytes: u64) -> Vec<(String, Vec<Outcome>)> {
    let mut items: Vec<(usize, Result<Item, SourceError>)> = Vec::new();
    let mut ids = Vec::with_capacity(entries.len());
    for (n, (id, work)) in entries.into_iter().enumerate() {
        match work {
            Ok(work) => items.extend(work_items(&work, max_bytes).into_iter().map(|item| (n, item))),
            Err(reason) => items.push((n, Err(SourceError::new(&id, reason)))),
        }
        ids.push(id);
    }
    let outcomes: Vec<(usize, Outcome)> = items.into_par_iter().map(|(n, item)| (n, pipeline.process(item))).collect();
    let mut grouped: Vec<(String, Vec<Outcome>)> = ids.into_iter().map(|id| (id, Vec::new())).collect();
    for (n, outcome) in outcomes {
        grouped[n].1.push(outcome);
    }
    grouped
}

fn work_items(work: &Work, max_bytes: u64) -> Vec<Result<Item, SourceError>> {
    match work {
        Work::File { path } => vec![Ok(Item::Load(Input::File(path.clone())))],
        Work::Url { url } => vec![Ok(Item::Load(Input::Url(url.clone())))],
        Work::WarcPages { path, skip, take } => match warc_pages(path, max_bytes) {
            Ok(pages) => pages.skip(*skip).take(*take).map(|page| page.map(Item::Page)).collect(),
            Err(e) => vec![Err(e)],
        },
    }
}

/// Appends an entry's documents to the results and its failures to the dead letters, and
/// acknowledges it, in one transaction: either all of it happens or none does.
fn pass_on(
    queue: &mut Queue,
    id: &str,
    outcomes: Vec<Outcome>,
    progress: &mut Progress,
) -> Result<(u64, u64), QueueError> {
    let mut pipe = redis::pipe();
    pipe.atomic();
    let (mut documents, mut failed) = (0, 0);
    for outcome in outcomes {
        match outcome {
            Outcome::Document(doc, _) => {
                pipe.cmd("XADD").arg(RESULTS).arg("*").arg(DOCUMENT_FIELD).arg(serde_json::to_string(&doc)?).ignore();
                documents += 1;
            }
            Outcome::NoArticle(e) => tracing::debug!(input = %e.input, "skipped: {}", e.reason),
            Outcome::Failed(e) => {
                progress.println(&format!("error: {e}"));
                add_dead_letter(&mut pipe, &e.input, &e.reason);
                failed += 1;
            }
        }
    }
    pipe.cmd("XACK").arg(WORK).arg(WORKERS_GROUP).arg(id).ignore();
    // Acknowledged entries are removed: the stream holds only work still to do.
    pipe.cmd("XDEL").arg(WORK).arg(id).ignore();
    queue.run_atomically(&pipe, "cannot hand on finished work")?;
    Ok((documents, failed))
}
