//! Full-text search over title, body and entity names.

use anyhow::Context;
use serde::Serialize;
use tantivy::TantivyDocument;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, QueryParser};
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;

use super::{KIND_ARTICLE, NewsIndex};
use crate::document::{Designation, Document, Entity};

/// Longest query accepted; longer input is a mistake, not a search.
pub const MAX_QUERY_CHARS: usize = 1000;

#[derive(Debug, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
}

#[derive(Debug, Serialize)]
pub struct Hit {
    pub id: String,
    pub url: String,
    pub title: Option<String>,
    pub published: Option<crate::dates::Published>,
    pub score: f32,
    /// Body excerpt with the matched terms in `<b>…</b>`.
    pub snippet: String,
    pub entities: Vec<Entity>,
    pub designations: Vec<Designation>,
}

impl NewsIndex {
    /// Runs `query` (tantivy query syntax; all words must match unless `OR` is used).
    pub fn search(&self, query: &str, limit: usize) -> anyhow::Result<SearchResults> {
        if query.chars().count() > MAX_QUERY_CHARS {
            anyhow::bail!("query is longer than {MAX_QUERY_CHARS} characters");
        }
        let f = &self.fields;
        let reader = self.index.reader().context("cannot open the index for reading")?;
        let searcher = reader.searcher();
        let mut parser = QueryParser::for_index(&self.index, vec![f.title, f.body, f.entity_names]);
        parser.set_conjunction_by_default();
        parser.set_field_boost(f.title, 2.0);
        parser.set_field_boost(f.entity_names, 1.5);
        // Lenient parsing: a stray quote or colon in user input still searches its words.
        let (parsed, _errors) = parser.parse_query_lenient(query);
        let articles = BooleanQuery::new(vec![
            (Occur::Must, parsed.box_clone()),
            (Occur::Must, Box::new(self.kind_query(KIND_ARTICLE))),
        ]);
        let (total, top) = searcher.search(&articles, &(Count, TopDocs::with_limit(limit.max(1)).order_by_score()))?;
        let mut snippets = SnippetGenerator::create(&searcher, &*parsed, f.body)?;
        snippets.set_max_num_chars(240);
        let mut hits = Vec::new();
        for (score, address) in top.into_iter().take(limit) {
            let stored: TantivyDocument = searcher.doc(address)?;
            let json = stored.get_first(f.document).and_then(|v| v.as_str()).context("stored document missing")?;
            let doc: Document = serde_json::from_str(json).context("stored document is not valid JSON")?;
            let snippet = snippets.snippet(&doc.body).to_html();
            hits.push(Hit {
                id: doc.id,
                url: doc.url,
                title: doc.title,
                published: doc.published,
                score,
                snippet,
                entities: doc.entities.unwrap_or_default(),
                designations: doc.designations.unwrap_or_default(),
            });
        }
        Ok(SearchResults { total, hits })
    }
}
