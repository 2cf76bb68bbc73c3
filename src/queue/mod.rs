//! Ingest shared by many processes, on one machine or many, through Redis Streams.
//!
//! `enqueue` appends work to the `newshound:work` stream; any number of workers read it through the
//! consumer group `workers`, run the pipeline, and append each finished document to
//! `newshound:results`; one indexer reads that through the group `indexer` and writes the index.
//! An entry is acknowledged only once what it produced is safe further on: a worker appends its
//! documents and acknowledges its input in one transaction, and the indexer acknowledges only after
//! the index has committed. A process killed at any moment therefore loses nothing: a dead worker's
//! entries are claimed by the others once idle long enough (`XAUTOCLAIM`), and a restarted indexer
//! first takes back the entries it had read but not committed. Indexing replaces a document by its
//! key, so a result delivered twice is stored once. Work that cannot be done (an unreadable file, a
//! page without an article is not an error) or that was handed out too often without finishing goes
//! to `newshound:dead` with the reason.

mod crawl;
mod error;
mod indexer;
mod worker;

use std::collections::HashMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use crawl::{CrawlStatus, enqueue_crawl};
pub use error::QueueError;
use error::Result;
pub use indexer::{IndexerOptions, IndexerReport, run_indexer};
pub use worker::{WorkerOptions, WorkerReport, run_worker};

use crate::sources::{Input, SourceError, warc_pages};

/// Work to do: the stream, its consumer group, and the field each entry keeps it in.
const WORK: &str = "newshound:work";
const WORKERS_GROUP: &str = "workers";
const WORK_FIELD: &str = "work";
/// Finished documents, read by the indexer.
const RESULTS: &str = "newshound:results";
const INDEXER_GROUP: &str = "indexer";
const DOCUMENT_FIELD: &str = "document";
/// Work that failed, with the reason: the dead-letter stream.
const DEAD: &str = "newshound:dead";
const REASON_FIELD: &str = "reason";
/// Dead letters kept, about: older ones are trimmed.
const DEAD_LETTERS_KEPT: u64 = 100_000;
/// Per-worker counters (a hash: worker name → JSON), for `queue status`.
const WORKER_STATS: &str = "newshound:worker-stats";
/// Documents committed to the index.
const DONE: &str = "newshound:done";

/// One entry of the work stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Work {
    /// A page file, read by whichever worker takes it: every worker must see the same path.
    File {
        path: PathBuf,
    },
    Url {
        url: String,
    },
    /// Pages `skip..skip + take` of a WARC archive (its HTML responses, in order).
    WarcPages {
        path: PathBuf,
        skip: usize,
        take: usize,
    },
}

impl std::fmt::Display for Work {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Work::File { path } => write!(f, "{}", path.display()),
            Work::Url { url } => f.write_str(url),
            Work::WarcPages { path, skip, take } => {
                write!(f, "{} (pages {}..{})", path.display(), skip + 1, skip + take)
            }
        }
    }
}

/// The work for resolved inputs: a file or URL is one entry, a WARC archive one entry per
/// `warc_batch` pages (so that its pages spread over the workers). Archives are read once here to
/// count their pages.
pub fn work_for(inputs: Vec<Input>, warc_batch: usize, max_bytes: u64) -> (Vec<Work>, Vec<SourceError>) {
    let mut work = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        match input {
            Input::File(path) => work.push(Work::File { path }),
            Input::Url(url) => work.push(Work::Url { url }),
            Input::Warc(path) => match warc_pages(&path, max_bytes) {
                Ok(pages) => {
                    let count = pages.count();
                    let batch = warc_batch.max(1);
                    for skip in (0..count).step_by(batch) {
                        work.push(Work::WarcPages { path: path.clone(), skip, take: batch.min(count - skip) });
                    }
                }
                Err(e) => errors.push(e),
            },
        }
    }
    (work, errors)
}

/// A connection to the Redis that holds the streams.
pub struct Queue {
    connection: redis::Connection,
    url: String,
}

