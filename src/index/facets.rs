//! Facet counts over every article a search matches: each matched article's values, read from the
//! generation's cache ([`super::cache`]), counted per segment and summed by global ordinal. Exact
//! over all matches, whatever the number of segments.

use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::cache::{ENTITY_FIELD, FACET_FIELDS, Generation, MONTH_FIELD, SegmentValues};
use super::search::{FacetCount, Facets};

/// Buckets per facet.
const FACET_SIZE: usize = 20;

pub(super) struct FacetCollector(pub(super) Arc<Generation>);

pub(super) struct SegmentFacetCounter {
    segment_ord: SegmentOrdinal,
    values: Arc<SegmentValues>,
    counts: Vec<u32>,
}

impl Collector for FacetCollector {
    /// Articles per global ordinal.
    type Fruit = Vec<u64>;
    type Child = SegmentFacetCounter;

    fn for_segment(&self, segment_ord: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<Self::Child> {
        let values = self.0.segment(segment_ord, reader)?;
        Ok(SegmentFacetCounter { segment_ord, counts: vec![0; values.ordinals()], values })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<(SegmentOrdinal, Vec<u32>)>) -> tantivy::Result<Vec<u64>> {
        let mut counts = vec![0; self.0.ordinals()];
        for (segment_ord, segment_counts) in segments {
            self.0.add_counts(segment_ord, &segment_counts, &mut counts);
        }
        Ok(counts)
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = (SegmentOrdinal, Vec<u32>);

    fn collect(&mut self, doc: DocId, _score: Score) {
        for &value in self.values.of(doc) {
            self.counts[value as usize] += 1;
        }
    }

    fn harvest(self) -> Self::Fruit {
        (self.segment_ord, self.counts)
    }
}

/// The largest buckets of each facet (months: the newest), ties by value; dates, sums and
/// percentages among the entities only when `value_entities`.
pub(super) fn facets(generation: &Generation, counts: &[u64], value_entities: bool) -> Facets {
    let mut lists = (0..FACET_FIELDS.len()).map(|field| {
        let mut found: Vec<(u64, usize)> = generation
            .field_range(field)
            .filter(|&ordinal| counts[ordinal] > 0)
            .filter(|&ordinal| field != ENTITY_FIELD || value_entities || !generation.is_value_entity(ordinal))
            .map(|ordinal| (counts[ordinal], ordinal))
            .collect();
        if field == MONTH_FIELD {
            // Newest first: global ordinals are in the values' order.
            found.reverse();
            found.truncate(FACET_SIZE);
        } else {
            // Largest first, ties by value (by ordinal, which is the same order).
            let order = |a: &(u64, usize), b: &(u64, usize)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
            if found.len() > FACET_SIZE {
                found.select_nth_unstable_by(FACET_SIZE - 1, order);
            }
            found.truncate(FACET_SIZE);
            found.sort_unstable_by(order);
        }
        found
            .into_iter()
            .map(|(count, ordinal)| FacetCount { value: generation.value(ordinal).to_string(), count, name: None })
            .collect::<Vec<_>>()
    });
    let mut next = || lists.next().unwrap_or_default();
    Facets {
        entity_types: next(),
        top_entities: next(),
        authorities: next(),
        programs: next(),
        sources: next(),
        months: next(),
    }
}

#[cfg(test)]
pub(in crate::index) mod tests {
    //! The cached facets and names against what tantivy computes from the index itself (its terms
    //! aggregation, told to keep every term of every segment so that it is exact, and a search
    //! sorted by ingest time), on an index of several segments with replaced articles.

    use chrono::{TimeZone, Utc};
    use tantivy::aggregation::AggregationCollector;
    use tantivy::aggregation::agg_req::Aggregations;
    use tantivy::aggregation::agg_result::{AggregationResult, BucketResult};
    use tantivy::collector::TopDocs;

    use super::*;
    use crate::config::IndexConfig;
    use crate::document::{
        Authority, Designation, DesignationAction, Document, Entity, EntityKey, EntityLabel, Evidence, Target,
        TargetType,
    };
    use crate::index::search::SearchRequest;
    use crate::index::writer::IndexWriter;
    use crate::index::{NewsIndex, stored};

    /// Entities by key, each with the names its mentions may give it.
    const ENTITIES: [(EntityLabel, &str, [&str; 2]); 6] = [
        (EntityLabel::Per, "kim sang man", ["Kim Sang Man", "KIM Sang-man"]),
        (EntityLabel::Per, "olena petrenko", ["Olena Petrenko", "O. Petrenko"]),
        (EntityLabel::Org, "helios maritime", ["Helios Maritime", "Helios Maritime Holdings"]),
        (EntityLabel::Loc, "US", ["United States", "U.S."]),
        (EntityLabel::Date, "2024-06-11", ["11 June 2024", "June 11, 2024"]),
        (EntityLabel::Percent, "12.5", ["12.5%", "12.5 per cent"]),
    ];

    /// Article `n`; a later `version` replaces it and names its entities otherwise.
    pub(in crate::index) fn article(n: usize, version: usize) -> Document {
        let mut body = format!("Story {n} about {} ", ["tankers", "elections", "ports"][n % 3]);
        let entities = (0..1 + n % 4)
            .map(|i| {
                let (label, key, names) = ENTITIES[(n * 7 + i * 5) % ENTITIES.len()];
                let name = names[(version + i + n / 2) % 2];
                let start = body.chars().count();
                body.push_str(name);
                body.push_str(". ");
                Entity {
                    text: name.into(),
                    label,
                    start,
                    end: start + name.chars().count(),
                    canonical: name.into(),
                    key: Some(EntityKey::new(label, key)),
                    country: None,
                    value: None,
                }
            })
            .collect();
        let published = Utc.with_ymd_and_hms(2023, 1 + (n % 12) as u32, 1 + (n % 27) as u32, 9, 0, 0).unwrap();
        let designations = n
            .is_multiple_of(5)
            .then(|| Designation {
                authority: Some(Authority {
                    name: ["U.S. Department of the Treasury", "Council of the European Union"][n % 2].into(),
                    country: Some(["US", "EU"][n % 2].into()),
                }),
                action: DesignationAction::Designate,
                target: Target {
                    name: "Helios Maritime".into(),
                    kind: TargetType::Company,
                    aliases: Vec::new(),
                    country: None,
                    imo: None,
                },
                program: Some(["E.O. 13224", "DPRK"][n % 2].into()),
                date: Some(published.date_naive()),
                evidence: Evidence { start: 0, end: 5, text: "Story".into() },
                confidence: 0.9,
                listing: None,
            })
            .into_iter()
            .collect();
        let site = ["wire.example", "daily.example", "post.example"][n % 3];
        Document {
            id: format!("story-{n}-{version}"),
            url: format!("https://{site}/story-{n}"),
            canonical_url: None,
            title: Some(format!("Story {n}")),
            byline: None,
            published: (!n.is_multiple_of(9)).then(|| published.fixed_offset()),
            language: Some("en".into()),
            site_name: None,
            body,
            entities: Some(entities),
            designations: Some(designations),
            key: format!("https://{site}/story-{n}"),
        }
    }

    /// The facets tantivy's terms aggregation gives for `request`.
    fn aggregated(index: &NewsIndex, request: &SearchRequest, value_entities: bool) -> Vec<Vec<(String, u64)>> {
        let requests: serde_json::Map<String, serde_json::Value> = FACET_FIELDS
            .iter()
            .enumerate()
            .map(|(i, field)| {
                let order = if i == MONTH_FIELD { "_key" } else { "_count" };
                let mut terms = serde_json::json!({
                    "field": field, "size": FACET_SIZE, "segment_size": 1_000_000,
                    "order": {order: "desc"}
                });
                if i == ENTITY_FIELD && !value_entities {
                    terms["exclude"] = EntityKey::values_pattern().into();
                }
                (field.to_string(), serde_json::json!({ "terms": terms }))
            })
            .collect();
        let request_json: Aggregations = serde_json::from_value(serde_json::Value::Object(requests)).unwrap();
        let collector = AggregationCollector::from_aggs(request_json, Default::default());
        let results = index.searcher().unwrap().search(&index.queries(request).1, &collector).unwrap();
        FACET_FIELDS
            .iter()
            .map(|field| match results.0.get(*field) {
                Some(AggregationResult::BucketResult(BucketResult::Terms { buckets, .. })) => {
                    buckets.iter().map(|b| (b.key.to_string(), b.doc_count)).collect()
                }
                _ => Vec::new(),
            })
            .collect()
    }

    /// The name of `key`'s mention in the first article of a search sorted by ingest time.
    fn newest_name(index: &NewsIndex, key: &EntityKey) -> Option<String> {
        let searcher = index.searcher().unwrap();
        let newest = TopDocs::with_limit(1).order_by_fast_field::<tantivy::DateTime>("ingested", tantivy::Order::Desc);
        let (_, address) = *searcher.search(&index.articles_with_entity(key), &newest).unwrap().first()?;
        let doc: Document = stored(&searcher, address, index.fields.document, "article").unwrap();
        doc.entities.into_iter().flatten().find(|e| e.identity() == *key).map(|e| e.canonical)
    }

    /// An index of several segments, some of whose articles were replaced a second later.
    pub(in crate::index) fn several_segments() -> (tempfile::TempDir, NewsIndex) {
        let dir = tempfile::tempdir().unwrap();
        let config = IndexConfig { path: dir.path().join("index"), commit_every: 40, writer_memory_mb: 15 };
        let mut writer = IndexWriter::open(&config).unwrap();
        for n in 0..200 {
            writer.add_distinct(&article(n, 0)).unwrap();
        }
        writer.commit().unwrap();
        // A second later, some articles again with other names, in two segments (of the same
        // second, mostly): deletes in old segments, names that must come from the newer copies, and
        // of those the first segment's.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        for (version, first) in [(1, 0), (2, 1)] {
            for n in (first..200).step_by(3) {
                writer.add_distinct(&article(n, version)).unwrap();
            }
            writer.commit().unwrap();
        }
        drop(writer);
        let index = NewsIndex::open(&config.path).unwrap();
        index.reload().unwrap();
        assert!(index.searcher().unwrap().segment_readers().len() > 1, "the test needs several segments");
        (dir, index)
    }

    #[test]
    fn cached_facets_and_names_are_those_the_index_computes() {
        let (_dir, index) = several_segments();

        let requests = [
            SearchRequest::text("", 20),
            SearchRequest::text("tankers", 20),
            SearchRequest::text("Helios", 5),
            SearchRequest { entity_type: Some(EntityLabel::Per), ..SearchRequest::text("", 20) },
            SearchRequest { value_entities: true, ..SearchRequest::text("ports", 20) },
            SearchRequest { entity: Some("ORG:helios maritime".into()), ..SearchRequest::text("", 20) },
            SearchRequest { authority: Some("EU".into()), ..SearchRequest::text("", 20) },
            SearchRequest {
                since: Some(Utc.with_ymd_and_hms(2023, 6, 1, 0, 0, 0).unwrap()),
                ..SearchRequest::text("", 20)
            },
            SearchRequest::text("nothing-matches-this", 20),
        ];
        for request in &requests {
            let results = index.search(request).unwrap();
            let values = request.value_entities || request.entity_type.is_some_and(EntityLabel::is_value);
            let f = &results.facets;
            let cached: Vec<Vec<(String, u64)>> =
                [&f.entity_types, &f.top_entities, &f.authorities, &f.programs, &f.sources, &f.months]
                    .iter()
                    .map(|list| list.iter().map(|b| (b.value.clone(), b.count)).collect())
                    .collect();
            assert_eq!(cached, aggregated(&index, request, values), "facets of {request:?}");
            for bucket in &f.top_entities {
                let key = EntityKey::parse(&bucket.value).unwrap();
                assert_eq!(bucket.name, newest_name(&index, &key), "name of {key} for {request:?}");
            }
        }
        let all = index.search(&SearchRequest::text("", 20)).unwrap();
        assert!(all.facets.top_entities.len() >= 4 && all.facets.months.len() == 12, "{:?}", all.facets);
        let helios = all.facets.top_entities.iter().find(|b| b.value == "ORG:helios maritime").unwrap();
        assert!(helios.name.is_some());
    }
}
