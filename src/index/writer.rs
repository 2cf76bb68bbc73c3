//! The index's write path: documents into the tantivy index in committed batches. A document whose
//! key is already stored replaces the old copy (its designation records with it); a near-duplicate
//! of another stored article (a syndicated copy) is not stored; a crash loses only the uncommitted
//! batch, never committed ones.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{IndexReader, ReloadPolicy, TantivyDocument, Term};

use super::error::{IndexError, Result};
use super::{Fields, KIND_ARTICLE, KIND_DESIGNATION, NewsIndex, designations, near_duplicates, tantivy_date};
use crate::config::IndexConfig;
use crate::document::Document;

/// Candidates fetched per band lookup; near-duplicates of one story are few.
const CANDIDATES: usize = 20;

/// The least memory tantivy's writer accepts, in megabytes.
const MIN_WRITER_MEMORY_MB: usize = 15;

/// What became of a document given to the writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    Stored,
    /// Not stored: nearly the same body as the stored (or batched) article with this id.
    NearDuplicateOf(String),
}

/// Holds the index's write lock while open: one writer per index at a time.
pub struct IndexWriter {
    index: NewsIndex,
    writer: tantivy::IndexWriter,
    /// Sees committed articles; reloaded after each commit.
    reader: IndexReader,
    commit_every: usize,
    pending: usize,
    /// Simhashes of the uncommitted batch, by band: (simhash, key, id).
    batch_bands: HashMap<String, Vec<(u64, String, String)>>,
}

