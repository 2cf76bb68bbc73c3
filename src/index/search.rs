//! Article search: full text over title, body and entity names, filters on entities, designations and
//! dates, and facet counts over everything that matched.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tantivy::Term;
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;

use super::error::{IndexError, Result};
use super::facets::{self, FacetCollector};
use super::parts;
use super::{KIND_ARTICLE, NewsIndex, stored, tantivy_date};
use crate::document::{Designation, Document, Entity, EntityKey, EntityLabel};

/// Longest query accepted; longer input is a mistake, not a search.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Most hits one request returns, and the deepest page it may ask for.
pub const MAX_LIMIT: usize = 1000;
pub const MAX_OFFSET: usize = 10_000;

/// A search: every part optional, all combined with AND.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// Tantivy query syntax over title, body and entity names; empty matches every article.
    pub query: String,
    /// Articles with an entity of this type (`PER`, `ORG`, …).
    pub entity_type: Option<EntityLabel>,
    /// Articles mentioning this entity: its key (`LOC:US`, as facets give it) or a name ("U.S.",
    /// "Kim Sang Man"), which finds its key.
    pub entity: Option<String>,
    /// Count dates, sums and percentages among the top entities too (they are left out otherwise,
    /// unless `entity_type` asks for one of them).
    pub value_entities: bool,
    /// Articles reporting a designation by this authority (words of its name, or its country code).
    pub authority: Option<String>,
    /// Articles reporting a designation under this programme (words of it).
    pub program: Option<String>,
    /// Published at or after / before this instant.
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: usize,
    pub offset: usize,
}

impl SearchRequest {
    /// A plain full-text search returning the best `limit` hits.
    pub fn text(query: &str, limit: usize) -> Self {
        SearchRequest { query: query.to_string(), limit, ..SearchRequest::default() }
    }
}

#[derive(Debug, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
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

/// Counts over all matching articles (not only the returned page), largest first.
#[derive(Debug, Serialize, Default)]
pub struct Facets {
    pub entity_types: Vec<FacetCount>,
    /// Entity keys (`LOC:US`), each with the name it goes by.
    pub top_entities: Vec<FacetCount>,
    pub authorities: Vec<FacetCount>,
    pub programs: Vec<FacetCount>,
    /// Sites (host names; `file` for local files).
    pub sources: Vec<FacetCount>,
    /// Publication months, `YYYY-MM`, newest first.
    pub months: Vec<FacetCount>,
}

