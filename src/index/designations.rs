//! Designations in the index: who was reported designated, by whom, under which programme, and when
//! the index first saw it reported — so "new designations since T" is one query.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use super::error::{IndexError, Result};
use super::{KIND_ARTICLE, KIND_DESIGNATION, NewsIndex, stored, tantivy_date};
use crate::dates::Published;
use crate::document::Designation;

/// One designation as one article reported it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DesignationRecord {
    pub article_id: String,
    pub url: String,
    pub title: Option<String>,
    pub published: Option<Published>,
    pub designation: Designation,
}

/// Everything the index knows about one target's designation.
#[derive(Debug, Serialize)]
pub struct TargetReports {
    pub target: String,
    /// When an ingested article first reported this target's designation.
    pub first_seen: chrono::DateTime<chrono::Utc>,
    /// Its reports, oldest first.
    pub reports: Vec<DesignationRecord>,
}

/// Filters of a designations query; all optional, combined with AND.
#[derive(Debug, Default, Clone)]
pub struct DesignationFilter {
    /// Only targets first reported at or after this time.
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// Words of the target's name or aliases.
    pub target: Option<String>,
    /// Words of the authority's name, or its country code.
    pub authority: Option<String>,
    /// Words of the programme or legal basis ("E.O. 13224", "Global Magnitsky").
    pub program: Option<String>,
    /// Action day on or after this date.
    pub action_from: Option<chrono::NaiveDate>,
    pub action_until: Option<chrono::NaiveDate>,
}

/// Groups reports of one target across articles: case, punctuation and spacing do not matter.
pub fn target_key(name: &str) -> String {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

impl NewsIndex {
    /// Targets matching `filter`, most recently first seen first.
    pub fn designations(&self, filter: &DesignationFilter, limit: usize) -> Result<Vec<TargetReports>> {
        let f = &self.fields;
        let searcher = self.searcher()?;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Must,
            Box::new(TermQuery::new(Term::from_field_text(f.kind, KIND_DESIGNATION), IndexRecordOption::Basic)),
        )];
        for (field, words) in
            [(f.target, &filter.target), (f.authority, &filter.authority), (f.program, &filter.program)]
        {
            if let Some(words) = words {
                let mut parser = QueryParser::for_index(&self.index, vec![field]);
                parser.set_conjunction_by_default();
                clauses.push((Occur::Must, parser.parse_query_lenient(words).0));
            }
        }
        if filter.action_from.is_some() || filter.action_until.is_some() {
            let day =
                |d: chrono::NaiveDate| tantivy_date(d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp());
            let lower = filter.action_from.map_or(std::ops::Bound::Unbounded, |d| {
                std::ops::Bound::Included(Term::from_field_date(f.action_date, day(d)))
            });
            let upper = filter.action_until.map_or(std::ops::Bound::Unbounded, |d| {
                std::ops::Bound::Included(Term::from_field_date(f.action_date, day(d)))
            });
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        let addresses = searcher.search(&BooleanQuery::new(clauses), &DocSetCollector)?;

        let mut by_target: BTreeMap<String, Vec<(i64, DesignationRecord)>> = BTreeMap::new();
        for address in addresses {
            let reported = searcher
                .doc::<TantivyDocument>(address)?
                .get_first(f.reported)
                .and_then(|v| v.as_datetime())
                .map_or(0, |d| d.into_timestamp_secs());
            let record: DesignationRecord = stored(&searcher, address, f.document, "designation")?;
            by_target.entry(target_key(&record.designation.target.name)).or_default().push((reported, record));
        }
        let mut targets: Vec<TargetReports> = by_target
            .into_values()
            .map(|mut reports| {
                // Reports of one instant by article, so that their order does not change between requests.
                reports
                    .sort_by(|(a, first), (b, second)| a.cmp(b).then_with(|| first.article_id.cmp(&second.article_id)));
                let first = reports[0].0;
                TargetReports {
                    target: reports[0].1.designation.target.name.clone(),
                    first_seen: chrono::DateTime::from_timestamp(first, 0).unwrap_or_default(),
                    reports: reports.into_iter().map(|(_, r)| r).collect(),
                }
            })
            .filter(|t| filter.since.is_none_or(|since| t.first_seen >= since))
            .collect();
        targets.sort_by(|a, b| b.first_seen.cmp(&a.first_seen).then_with(|| a.target.cmp(&b.target)));
        targets.truncate(limit);
        Ok(targets)
    }
}

impl NewsIndex {
    /// Designation records and articles written to the index at or after `since` (polled by `watch`).
    pub fn ingested_since(
        &self,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<(Vec<DesignationRecord>, Vec<crate::document::Document>)> {
        let f = &self.fields;
        let searcher = self.searcher()?;
        let lower = std::ops::Bound::Included(Term::from_field_date(f.ingested, tantivy_date(since.timestamp())));
        let recent = RangeQuery::new(lower, std::ops::Bound::Unbounded);
        let addresses_of = |kind: &str| {
            let query = BooleanQuery::new(vec![
                (Occur::Must, Box::new(recent.clone()) as Box<dyn Query>),
                (Occur::Must, Box::new(self.kind_query(kind))),
            ]);
            let mut addresses: Vec<_> = searcher.search(&query, &DocSetCollector)?.into_iter().collect();
            addresses.sort();
            Ok::<_, IndexError>(addresses)
        };
        let records = addresses_of(KIND_DESIGNATION)?
            .into_iter()
            .map(|address| stored(&searcher, address, f.document, "designation"))
            .collect::<Result<_>>()?;
        let articles = addresses_of(KIND_ARTICLE)?
            .into_iter()
            .map(|address| stored(&searcher, address, f.document, "article"))
            .collect::<Result<_>>()?;
        Ok((records, articles))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::IndexConfig;
    use crate::document::Document;
    use crate::index::facets::tests::article;
    use crate::index::writer::IndexWriter;

    #[test]
    fn reports_of_one_instant_are_in_the_order_of_their_articles() {
        let dir = tempfile::tempdir().unwrap();
        let config = IndexConfig { path: dir.path().join("index"), ..IndexConfig::default() };
        let mut writer = IndexWriter::open(&config).unwrap();
        let published = chrono::DateTime::parse_from_rfc3339("2024-07-23T09:00:00Z").unwrap();
        let mut ids = Vec::new();
        // Every fifth generated article reports the same target's designation.
        for n in (0..40).step_by(5) {
            let doc = Document { published: Some(published), ..article(n, 0) };
            ids.push(doc.id.clone());
            writer.add_distinct(&doc).unwrap();
        }
        writer.finish().unwrap();
        let index = NewsIndex::open(&config.path).unwrap();
        ids.sort();
        // Each search collects into a hash set of its own, so repeating it would shuffle an unsorted order.
        for _ in 0..5 {
            let targets = index.designations(&DesignationFilter::default(), 10).unwrap();
            assert_eq!(targets.len(), 1);
            let reported: Vec<&str> = targets[0].reports.iter().map(|r| r.article_id.as_str()).collect();
            assert_eq!(reported, ids);
        }
    }

    #[test]
    fn target_keys_ignore_case_and_punctuation() {
        assert_eq!(target_key("Deccan Star Trading L.L.C"), target_key("DECCAN STAR TRADING L L C"));
        assert_ne!(target_key("Kim Sang Man"), target_key("Kim Jong Un"));
    }
}