/// How far the shared ingest has come.
#[derive(Debug, Clone, Serialize)]
pub struct QueueStatus {
    /// Work entries no worker has taken yet.
    pub backlog: u64,
    /// Work entries taken and not yet finished.
    pub in_flight: u64,
    /// Documents finished by workers and not yet committed to the index.
    pub results_pending: u64,
    /// Documents committed to the index.
    pub done: u64,
    /// Entries in the dead-letter stream.
    pub failed: u64,
    pub workers: Vec<WorkerStats>,
    /// The shared crawl's frontier and what it has fetched.
    pub crawl: CrawlStatus,
    /// The latest dead letters, newest first.
    pub recent_failures: Vec<Failure>,
}

/// What one worker has done, as it last reported.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WorkerStats {
    pub name: String,
    /// Work entries finished.
    pub entries: u64,
    pub documents: u64,
    pub failed: u64,
    /// Unix seconds of its start and of its latest report.
    pub started: i64,
    pub seen: i64,
    /// Documents per second between the two.
    pub documents_per_second: f64,
}

/// A dead letter.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub work: String,
    pub reason: String,
}

/// Dead letters listed by `queue status`.
const RECENT_FAILURES: usize = 10;

impl Queue {
    /// Connects and makes sure the streams and consumer groups exist.
    pub fn connect(url: &str) -> Result<Queue> {
        let client =
            redis::Client::open(url).map_err(|source| QueueError::NotARedisUrl { url: url.to_string(), source })?;
        let connection = client
            .get_connection_with_timeout(std::time::Duration::from_secs(10))
            .map_err(|source| QueueError::Unreachable { url: url.to_string(), source })?;
        let mut queue = Queue { connection, url: url.to_string() };
        for (stream, group) in [(WORK, WORKERS_GROUP), (RESULTS, INDEXER_GROUP)] {
            // From the stream's start: entries added before the group existed are work too.
            let created: redis::RedisResult<()> = redis::cmd("XGROUP")
                .arg("CREATE")
                .arg(stream)
                .arg(group)
                .arg("0")
                .arg("MKSTREAM")
                .query(&mut queue.connection);
            match created {
                Ok(()) => {}
                Err(e) if e.code() == Some("BUSYGROUP") => {}
                Err(e) => return Err(queue.error(e, "cannot create the consumer groups")),
            }
        }
        Ok(queue)
    }

    fn error(&self, source: redis::RedisError, what: &str) -> QueueError {
        QueueError::Redis { url: self.url.clone(), what: what.to_string(), source }
    }

    /// Redis holds something the queue cannot read.
    fn unexpected(&self, what: String) -> QueueError {
        QueueError::Unexpected { url: self.url.clone(), what }
    }

    fn query<T: redis::FromRedisValue>(&mut self, command: &redis::Cmd, what: &str) -> Result<T> {
        command.query(&mut self.connection).map_err(|e| self.error(e, what))
    }

    fn run_atomically(&mut self, pipe: &redis::Pipeline, what: &str) -> Result<()> {
        pipe.query::<()>(&mut self.connection).map_err(|e| self.error(e, what))
    }

    /// Appends work entries, in order.
    pub fn enqueue(&mut self, work: &[Work]) -> Result<()> {
        for chunk in work.chunks(1000) {
            let mut pipe = redis::pipe();
            for w in chunk {
                pipe.cmd("XADD").arg(WORK).arg("*").arg(WORK_FIELD).arg(serde_json::to_string(w)?).ignore();
            }
            self.run_atomically(&pipe, "cannot add work")?;
        }
        Ok(())
    }

    /// `(pending, undelivered)` of a consumer group.
    fn group_state(&mut self, stream: &str, group: &str) -> Result<(u64, u64)> {
        let groups: Vec<HashMap<String, redis::Value>> =
            self.query(redis::cmd("XINFO").arg("GROUPS").arg(stream), "cannot read the consumer groups")?;
        let info = groups
            .into_iter()
            .find(|g| {
                g.get("name").and_then(|v| redis::from_redis_value::<String>(v.clone()).ok()).as_deref() == Some(group)
            })
            .ok_or_else(|| self.unexpected(format!("{stream} has no consumer group {group}")))?;
        let number = |key: &str| info.get(key).and_then(|v| redis::from_redis_value::<u64>(v.clone()).ok());
        let pending = number("pending").unwrap_or(0);
        // `lag` is unknown when entries were deleted after the group's position; then every entry
        // still in the stream is either pending or undelivered, as acknowledged ones are deleted.
        let undelivered = match number("lag") {
            Some(lag) => lag,
            None => {
                let length: u64 = self.query(redis::cmd("XLEN").arg(stream), "cannot read a stream's length")?;
                length.saturating_sub(pending)
            }
        };
        Ok((pending, undelivered))
    }

