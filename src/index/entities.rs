//! Entities across articles: each canonical entity with how many articles mention it and when, and
//! one entity's mentions and designations.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tantivy::aggregation::AggregationCollector;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::agg_result::{AggregationResult, BucketResult, MetricResult};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Order, Searcher, Term};

use super::designations::{DesignationFilter, DesignationRecord, target_key};
use super::error::{IndexError, Result};
use super::{KIND_ARTICLE, NewsIndex, stored};
use crate::document::{Document, EntityKey, EntityLabel};

/// Distinct entities counted per request before filtering by name; enough for any one search.
const ENTITY_BUCKETS: u32 = 10_000;
/// Articles listed on one entity's page.
const MENTION_ARTICLES: usize = 200;

#[derive(Debug, Serialize)]
pub struct EntitySummary {
    /// The entity's key, its identity in the index (`LOC:US`, `PER:kim sang man`).
    pub id: EntityKey,
    pub label: EntityLabel,
    /// The name it goes by (that of its most recent mention).
    pub name: String,
    pub articles: u64,
    /// Publication times of the first and last article that mentions it (dated articles only).
    pub first_mention: Option<DateTime<Utc>>,
    pub last_mention: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
pub struct EntityMentions {
    pub article_id: String,
    pub url: String,
    pub title: Option<String>,
    pub published: Option<crate::dates::Published>,
    /// The mentions' surface forms with character offsets into that article's body.
    pub mentions: Vec<crate::document::Entity>,
}

#[derive(Debug, Serialize)]
pub struct EntityDetail {
    #[serde(flatten)]
    pub summary: EntitySummary,
    pub mentioned_in: Vec<EntityMentions>,
    /// Designations whose target is this entity, oldest report first.
    pub designations: Vec<DesignationRecord>,
}

/// Whether the entity under `key` may be called `needle` (a lower-case fragment of a name).
fn key_matches(key: &EntityKey, needle: &str) -> bool {
    let (label, part) = (key.label(), key.key());
    let fingerprint = crate::identity::fingerprint(needle, label);
    part.contains(&fingerprint)
        || (label == EntityLabel::Loc
            && crate::identity::country_with_code(part).is_some_and(|c| c.name.to_lowercase().contains(needle)))
}

type Bucket = (EntityKey, u64, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

impl NewsIndex {
    /// Entities whose name contains `name` (any case), of type `label`, most-mentioned first. Dates,
    /// sums and percentages only when `label` asks for one of them.
    pub fn entities(&self, name: Option<&str>, label: Option<EntityLabel>, limit: usize) -> Result<Vec<EntitySummary>> {
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(self.kind_query(KIND_ARTICLE)))];
        if let Some(words) = name.filter(|n| !n.trim().is_empty()) {
            let mut parser = QueryParser::for_index(&self.index, vec![f.entity_names]);
            parser.set_conjunction_by_default();
            clauses.push((Occur::Must, parser.parse_query_lenient(words).0));
        }
        if let Some(label) = label {
            let term = Term::from_field_text(f.entity_type, label.as_str());
            clauses.push((Occur::Must, Box::new(TermQuery::new(term, IndexRecordOption::Basic))));
        }
        let needle = name.map(|n| n.trim().to_lowercase()).unwrap_or_default();
        let values = label.is_some_and(EntityLabel::is_value);
        let searcher = self.searcher()?;
        let buckets: Vec<Bucket> = self
            .entity_buckets(&searcher, BooleanQuery::new(clauses), values)?
            .into_iter()
            .filter(|(key, ..)| {
                label.is_none_or(|want| want == key.label()) && (needle.is_empty() || key_matches(key, &needle))
            })
            .take(limit)
            .collect();
        let keys: Vec<EntityKey> = buckets.iter().map(|(key, ..)| key.clone()).collect();
        let mut names = self.entity_display_names(&searcher, &keys)?;
        Ok(buckets
            .into_iter()
            .map(|(id, articles, first_mention, last_mention)| EntitySummary {
                label: id.label(),
                name: names.remove(&id).unwrap_or_else(|| id.key().to_string()),
                articles,
                first_mention,
                last_mention,
                id,
            })
            .collect())
    }

