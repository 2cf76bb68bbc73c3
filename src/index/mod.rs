//! The embedded tantivy index: its schema, how documents are written to it, and how it is opened.
//! Writing goes through [`crate::sinks::IndexSink`]; reading through [`search`].

pub mod search;

use std::path::Path;

use anyhow::Context;
use tantivy::schema::{DateOptions, DateTimePrecision, FAST, Field, INDEXED, STORED, STRING, Schema, TEXT};
use tantivy::{Index, TantivyDocument, Term};

use crate::document::Document;

/// Field handles of the schema.
#[derive(Clone, Copy)]
pub struct Fields {
    /// Identity for replace-on-reingest: canonical URL or content hash.
    pub key: Field,
    pub id: Field,
    pub title: Field,
    pub body: Field,
    /// Entity and designation target names (surface and canonical), for full-text search.
    pub entity_names: Field,
    /// `LABEL:canonical` terms, for exact filters.
    pub entity: Field,
    pub published: Field,
    /// The whole [`Document`] as JSON, returned by searches.
    pub document: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        id: b.add_text_field("id", STRING),
        title: b.add_text_field("title", TEXT),
        body: b.add_text_field("body", TEXT),
        entity_names: b.add_text_field("entity_names", TEXT),
        entity: b.add_text_field("entity", STRING),
        published: b
            .add_date_field("published", DateOptions::from(INDEXED | FAST).set_precision(DateTimePrecision::Seconds)),
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

    /// Number of documents visible to readers (committed, not deleted).
    pub fn document_count(&self) -> anyhow::Result<u64> {
        Ok(self.index.reader()?.searcher().num_docs())
    }

    pub fn key_term(&self, key: &str) -> Term {
        Term::from_field_text(self.fields.key, key)
    }

    pub fn to_tantivy(&self, doc: &Document) -> anyhow::Result<TantivyDocument> {
        let f = &self.fields;
        let mut t = TantivyDocument::default();
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
            t.add_date(f.published, tantivy::DateTime::from_timestamp_secs(published.timestamp()));
        }
        t.add_text(f.document, serde_json::to_string(doc)?);
        Ok(t)
    }
}
