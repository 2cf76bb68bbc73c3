//! Writes documents into the tantivy index in committed batches. A document whose key is already
//! stored replaces the old copy; a near-duplicate of another stored article (a syndicated copy) is
//! not stored; a crash loses only the uncommitted batch, never committed ones.

use std::collections::HashMap;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::{Sink, Written};
use crate::config::IndexConfig;
use crate::document::Document;
use crate::index::{NewsIndex, near_duplicates};

pub struct IndexSink {
    index: NewsIndex,
    writer: IndexWriter,
    /// Sees committed articles; reloaded after each commit.
    reader: IndexReader,
    commit_every: usize,
    pending: usize,
    /// Simhashes of the uncommitted batch, by band: (simhash, key, id).
    batch_bands: HashMap<String, Vec<(u64, String, String)>>,
}

/// Candidates fetched per band lookup; near-duplicates of one story are few.
const CANDIDATES: usize = 20;

impl IndexSink {
    pub fn open(config: &IndexConfig) -> anyhow::Result<Self> {
        let index = NewsIndex::open_or_create(&config.path)?;
        let writer = index.index.writer(config.writer_memory_mb.max(15) * 1024 * 1024).map_err(|e| {
            anyhow::anyhow!("cannot write to the index at {}: {e} (is another ingest running?)", config.path.display())
        })?;
        let reader = index.index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(IndexSink {
            index,
            writer,
            reader,
            commit_every: config.commit_every.max(1),
            pending: 0,
            batch_bands: HashMap::new(),
        })
    }

    /// The id of a stored (or batched) article with nearly the same body under another key.
    fn near_duplicate(&self, doc: &Document, hash: u64) -> anyhow::Result<Option<String>> {
        let bands = near_duplicates::bands(hash);
        for band in &bands {
            for (other, key, id) in self.batch_bands.get(band).into_iter().flatten() {
                if *key != doc.key && near_duplicates::is_near(hash, *other) {
                    return Ok(Some(id.clone()));
                }
            }
        }
        let f = &self.index.fields;
        let any_band: Vec<(Occur, Box<dyn Query>)> = bands
            .iter()
            .map(|b| {
                let q: Box<dyn Query> =
                    Box::new(TermQuery::new(Term::from_field_text(f.simhash_band, b), IndexRecordOption::Basic));
                (Occur::Should, q)
            })
            .collect();
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(BooleanQuery::new(any_band)) as Box<dyn Query>),
            (Occur::MustNot, Box::new(TermQuery::new(self.index.key_term(&doc.key), IndexRecordOption::Basic))),
        ]);
        let searcher = self.reader.searcher();
        for (_, address) in searcher.search(&query, &TopDocs::with_limit(CANDIDATES).order_by_score())? {
            let stored: TantivyDocument = searcher.doc(address)?;
            let Some(other) = stored.get_first(f.simhash).and_then(|v| v.as_u64()) else { continue };
            if near_duplicates::is_near(hash, other) {
                let json = stored.get_first(f.document).and_then(|v| v.as_str()).unwrap_or("{}");
                let id =
                    serde_json::from_str::<serde_json::Value>(json)?["id"].as_str().unwrap_or_default().to_string();
                return Ok(Some(id));
            }
        }
        Ok(None)
    }
}

impl Sink for IndexSink {
    fn write(&mut self, doc: &Document) -> anyhow::Result<Written> {
        let hash = near_duplicates::simhash(&doc.body);
        if let Some(hash) = hash {
            if let Some(original) = self.near_duplicate(doc, hash)? {
                return Ok(Written::NearDuplicateOf(original));
            }
            for band in near_duplicates::bands(hash) {
                self.batch_bands.entry(band).or_default().push((hash, doc.key.clone(), doc.id.clone()));
            }
        }
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
        Ok(Written::Stored)
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        if self.pending > 0 {
            self.writer.commit()?;
            self.reader.reload()?;
            self.batch_bands.clear();
            tracing::debug!(documents = self.pending, "committed batch");
            self.pending = 0;
        }
        Ok(())
    }
}
