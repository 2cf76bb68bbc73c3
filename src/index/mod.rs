//! The embedded tantivy index: its schema, how documents are written to it, and how it is opened.
//! Writing goes through [`crate::sinks::IndexSink`]; reading through [`search`] (articles) and
//! [`designations`] (who was reported designated, and since when).
//!
//! Each article is one index document; each designation it reports is another, carrying the
//! article's key so that re-ingesting the article replaces both.

pub mod designations;
pub mod entities;
pub mod near_duplicates;
pub mod search;

use std::path::Path;

use anyhow::Context;
use tantivy::schema::{DateOptions, DateTimePrecision, FAST, Field, INDEXED, STORED, STRING, Schema, TEXT};
use tantivy::{Index, IndexReader, Searcher, TantivyDocument, Term};

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

pub struct NewsIndex {
    pub index: Index,
    pub fields: Fields,
    /// Opened on first read; reloads on its own after each commit (also another process's).
    reader: std::sync::OnceLock<IndexReader>,
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
        Ok(NewsIndex { index, fields, reader: std::sync::OnceLock::new() })
    }

    /// Opens an existing index for reading.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        if !dir.join("meta.json").exists() {
            anyhow::bail!("no index at {} (run `newshound ingest` first)", dir.display());
        }
        Self::open_or_create(dir)
    }

    /// A searcher over the latest commit this process has seen.
    pub fn searcher(&self) -> anyhow::Result<Searcher> {
        if let Some(reader) = self.reader.get() {
            return Ok(reader.searcher());
        }
        let reader = self.index.reader().context("cannot open the index for reading")?;
        Ok(self.reader.get_or_init(|| reader).searcher())
    }

    /// Makes the next searcher see the latest commit now, rather than after the reader's own delay.
    pub fn reload(&self) -> anyhow::Result<()> {
        match self.reader.get() {
            Some(reader) => Ok(reader.reload()?),
            None => self.searcher().map(drop),
        }
    }

    /// Number of articles visible to readers (committed, not deleted).
    pub fn document_count(&self) -> anyhow::Result<u64> {
        let searcher = self.searcher()?;
        Ok(searcher.search(&self.kind_query(KIND_ARTICLE), &tantivy::collector::Count)? as u64)
    }

    pub(crate) fn kind_query(&self, kind: &str) -> tantivy::query::TermQuery {
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
            add_once(&mut t, f.entity, e.identity());
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
        if let Some(hash) = near_duplicates::simhash(&doc.body) {
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
}

/// Dates beyond the nanosecond range tantivy stores (1677 to 2262) are stored at its ends.
fn tantivy_date(unix_seconds: i64) -> tantivy::DateTime {
    tantivy::DateTime::from_timestamp_nanos(unix_seconds.saturating_mul(1_000_000_000))
}