    /// Entity keys among the articles `query` matches, with article counts and first and last
    /// publication times, most-mentioned first.
    fn entity_buckets(&self, searcher: &Searcher, query: BooleanQuery, values: bool) -> Result<Vec<Bucket>> {
        let mut terms = serde_json::json!({"field": "entity", "size": ENTITY_BUCKETS, "order": {"_count": "desc"}});
        if !values {
            terms["exclude"] = EntityKey::values_pattern().into();
        }
        let request: Aggregations = serde_json::from_value(serde_json::json!({
            "entities": {
                "terms": terms,
                "aggs": {"first": {"min": {"field": "published"}}, "last": {"max": {"field": "published"}}}
            }
        }))
        .expect("static aggregation request");
        let collector = AggregationCollector::from_aggs(request, Default::default());
        let results = searcher.search(&query, &collector)?;
        let Some(AggregationResult::BucketResult(BucketResult::Terms { buckets, .. })) = results.0.get("entities")
        else {
            return Ok(Vec::new());
        };
        let metric = |sub: &tantivy::aggregation::agg_result::AggregationResults, key: &str| match sub.0.get(key) {
            Some(AggregationResult::MetricResult(MetricResult::Min(m) | MetricResult::Max(m))) => {
                m.value.map(|nanos| DateTime::from_timestamp_nanos(nanos as i64))
            }
            _ => None,
        };
        // Keys that do not parse were not written by this version; they are no entity of its.
        Ok(buckets
            .iter()
            .filter_map(|b| {
                let key = EntityKey::parse(&b.key.to_string())?;
                let first = metric(&b.sub_aggregation, "first");
                Some((key, b.doc_count, first, metric(&b.sub_aggregation, "last")))
            })
            .collect())
    }

    /// The name each entity key goes by: the name of its mention in the most recently ingested
    /// article that has one (of those ingested in the same second, the first in the index).
    pub(super) fn entity_display_names(
        &self,
        searcher: &Searcher,
        keys: &[EntityKey],
    ) -> Result<HashMap<EntityKey, String>> {
        let generation = self.cache.generation(searcher)?;
        let mut names = HashMap::new();
        for key in keys {
            let name = generation.name(key, |address| {
                let doc: Document = stored(searcher, address, self.fields.document, "article")?;
                Ok::<_, IndexError>(
                    doc.entities.into_iter().flatten().find(|e| e.identity() == *key).map(|e| e.canonical),
                )
            })?;
            if let Some(name) = name {
                names.insert(key.clone(), name);
            }
        }
        Ok(names)
    }

    pub(super) fn articles_with_entity(&self, key: &EntityKey) -> BooleanQuery {
        let term = Term::from_field_text(self.fields.entity, &key.to_string());
        BooleanQuery::new(vec![
            (Occur::Must, Box::new(self.kind_query(KIND_ARTICLE)) as Box<dyn Query>),
            (Occur::Must, Box::new(TermQuery::new(term, IndexRecordOption::Basic))),
        ])
    }

    /// One entity, by key: the articles that mention it, newest first, and its designations.
    pub fn entity(&self, id: &EntityKey) -> Result<Option<EntityDetail>> {
        let searcher = self.searcher()?;
        let query = self.articles_with_entity(id);
        let Some((_, articles, first_mention, last_mention)) =
            self.entity_buckets(&searcher, query.clone(), true)?.into_iter().find(|(key, ..)| key == id)
        else {
            return Ok(None);
        };
        let f = &self.fields;
        let top = searcher.search(
            &query,
            &TopDocs::with_limit(MENTION_ARTICLES).order_by_fast_field::<tantivy::DateTime>("published", Order::Desc),
        )?;
        let mut mentioned_in = Vec::new();
        for (_, address) in top {
            let doc: Document = stored(&searcher, address, f.document, "article")?;
            let mentions = doc.entities.unwrap_or_default().into_iter().filter(|e| e.identity() == *id).collect();
            mentioned_in.push(EntityMentions {
                article_id: doc.id,
                url: doc.url,
                title: doc.title,
                published: doc.published,
                mentions,
            });
        }
        let name = self.entity_display_names(&searcher, std::slice::from_ref(id))?.remove(id).unwrap_or_default();
        let key = target_key(&name);
        let designations = self
            .designations(
                &DesignationFilter { target: Some(name.clone()), ..DesignationFilter::default() },
                usize::MAX,
            )?
            .into_iter()
            .filter(|t| target_key(&t.target) == key)
            .flat_map(|t| t.reports)
            .collect();
        let summary = EntitySummary { id: id.clone(), label: id.label(), name, articles, first_mention, last_mention };
        Ok(Some(EntityDetail { summary, mentioned_in, designations }))
    }
}