    /// True when no work is waiting or being done anywhere, and every result is committed.
    pub fn is_drained(&mut self) -> Result<bool> {
        Ok(self.work_is_drained()? && self.group_state(RESULTS, INDEXER_GROUP)? == (0, 0))
    }

    /// True when no work entry or crawl target is waiting or being done.
    fn work_is_drained(&mut self) -> Result<bool> {
        Ok(self.group_state(WORK, WORKERS_GROUP)? == (0, 0) && self.crawl_hosts()? == 0)
    }

    pub fn status(&mut self) -> Result<QueueStatus> {
        let (in_flight, backlog) = self.group_state(WORK, WORKERS_GROUP)?;
        let (results_read, results_unread) = self.group_state(RESULTS, INDEXER_GROUP)?;
        let done: Option<u64> = self.query(redis::cmd("GET").arg(DONE), "cannot read the done count")?;
        let failed: u64 = self.query(redis::cmd("XLEN").arg(DEAD), "cannot read the dead-letter stream")?;
        let stats: HashMap<String, String> =
            self.query(redis::cmd("HGETALL").arg(WORKER_STATS), "cannot read the worker stats")?;
        let mut workers: Vec<WorkerStats> = stats.values().filter_map(|json| serde_json::from_str(json).ok()).collect();
        workers.sort_by(|a, b| a.name.cmp(&b.name));
        let dead: redis::streams::StreamRangeReply = self.query(
            redis::cmd("XREVRANGE").arg(DEAD).arg("+").arg("-").arg("COUNT").arg(RECENT_FAILURES),
            "cannot read the dead-letter stream",
        )?;
        let recent_failures = dead
            .ids
            .iter()
            .map(|entry| Failure {
                work: entry.get::<String>(WORK_FIELD).unwrap_or_default(),
                reason: entry.get::<String>(REASON_FIELD).unwrap_or_default(),
            })
            .collect();
        Ok(QueueStatus {
            backlog,
            in_flight,
            results_pending: results_read + results_unread,
            done: done.unwrap_or(0),
            failed,
            workers,
            crawl: self.crawl_status()?,
            recent_failures,
        })
    }
}

/// Moves entry `id` of `stream` (a consumer group `workers` reads it) to the dead letters.
fn bury(queue: &mut Queue, stream: &str, id: &str, work: &str, reason: &str) -> Result<()> {
    tracing::warn!(entry = %id, %work, "moved to the dead letters: {reason}");
    let mut pipe = redis::pipe();
    pipe.atomic();
    add_dead_letter(&mut pipe, work, reason);
    pipe.cmd("XACK").arg(stream).arg(WORKERS_GROUP).arg(id).ignore();
    pipe.cmd("XDEL").arg(stream).arg(id).ignore();
    queue.run_atomically(&pipe, "cannot move work to the dead letters")
}

/// How many times entry `id` of `stream` has been handed out to the `workers`.
fn deliveries(queue: &mut Queue, stream: &str, id: &str) -> Result<u64> {
    let pending: redis::streams::StreamPendingCountReply = queue.query(
        redis::cmd("XPENDING").arg(stream).arg(WORKERS_GROUP).arg(id).arg(id).arg(1),
        "cannot read pending work",
    )?;
    Ok(pending.ids.first().map_or(0, |p| p.times_delivered as u64))
}

/// Adds to `pipe` the append of a dead letter: what failed, and why.
fn add_dead_letter(pipe: &mut redis::Pipeline, work: &str, reason: &str) {
    pipe.cmd("XADD")
        .arg(DEAD)
        .arg("MAXLEN")
        .arg("~")
        .arg(DEAD_LETTERS_KEPT)
        .arg("*")
        .arg(WORK_FIELD)
        .arg(work)
        .arg(REASON_FIELD)
        .arg(reason)
        .ignore();
}

/// Seconds since the Unix epoch.
fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
