//! Writes documents into the tantivy index in committed batches. A document whose key is already
//! stored replaces the old copy; a crash loses only the uncommitted batch, never committed ones.

use tantivy::IndexWriter;

use super::Sink;
use crate::config::IndexConfig;
use crate::document::Document;
use crate::index::NewsIndex;

pub struct IndexSink {
    index: NewsIndex,
    writer: IndexWriter,
    commit_every: usize,
    pending: usize,
}

impl IndexSink {
    pub fn open(config: &IndexConfig) -> anyhow::Result<Self> {
        let index = NewsIndex::open_or_create(&config.path)?;
        let writer = index.index.writer(config.writer_memory_mb.max(15) * 1024 * 1024).map_err(|e| {
            anyhow::anyhow!("cannot write to the index at {}: {e} (is another ingest running?)", config.path.display())
        })?;
        Ok(IndexSink { index, writer, commit_every: config.commit_every.max(1), pending: 0 })
    }
}

impl Sink for IndexSink {
    fn write(&mut self, doc: &Document) -> anyhow::Result<()> {
        // The delete applies to copies added before it, so a key seen twice in one batch keeps the last;
        // it removes the article's designation records too, which carry the same key.
        self.writer.delete_term(self.index.key_term(&doc.key));
        for d in self.index.to_tantivy(doc, chrono::Utc::now())? {
            self.writer.add_document(d)?;
        }
        self.pending += 1;
        if self.pending >= self.commit_every {
            self.finish()?;
        }
        Ok(())
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        if self.pending > 0 {
            self.writer.commit()?;
            tracing::debug!(documents = self.pending, "committed batch");
            self.pending = 0;
        }
        Ok(())
    }
}
