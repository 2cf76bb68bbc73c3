//! The indexer: the one writer of the index, fed by the workers' results.

use redis::streams::{StreamId, StreamReadReply};

use super::error::Result;
use super::{DOCUMENT_FIELD, DONE, INDEXER_GROUP, Queue, RESULTS, add_dead_letter};
use crate::document::Document;
use crate::progress::Progress;
use crate::sinks::{Sink, Written};

pub struct IndexerOptions {
    /// Results written per commit at most.
    pub batch: usize,
    /// Stop once no work is waiting or being done anywhere and every result is committed.
    pub drain: bool,
}

#[derive(Debug, Default)]
pub struct IndexerReport {
    pub documents: u64,
    pub near_duplicates: u64,
}

/// Consumer name of the indexer: there is one, and a restarted one must find the entries the
/// previous one had read but not committed.
const INDEXER: &str = "indexer";

/// How long one read waits for new results.
const BLOCK_MS: u64 = 1000;

pub fn run_indexer(
    queue: &mut Queue,
    sink: &mut dyn Sink,
    options: &IndexerOptions,
    progress: &mut Progress,
) -> Result<IndexerReport> {
    let mut report = IndexerReport::default();
    // First the entries read before a crash and never committed ("0": this consumer's pending ones),
    // then new ones.
    let mut resuming = true;
    loop {
        // Draining, the indexer stops as soon as everything is committed rather than after waiting.
        if !resuming && options.drain && queue.is_drained()? {
            return Ok(report);
        }
        let entries = read(queue, options.batch, resuming)?;
        if entries.is_empty() {
            resuming = false;
            continue;
        }
        if resuming {
            tracing::info!(entries = entries.len(), "resuming results read before a restart");
        }
        let mut pipe = redis::pipe();
        pipe.atomic();
        let mut stored = 0u64;
        for entry in &entries {
            let name = match entry.get::<String>(DOCUMENT_FIELD).map(|json| serde_json::from_str::<Document>(&json)) {
                Some(Ok(doc)) => match sink.write(&doc)? {
                    Written::Stored => {
                        stored += 1;
                        doc.url.clone()
                    }
                    Written::NearDuplicateOf(original) => {
                        tracing::debug!(url = %doc.url, %original, "near-duplicate not stored");
                        report.near_duplicates += 1;
                        doc.url.clone()
                    }
                },
                // A result that is not a document can never be indexed: it goes to the dead letters
                // rather than blocking the stream.
                other => {
                    let reason = match other {
                        Some(Err(e)) => format!("result is not a document: {e}"),
                        _ => format!("result has no `{DOCUMENT_FIELD}` field"),
                    };
                    progress.println(&format!("error: result {}: {reason}", entry.id));
                    add_dead_letter(&mut pipe, &format!("result {}", entry.id), &reason);
                    entry.id.clone()
                }
            };
            progress.advance(&name);
        }
        // Committed before acknowledged: a crash in between makes the entries come back, and
        // writing them again replaces them by key.
        sink.finish()?;
        let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        pipe.cmd("XACK").arg(RESULTS).arg(INDEXER_GROUP).arg(&ids).ignore();
        pipe.cmd("XDEL").arg(RESULTS).arg(&ids).ignore();
        pipe.cmd("INCRBY").arg(DONE).arg(stored).ignore();
        queue.run_atomically(&pipe, "cannot acknowledge committed results")?;
        report.documents += stored;
    }
}

fn read(queue: &mut Queue, batch: usize, pending: bool) -> Result<Vec<StreamId>> {
    let mut command = redis::cmd("XREADGROUP");
    command.arg("GROUP").arg(INDEXER_GROUP).arg(INDEXER).arg("COUNT").arg(batch);
    if !pending {
        command.arg("BLOCK").arg(BLOCK_MS);
    }
    command.arg("STREAMS").arg(RESULTS).arg(if pending { "0" } else { ">" });
    let reply: Option<StreamReadReply> = queue.query(&command, "cannot read results")?;
    Ok(reply.into_iter().flat_map(|r| r.keys).flat_map(|k| k.ids).collect())
}
