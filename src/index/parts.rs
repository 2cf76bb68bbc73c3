//! Searching segments in parts. tantivy gives each segment to one thread, so an index of a few
//! large segments (what merging leaves) keeps one core busy while another idles; here each
//! segment is cut into ranges of documents, searched on the index's threads at once, and the
//! parts merged as segments are. The collectors see what one pass would give them: each part's
//! documents in order, the parts in index order.

use std::ops::Range;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{EnableScoring, Query, Scorer};
use tantivy::{DocId, DocSet, Searcher, SegmentOrdinal, TERMINATED};

/// Fewer documents than this are searched in one part: each part costs a scorer of its own.
const MIN_PART_DOCS: u32 = 50_000;

/// Documents per part for `searcher`: two parts per thread, so that one slow part does not leave
/// a thread idle.
pub(super) fn part_docs(searcher: &Searcher) -> u32 {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
    let docs: u32 = searcher.segment_readers().iter().map(|r| r.max_doc()).sum();
    (docs / (2 * threads)).max(MIN_PART_DOCS)
}

/// What `searcher.search(query, collector)` gives, computed in parts of `part_docs` documents.
pub(super) fn search<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    collector: &C,
    part_docs: u32,
) -> tantivy::Result<C::Fruit> {
    collector.check_schema(searcher.schema())?;
    let scoring = if collector.requires_scoring() {
        EnableScoring::enabled_from_searcher(searcher)
    } else {
        EnableScoring::disabled_from_searcher(searcher)
    };
    let weight = query.weight(scoring)?;
    let scored = collector.requires_scoring();
    let part_docs = part_docs.max(1);
    let parts = searcher.segment_readers().iter().enumerate().flat_map(|(ord, reader)| {
        let max = reader.max_doc();
        (0..max.div_ceil(part_docs))
            .map(move |i| (ord as SegmentOrdinal, i * part_docs..((i + 1) * part_docs).min(max)))
    });
    let fruits = searcher.index().search_executor().map(
        |(ord, docs): (SegmentOrdinal, Range<DocId>)| {
            let reader = searcher.segment_reader(ord);
            let mut part = collector.for_segment(ord, reader)?;
            let mut scorer = weight.scorer(reader, 1.0)?;
            let mut doc = scorer.doc();
            if doc < docs.start {
                doc = scorer.seek(docs.start);
            }
            while doc != TERMINATED && doc < docs.end {
                if !reader.is_deleted(doc) {
                    part.collect(doc, if scored { scorer.score() } else { 0.0 });
                }
                doc = scorer.advance();
            }
            Ok(part.harvest())
        },
        parts,
    )?;
    collector.merge_fruits(fruits)
}

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, TopDocs};

    use super::*;
    use crate::index::facets::FacetCollector;
    use crate::index::facets::tests::several_segments;
    use crate::index::search::SearchRequest;

    #[test]
    fn parts_give_what_one_pass_gives() {
        let (_dir, index) = several_segments();
        let searcher = index.searcher().unwrap();
        let generation = index.cache.generation(&searcher).unwrap();
        // Match-all scores tie, so the order of hits is the tie-break's.
        for request in [SearchRequest::text("", 20), SearchRequest::text("tankers", 20)] {
            let query = index.queries(&request).1;
            let collectors =
                (Count, TopDocs::with_limit(7).and_offset(3).order_by_score(), FacetCollector(generation.clone()));
            let whole = searcher.search(&query, &collectors).unwrap();
            for part_docs in [1, 7, 40] {
                assert_eq!(search(&searcher, &query, &collectors, part_docs).unwrap(), whole, "{request:?}");
            }
        }
    }
}
