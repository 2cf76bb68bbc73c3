//! The embedded tantivy index: its schema and how it is opened. Writing goes through [`writer`];
//! reading through [`search`] (articles), [`entities`] (entities across articles) and
//! [`designations`] (who was reported designated, and since when). Every failure is an
//! [`IndexError`].
//!
//! Each article is one index document; each designation it reports is another, carrying the
//! article's key so that re-ingesting the article replaces both.

mod cache;
pub mod designations;
pub mod entities;
mod error;
mod facets;
pub mod near_duplicates;
mod parts;
pub mod search;
pub mod writer;

use std::path::Path;
use std::sync::{Arc, Weak};

use tantivy::schema::{DateOptions, DateTimePrecision, FAST, Field, INDEXED, STORED, STRING, Schema, TEXT};
use tantivy::{Index, IndexReader, Searcher, Term};

pub use error::IndexError;
use error::Result;

/// Field handles of the schema.
#[derive(Clone, Copy)]
struct Fields {
    /// `article` or `designation`.
    pub kind: Field,
    /// Identity for replace-on-reingest: canonical URL or content hash (of the article, on both kinds).
    pub key: Field,
    pub id: Field,
    pub title: Field,
    pub body: Field,
    /// Entity and designation target names (surface and canonical), for full-text search.
    pub entity_names: Field,
    /// Entity keys (`LOC:US`, `ORG:sobaeksu trading co ltd`), for exact filters and the entity facet.
    pub entity: Field,
    /// Articles: the labels of their entities, the host they came from, their publication month
    /// (`YYYY-MM`), and the authorities and programmes of their designations, as facets.
    pub entity_type: Field,
    pub site: Field,
    pub month: Field,
    pub designation_authority: Field,
    pub designation_program: Field,
    pub published: Field,
    /// Designations: target name and aliases, for full-text search.
    pub target: Field,
    /// Words of the authority (name and country code) and programme; on articles, of all their designations.
    pub authority: Field,
    pub program: Field,
    /// Designations: the day of the action.
    pub action_date: Field,
    /// Designations: when the reporting article was published (or ingested, if undated).
    pub reported: Field,
    /// Both kinds: when this copy was written to the index (what `watch` polls for).
    pub ingested: Field,
    /// Articles: the body's simhash, and its four bands for candidate lookup.
    pub simhash: Field,
    pub simhash_band: Field,
    /// The whole [`Document`] (or [`designations::DesignationRecord`]) as JSON, returned by queries.
    pub document: Field,
}

const KIND_ARTICLE: &str = "article";
const KIND_DESIGNATION: &str = "designation";

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let date = || DateOptions::from(INDEXED | FAST).set_precision(DateTimePrecision::Seconds);
    let fields = Fields {
        kind: b.add_text_field("kind", STRING),
        key: b.add_text_field("key", STRING),
        id: b.add_text_field("id", STRING),
        title: b.add_text_field("title", TEXT),
        body: b.add_text_field("body", TEXT),
        entity_names: b.add_text_field("entity_names", TEXT),
        entity: b.add_text_field("entity", STRING | FAST),
        entity_type: b.add_text_field("entity_type", STRING | FAST),
        site: b.add_text_field("site", STRING | FAST),
        month: b.add_text_field("month", STRING | FAST),
        designation_authority: b.add_text_field("designation_authority", STRING | FAST),
        designation_program: b.add_text_field("designation_program", STRING | FAST),
        published: b.add_date_field("published", date()),
        target: b.add_text_field("target", TEXT),
        authority: b.add_text_field("authority", TEXT),
        program: b.add_text_field("program", TEXT),
        action_date: b.add_date_field("action_date", date()),
        reported: b.add_date_field("reported", date().set_stored()),
        ingested: b.add_date_field("ingested", date()),
        simhash: b.add_u64_field("simhash", STORED),
        simhash_band: b.add_text_field("simhash_band", STRING),
        document: b.add_text_field("document", STORED),
    };
    (b.build(), fields)
}