#[derive(Debug, Serialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
    /// For entity keys: the entity's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl NewsIndex {
    /// Runs a search; `limit` and `offset` are capped at [`MAX_LIMIT`] and [`MAX_OFFSET`].
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        if request.query.chars().count() > MAX_QUERY_CHARS {
            return Err(IndexError::InvalidRequest(format!("the query is longer than {MAX_QUERY_CHARS} characters")));
        }
        let f = &self.fields;
        let searcher = self.searcher()?;
        let (text, query) = self.queries(request);
        let (limit, offset) = (request.limit.clamp(1, MAX_LIMIT), request.offset.min(MAX_OFFSET));
        let values = request.value_entities || request.entity_type.is_some_and(EntityLabel::is_value);
        let generation = self.cache.generation(&searcher)?;
        let top_docs = TopDocs::with_limit(limit).and_offset(offset).order_by_score();
        let collectors = (Count, top_docs, FacetCollector(generation.clone()));
        let (total, top, counts) = parts::search(&searcher, &query, &collectors, parts::part_docs(&searcher))?;
        let mut snippets = SnippetGenerator::create(&searcher, &*text, f.body)?;
        snippets.set_max_num_chars(240);
        let mut hits = Vec::new();
        for (score, address) in top {
            let doc: Document = stored(&searcher, address, f.document, "article")?;
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
        let mut facets = facets::facets(&generation, &counts, values);
        let keys: Vec<EntityKey> = facets.top_entities.iter().filter_map(|b| EntityKey::parse(&b.value)).collect();
        let mut names = self.entity_display_names(&searcher, &keys)?;
        for bucket in &mut facets.top_entities {
            bucket.name = EntityKey::parse(&bucket.value).and_then(|key| names.remove(&key));
        }
        Ok(SearchResults { total, hits, facets })
    }

    /// Every stored article ingested at or after `since` (all without it), in order of key.
    pub fn articles_ingested_since(&self, since: Option<DateTime<Utc>>) -> Result<Vec<Document>> {
        let f = &self.fields;
        let searcher = self.searcher()?;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(self.kind_query(KIND_ARTICLE)))];
        if let Some(since) = since {
            let from = std::ops::Bound::Included(Term::from_field_date(f.ingested, tantivy_date(since.timestamp())));
            clauses.push((Occur::Must, Box::new(RangeQuery::new(from, std::ops::Bound::Unbounded))));
        }
        let mut docs = searcher
            .search(&BooleanQuery::new(clauses), &DocSetCollector)?
            .into_iter()
            .map(|address| stored(&searcher, address, f.document, "article"))
            .collect::<Result<Vec<Document>>>()?;
        // Same order whatever the segment layout: by key, which is unique among stored articles.
        docs.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(docs)
    }

    /// The stored article with this id.
    pub fn article(&self, id: &str) -> Result<Option<Document>> {
        let searcher = self.searcher()?;
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(self.kind_query(KIND_ARTICLE)) as Box<dyn Query>),
            (
                Occur::Must,
                Box::new(TermQuery::new(Term::from_field_text(self.fields.id, id), IndexRecordOption::Basic)),
            ),
        ]);
        match searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?.first() {
            Some((_, address)) => Ok(Some(stored(&searcher, *address, self.fields.document, "article")?)),
            None => Ok(None),
        }
    }

    /// The request's full-text part (which snippets highlight) and the whole query.
    pub(super) fn queries(&self, request: &SearchRequest) -> (Box<dyn Query>, BooleanQuery) {
        let f = &self.fields;
        let mut parser = QueryParser::for_index(&self.index, vec![f.title, f.body, f.entity_names]);
        parser.set_conjunction_by_default();
        parser.set_field_boost(f.title, 2.0);
        parser.set_field_boost(f.entity_names, 1.5);
        // Lenient parsing: a stray quote or colon in user input still searches its words.
        let text: Box<dyn Query> = if request.query.trim().is_empty() {
            Box::new(AllQuery)
        } else {
            parser.parse_query_lenient(&request.query).0
        };
        let query = BooleanQuery::new(self.filters(request, text.box_clone()));
        (text, query)
    }

    fn filters(&self, request: &SearchRequest, text: Box<dyn Query>) -> Vec<(Occur, Box<dyn Query>)> {
        let f = &self.fields;
        let term = |field: Field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
        };
        let mut clauses = vec![(Occur::Must, text), (Occur::Must, term(f.kind, KIND_ARTICLE))];
        if let Some(label) = request.entity_type {
            clauses.push((Occur::Must, term(f.entity_type, label.as_str())));
        }
        if let Some(entity) = &request.entity {
            // "LOC:US" is a key; a name ("U.S.", "Technical Reconnaissance Bureau") finds its keys.
            let keys = match EntityKey::parse(entity) {
                Some(key) => vec![key],
                None => crate::identity::keys_for_name(entity),
            };
            let any_key = keys.iter().map(|key| (Occur::Should, term(f.entity, &key.to_string()))).collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any_key))));
        }
        for (field, words) in [(f.authority, &request.authority), (f.program, &request.program)] {
            if let Some(words) = words {
                let mut parser = QueryParser::for_index(&self.index, vec![field]);
                parser.set_conjunction_by_default();
                clauses.push((Occur::Must, parser.parse_query_lenient(words).0));
            }
        }
        if request.since.is_some() || request.until.is_some() {
            let bound = |at: Option<DateTime<Utc>>| {
                at.map_or(std::ops::Bound::Unbounded, |at| {
                    std::ops::Bound::Included(Term::from_field_date(f.published, tantivy_date(at.timestamp())))
                })
            };
            clauses.push((Occur::Must, Box::new(RangeQuery::new(bound(request.since), bound(request.until)))));
        }
        clauses
    }
}
