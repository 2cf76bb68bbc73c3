//! The embedded tantivy index: its schema, how documents are written to it, and how it is opened.
//! Writing goes through [`crate::sinks::IndexSink`]; reading through [`search`] (articles) and
//! [`designations`] (who was reported designated, and since when).
//!
//! Each article is one index document; each designation it reports is another, carrying the
//! article's key so that re-ingesting the article replaces both.

pub mod designations;
pub mod near_duplicates;
pub mod search;

use std::path::Path;

use anyhow::Context;
use tantivy::schema::{DateOptions, DateTimePrecision, FAST, Field, INDEXED, STORED, STRING, Schema, TEXT};
use tantivy::{Index, TantivyDocument, Term};

use chrono::{DateTime, Utc};

use crate::document::Document;

/// Field handles of the schema.
#[derive(Clone, Copy)]
pub struct Fields {
    /// `article` or `designation`.
    pub kind: Field,
    /// Identity for replace-on-reingest: canonical URL or content hash (of the article, on both kinds).
    pub key: Field,
    pub id: Field,
    pub title: Field,
    pub body: Field,
    /// Entity and designation target names (surface and canonical), for full-text search.
    pub entity_names: Field,
    /// `LABEL:canonical` terms, for exact filters.
    pub entity: Field,
    pub published: Field,
    /// Designations: target name and aliases, for full-text search.
    pub target: Field,
    pub authority: Field,
    pub program: Field,
    /// Designations: the day of the action.
    pub action_date: Field,
    /// Designations: when the reporting article was published (or ingested, if undated).
    pub reported: Field,
    /// Articles: the body's simhash, and its four bands for candidate lookup.
    pub simhash: Field,
    pub simhash_band: Field,
    /// The whole [`Document`] (or [`designations::DesignationRecord`]) as JSON, returned by queries.
    pub document: Field,
}

pub const KIND_ARTICLE: &str = "article";
pub const KIND_DESIGNATION: &str = "designation";

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
        entity: b.add_text_field("entity", STRING),
        published: b.add_date_field("published", date()),
        target: b.add_text_field("target", TEXT),
        authority: b.add_text_field("authority", TEXT),
        program: b.add_text_field("program", TEXT),
        action_date: b.add_date_field("action_date", date()),
        reported: b.add_date_field("reported", date().set_stored()),
        simhash: b.add_u64_field("simhash", STORED),
        simhash_band: b.add_text_field("simhash_band", STRING),
        document: b.add_text_field("document", STORED),
    };
    (b.build(), fields)
}

pub struct NewsIndex {
    pub index: Index,
    pub fields: Fields,
}

impl NewsIndex {
    /// Opens the index at `dir`, creating it (and the directory) when absent.
    pub fn open_or_create(dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create index directory {}", dir.display()))?;
        let (schema, fields) = schema();
        let directory = tantivy::directory::MmapDirectory::open(dir)
            .with_context(|| format!("cannot open index directory {}", dir.display()))?;
        let index = Index::open_or_create(directory, schema).with_context(|| {
            format!("{} is not a newshound index (or was written by another version)", dir.display())
        })?;
        Ok(NewsIndex { index, fields })
    }

    /// Opens an existing index for reading.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        if !dir.join("meta.json").exists() {
            anyhow::bail!("no index at {} (run `newshound ingest` first)", dir.display());
        }
        Self::open_or_create(dir)
    }

    /// Number of articles visible to readers (committed, not deleted).
    pub fn document_count(&self) -> anyhow::Result<u64> {
        let searcher = self.index.reader()?.searcher();
        Ok(searcher.search(&self.kind_query(KIND_ARTICLE), &tantivy::collector::Count)? as u64)
    }

    fn kind_query(&self, kind: &str) -> tantivy::query::TermQuery {
        tantivy::query::TermQuery::new(
            Term::from_field_text(self.fields.kind, kind),
            tantivy::schema::IndexRecordOption::Basic,
        )
    }

    pub fn key_term(&self, key: &str) -> Term {
        Term::from_field_text(self.fields.key, key)
    }

    /// The index documents of one article: the article itself, then one per designation it reports.
    pub fn to_tantivy(&self, doc: &Document, ingested_at: DateTime<Utc>) -> anyhow::Result<Vec<TantivyDocument>> {
        let f = &self.fields;
        let mut t = TantivyDocument::default();
        t.add_text(f.kind, KIND_ARTICLE);
        t.add_text(f.key, &doc.key);
        t.add_text(f.id, &doc.id);
        if let Some(title) = &doc.title {
            t.add_text(f.title, title);
        }
        t.add_text(f.body, &doc.body);
        for e in doc.entities.iter().flatten() {
            t.add_text(f.entity_names, &e.text);
            if e.canonical != e.text {
                t.add_text(f.entity_names, &e.canonical);
            }
            t.add_text(f.entity, format!("{}:{}", e.label.as_str(), e.canonical));
        }
        for d in doc.designations.iter().flatten() {
            t.add_text(f.entity_names, &d.target.name);
        }
        if let Some(published) = doc.published {
            t.add_date(f.published, tantivy_date(published.timestamp()));
        }
        if let Some(hash) = near_duplicates::simhash(&doc.body) {
            t.add_u64(f.simhash, hash);
            for band in near_duplicates::bands(hash) {
                t.add_text(f.simhash_band, band);
            }
        }
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
}

fn tantivy_date(unix_seconds: i64) -> tantivy::DateTime {
    tantivy::DateTime::from_timestamp_secs(unix_seconds)
}
