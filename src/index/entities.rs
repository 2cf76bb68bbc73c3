//! Entities across articles: each canonical entity with how many articles mention it and when, and
//! one entity's mentions and designations.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tantivy::aggregation::AggregationCollector;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::agg_result::{AggregationResult, BucketResult, MetricResult};
use tantivy::collector::TopDocs;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Order, Term};

use super::designations::{DesignationFilter, DesignationRecord, target_key};
use super::search::stored_document;
use super::{KIND_ARTICLE, NewsIndex};
use crate::document::EntityLabel;

/// Distinct entities counted per request before filtering by name; enough for any one search.
const ENTITY_BUCKETS: u32 = 10_000;
/// Articles listed on one entity's page.
const MENTION_ARTICLES: usize = 200;

#[derive(Debug, Serialize)]
pub struct EntitySummary {
    /// `TYPE:canonical name`, the entity's identity in the index.
    pub id: String,
    pub label: EntityLabel,
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

fn entity_id(label: EntityLabel, name: &str) -> String {
    format!("{}:{name}", label.as_str())
}

/// `TYPE:name` → its parts.
pub fn parse_entity_id(id: &str) -> Option<(EntityLabel, &str)> {
    let (label, name) = id.split_once(':')?;
    Some((EntityLabel::parse(label)?, name))
}

impl NewsIndex {
    /// Canonical entities whose name contains `name` (any case), of type `label`, most-mentioned first.
    pub fn entities(
        &self,
        name: Option<&str>,
        label: Option<EntityLabel>,
        limit: usize,
    ) -> anyhow::Result<Vec<EntitySummary>> {
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(self.kind_query(KIND_ARTICLE)))];
        if let Some(words) = name.filter(|n| !n.trim().is_empty()) {
            let mut parser = QueryParser::for_index(&self.index, vec![f.entity_names]);
            parser.set_conjunction_by_default();
            clauses.push((Occur::Must, parser.parse_query_lenient(words).0));
        } else {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        if let Some(label) = label {
            let term = Term::from_field_text(f.entity_type, label.as_str());
            clauses.push((Occur::Must, Box::new(TermQuery::new(term, IndexRecordOption::Basic))));
        }
        let request: Aggregations = serde_json::from_value(serde_json::json!({
            "entities": {
                "terms": {"field": "entity", "size": ENTITY_BUCKETS, "order": {"_count": "desc"}},
                "aggs": {"first": {"min": {"field": "published"}}, "last": {"max": {"field": "published"}}}
            }
        }))
        .expect("static aggregation request");
        let collector = AggregationCollector::from_aggs(request, Default::default());
        let results = self.searcher()?.search(&BooleanQuery::new(clauses), &collector)?;
        let Some(AggregationResult::BucketResult(BucketResult::Terms { buckets, .. })) = results.0.get("entities")
        else {
            return Ok(Vec::new());
        };
        let needle = name.map(|n| n.trim().to_lowercase()).unwrap_or_default();
        let metric = |sub: &tantivy::aggregation::agg_result::AggregationResults, key: &str| match sub.0.get(key) {
            Some(AggregationResult::MetricResult(MetricResult::Min(m) | MetricResult::Max(m))) => {
                m.value.map(|nanos| DateTime::from_timestamp_nanos(nanos as i64))
            }
            _ => None,
        };
        Ok(buckets
            .iter()
            .filter_map(|b| {
                let id = b.key.to_string();
                let (label_of, entity_name) = parse_entity_id(&id)?;
                if label.is_some_and(|l| l != label_of) || !entity_name.to_lowercase().contains(&needle) {
                    return None;
                }
                Some(EntitySummary {
                    label: label_of,
                    name: entity_name.to_string(),
                    articles: b.doc_count,
                    first_mention: metric(&b.sub_aggregation, "first"),
                    last_mention: metric(&b.sub_aggregation, "last"),
                    id,
                })
            })
            .take(limit)
            .collect())
    }

    /// One entity (`TYPE:canonical name`): the articles that mention it, newest first, and its designations.
    pub fn entity(&self, id: &str) -> anyhow::Result<Option<EntityDetail>> {
        let Some((label, name)) = parse_entity_id(id) else { return Ok(None) };
        let Some(summary) = self.entities(Some(name), Some(label), usize::MAX)?.into_iter().find(|e| e.name == name)
        else {
            return Ok(None);
        };
        let f = &self.fields;
        let searcher = self.searcher()?;
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(self.kind_query(KIND_ARTICLE)) as Box<dyn Query>),
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.entity, &entity_id(label, name)),
                    IndexRecordOption::Basic,
                )),
            ),
        ]);
        let top = searcher.search(
            &query,
            &TopDocs::with_limit(MENTION_ARTICLES).order_by_fast_field::<tantivy::DateTime>("published", Order::Desc),
        )?;
        let mut mentioned_in = Vec::new();
        for (_, address) in top {
            let doc = stored_document(&searcher, address, f.document)?;
            let mentions = doc
                .entities
                .unwrap_or_default()
                .into_iter()
                .filter(|e| e.label == label && e.canonical == name)
                .collect();
            mentioned_in.push(EntityMentions {
                article_id: doc.id,
                url: doc.url,
                title: doc.title,
                published: doc.published,
                mentions,
            });
        }
        let key = target_key(name);
        let designations = self
            .designations(
                &DesignationFilter { target: Some(name.to_string()), ..DesignationFilter::default() },
                usize::MAX,
            )?
            .into_iter()
            .filter(|t| target_key(&t.target) == key)
            .flat_map(|t| t.reports)
            .collect();
        Ok(Some(EntityDetail { summary, mentioned_in, designations }))
    }
}