/// The index, for reading; [`writer::IndexWriter`] writes to it.
pub struct NewsIndex {
    index: Index,
    fields: Fields,
    /// Opened on first read; reloads on its own after each commit (also another process's).
    reader: std::sync::OnceLock<IndexReader>,
    /// The reader's warmer: what searches read per commit rather than per request.
    cache: Arc<cache::SearchCache>,
}

impl NewsIndex {
    /// Opens the index at `dir`, creating it (and the directory) when absent.
    pub fn open_or_create(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|source| IndexError::CreateDirectory { path: dir.to_path_buf(), source })?;
        let (schema, fields) = schema();
        let directory = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|source| IndexError::OpenDirectory { path: dir.to_path_buf(), source })?;
        let index = Index::open_or_create(directory, schema)
            .map_err(|source| IndexError::NotAnIndex { path: dir.to_path_buf(), source })?;
        Ok(NewsIndex { index, fields, reader: std::sync::OnceLock::new(), cache: Arc::default() })
    }

    /// Opens an existing index for reading.
    pub fn open(dir: &Path) -> Result<Self> {
        if !dir.join("meta.json").exists() {
            return Err(IndexError::Missing(dir.to_path_buf()));
        }
        let mut index = Self::open_or_create(dir)?;
        // A search's segments are searched on all cores at once: each request is answered sooner
        // (the writer keeps one thread, its lookups are too small to share).
        index.index.set_default_multithread_executor()?;
        Ok(index)
    }

    /// A searcher over the latest commit this process has seen.
    pub fn searcher(&self) -> Result<Searcher> {
        if let Some(reader) = self.reader.get() {
            return Ok(reader.searcher());
        }
        let warmer = Arc::downgrade(&self.cache) as Weak<dyn tantivy::Warmer>;
        let reader = self.index.reader_builder().warmers(vec![warmer]).try_into()?;
        Ok(self.reader.get_or_init(|| reader).searcher())
    }

    /// Makes the next searcher see the latest commit now, rather than after the reader's own delay.
    pub fn reload(&self) -> Result<()> {
        match self.reader.get() {
            Some(reader) => Ok(reader.reload()?),
            None => self.searcher().map(drop),
        }
    }

    /// Number of articles visible to readers (committed, not deleted).
    pub fn document_count(&self) -> Result<u64> {
        let searcher = self.searcher()?;
        Ok(searcher.search(&self.kind_query(KIND_ARTICLE), &tantivy::collector::Count)? as u64)
    }

    fn kind_query(&self, kind: &str) -> tantivy::query::TermQuery {
        tantivy::query::TermQuery::new(
            Term::from_field_text(self.fields.kind, kind),
            tantivy::schema::IndexRecordOption::Basic,
        )
    }

    fn key_term(&self, key: &str) -> Term {
        Term::from_field_text(self.fields.key, key)
    }
}

/// The JSON stored in `field` of a stored document: an article ([`crate::document::Document`]) or a
/// designation record; [`IndexError::DamagedDocument`] when it is missing or does not read.
fn stored<T: serde::de::DeserializeOwned>(
    searcher: &Searcher,
    address: tantivy::DocAddress,
    field: Field,
    what: &'static str,
) -> Result<T> {
    use tantivy::schema::Value;
    let stored: tantivy::TantivyDocument = searcher.doc(address)?;
    let json = stored
        .get_first(field)
        .and_then(|v| v.as_str())
        .ok_or(IndexError::DamagedDocument { what, reason: "no JSON stored".into() })?;
    serde_json::from_str(json).map_err(|e| IndexError::DamagedDocument { what, reason: e.to_string() })
}

/// Dates beyond the nanosecond range tantivy stores (1677 to 2262) are stored at its ends.
fn tantivy_date(unix_seconds: i64) -> tantivy::DateTime {
    tantivy::DateTime::from_timestamp_nanos(unix_seconds.saturating_mul(1_000_000_000))
}