impl IndexWriter {
    /// Opens the index for writing, creating it when absent; [`IndexError::Locked`] when another
    /// process writes to it.
    pub fn open(config: &IndexConfig) -> Result<Self> {
        let index = NewsIndex::open_or_create(&config.path)?;
        let memory = config.writer_memory_mb.max(MIN_WRITER_MEMORY_MB) * 1024 * 1024;
        let writer = index.index.writer(memory).map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => IndexError::Locked(config.path.clone()),
            other => IndexError::Tantivy(other),
        })?;
        let reader = index.index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(IndexWriter {
            index,
            writer,
            reader,
            commit_every: config.commit_every.max(1),
            pending: 0,
            batch_bands: HashMap::new(),
        })
    }

    /// Adds (or replaces) one article and its designations; commits every `commit_every` articles.
    pub fn add(&mut self, doc: &Document) -> Result<Added> {
        let hash = near_duplicates::simhash(&doc.body);
        if let Some(hash) = hash {
            if let Some(original) = self.near_duplicate(doc, hash)? {
                return Ok(Added::NearDuplicateOf(original));
            }
            for band in near_duplicates::bands(hash) {
                self.batch_bands.entry(band).or_default().push((hash, doc.key.clone(), doc.id.clone()));
            }
        }
        self.store(doc, hash)
    }

    /// Adds (or replaces) an article known to be no near-duplicate of another (articles read back
    /// from an index, a generated corpus) without looking for one: that lookup is most of the cost
    /// of writing a large index.
    pub fn add_distinct(&mut self, doc: &Document) -> Result<()> {
        self.store(doc, near_duplicates::simhash(&doc.body)).map(drop)
    }

    fn store(&mut self, doc: &Document, simhash: Option<u64>) -> Result<Added> {
        // The delete applies to copies added before it, so a key seen twice in one batch keeps the last;
        // it removes the article's designation records too, which carry the same key.
        self.writer.delete_term(self.index.key_term(&doc.key));
        for d in index_documents(&self.index.fields, doc, simhash, Utc::now())? {
            self.writer.add_document(d)?;
        }
        self.pending += 1;
        if self.pending >= self.commit_every {
            self.commit()?;
        }
        Ok(Added::Stored)
    }

    /// Makes everything added so far durable and visible to readers.
    pub fn commit(&mut self) -> Result<()> {
        if self.pending > 0 {
            self.writer.commit()?;
            self.reader.reload()?;
            self.batch_bands.clear();
            tracing::debug!(documents = self.pending, "committed batch");
            self.pending = 0;
        }
        Ok(())
    }

    /// Commits, then waits for the merges the commit started, so the index is left in its final
    /// segments (a writer that is only dropped abandons them, to be redone by the next one).
    pub fn finish(mut self) -> Result<()> {
        self.commit()?;
        Ok(self.writer.wait_merging_threads()?)
    }

    /// The id of a stored (or batched) article with nearly the same body under another key.
    fn near_duplicate(&self, doc: &Document, hash: u64) -> Result<Option<String>> {
        let bands = near_duplicates::bands(hash);
        for band in &bands {
            for (other, key, id) in self.batch_bands.get(band).into_iter().flatten() {
                if near_duplicates::is_near(hash, *other) && *key != doc.key {
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
                let id = serde_json::from_str::<serde_json::Value>(json)
                    .map_err(|e| IndexError::DamagedDocument { what: "article", reason: e.to_string() })?["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                return Ok(Some(id));
            }
        }
        Ok(None)
    }
}

/// The index documents of one article: the article itself, then one per designation it reports.
/// `simhash` is the body's ([`near_duplicates::simhash`]).
fn index_documents(
    f: &Fields,
    doc: &Document,
    simhash: Option<u64>,
    ingested_at: DateTime<Utc>,
) -> Result<Vec<TantivyDocument>> {
    let mut t = TantivyDocument::default();
    t.add_text(f.kind, KIND_ARTICLE);
    t.add_text(f.key, &doc.key);
    t.add_text(f.id, &doc.id);
    if let Some(title) = &doc.title {
        t.add_text(f.title, title);
    }
    t.add_text(f.body, &doc.body);
    // Facet fields hold each value once per article, so counts are of articles.
    let mut once = std::collections::HashSet::new();
    let mut add_once = |t: &mut TantivyDocument, field: Field, value: String| {
        if once.insert((field, value.clone())) {
            t.add_text(field, value);
        }
    };
    for e in doc.entities.iter().flatten() {
        t.add_text(f.entity_names, &e.text);
        if e.canonical != e.text {
            t.add_text(f.entity_names, &e.canonical);
        }
        add_once(&mut t, f.entity, e.identity().to_string());
        add_once(&mut t, f.entity_type, e.label.as_str().to_string());
    }
    for d in doc.designations.iter().flatten() {
        t.add_text(f.entity_names, &d.target.name);
        if let Some(a) = &d.authority {
            t.add_text(f.authority, format!("{} {}", a.name, a.country.as_deref().unwrap_or_default()));
            add_once(&mut t, f.designation_authority, a.name.clone());
        }
        if let Some(program) = &d.program {
            t.add_text(f.program, program);
            add_once(&mut t, f.designation_program, program.clone());
        }
    }
    let site = url::Url::parse(&doc.url).ok().and_then(|u| u.host_str().map(str::to_string));
    t.add_text(f.site, site.unwrap_or_else(|| "file".to_string()));
    if let Some(published) = doc.published {
        t.add_date(f.published, tantivy_date(published.timestamp()));
        t.add_text(f.month, published.format("%Y-%m").to_string());
    }
    if let Some(hash) = simhash {
        t.add_u64(f.simhash, hash);
        for band in near_duplicates::bands(hash) {
            t.add_text(f.simhash_band, band);
        }
    }
    t.add_date(f.ingested, tantivy_date(ingested_at.timestamp()));
    t.add_text(f.document, serde_json::to_string(doc)?);
    let mut docs = vec![t];
    let reported = doc.published.map_or(ingested_at.timestamp(), |p| p.timestamp());
    for d in doc.designations.iter().flatten() {
        let mut t = TantivyDocument::default();
        t.add_text(f.kind, KIND_DESIGNATION);
        t.add_text(f.key, &doc.key);
        t.add_text(f.target, &d.target.name);
        for alias in &d.target.aliases {
            t.add_text(f.target, alias);
        }
        if let Some(a) = &d.authority {
            t.add_text(f.authority, format!("{} {}", a.name, a.country.as_deref().unwrap_or_default()));
        }
        if let Some(program) = &d.program {
            t.add_text(f.program, program);
        }
        if let Some(date) = d.date.and_then(|day| day.and_hms_opt(0, 0, 0)) {
            t.add_date(f.action_date, tantivy_date(date.and_utc().timestamp()));
        }
        t.add_date(f.reported, tantivy_date(reported));
        t.add_date(f.ingested, tantivy_date(ingested_at.timestamp()));
        let record = designations::DesignationRecord {
            article_id: doc.id.clone(),
            url: doc.url.clone(),
            title: doc.title.clone(),
            published: doc.published,
            designation: d.clone(),
        };
        t.add_text(f.document, serde_json::to_string(&record)?);
        docs.push(t);
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_told_the_index_is_locked() {
        let dir = tempfile::tempdir().unwrap();
        let config = IndexConfig { path: dir.path().join("index"), ..IndexConfig::default() };
        let _first = IndexWriter::open(&config).unwrap();
        match IndexWriter::open(&config) {
            Err(IndexError::Locked(path)) => assert_eq!(path, config.path),
            Err(other) => panic!("expected a locked index, got {other}"),
            Ok(_) => panic!("two writers opened one index"),
        }
    }
}
