//! What reading needs that changes only when the index does: every article's facet values as
//! ordinals, and the newest article naming each entity. Segments never change, so each segment's
//! part is built once; a searcher generation (what one commit shows) combines its segments'. The
//! cache is tantivy's warmer: a reload builds the new generation before any search sees it, so no
//! request rebuilds it from stored documents.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::{DateTime, DocAddress, DocId, Opstamp, Searcher, SearcherGeneration, SegmentReader, Warmer};

use crate::document::EntityKey;

/// The fast fields counted as facets.
pub(super) const FACET_FIELDS: [&str; 6] =
    ["entity_type", "entity", "designation_authority", "designation_program", "site", "month"];
/// Where the entity keys and the months are in [`FACET_FIELDS`].
pub(super) const ENTITY_FIELD: usize = 1;
pub(super) const MONTH_FIELD: usize = 5;

/// When an article was ingested (`None` when it was not recorded) and where it is.
type Newest<D> = Option<(Option<i64>, D)>;
/// A segment's newest article per entity key, for the deletes it had seen.
type SegmentNewest = Arc<Vec<Newest<DocId>>>;

/// One segment's facet values: each field's terms in ordinal order, and each document's values
/// as ordinals of one space that numbers the fields' terms one after the other.
pub(super) struct SegmentValues {
    id: SegmentId,
    terms: Vec<Vec<String>>,
    /// Where each field's ordinals start, and (last) how many there are in all.
    field_starts: Vec<u32>,
    /// Document `d`'s values are `values[doc_starts[d]..doc_starts[d + 1]]`.
    doc_starts: Vec<usize>,
    values: Vec<u32>,
}

impl SegmentValues {
    fn build(reader: &SegmentReader) -> tantivy::Result<Self> {
        let columns: Vec<Option<StrColumn>> =
            FACET_FIELDS.iter().map(|field| reader.fast_fields().str(field)).collect::<tantivy::Result<_>>()?;
        let mut terms = Vec::with_capacity(columns.len());
        let mut field_starts = vec![0u32];
        for column in &columns {
            let mut field_terms = Vec::new();
            if let Some(column) = column {
                let mut stream = column.dictionary().stream()?;
                while stream.advance() {
                    field_terms.push(String::from_utf8_lossy(stream.key()).into_owned());
                }
            }
            field_starts.push(field_starts[field_starts.len() - 1] + field_terms.len() as u32);
            terms.push(field_terms);
        }
        let mut doc_starts = Vec::with_capacity(reader.max_doc() as usize + 1);
        let mut values = Vec::new();
        doc_starts.push(0);
        for doc in 0..reader.max_doc() {
            for (column, start) in columns.iter().zip(&field_starts) {
                if let Some(column) = column {
                    values.extend(column.ords().values_for_doc(doc).map(|ord| start + ord as u32));
                }
            }
            doc_starts.push(values.len());
        }
        Ok(SegmentValues { id: reader.segment_id(), terms, field_starts, doc_starts, values })
    }

    /// How many ordinals the segment's values are numbered from.
    pub(super) fn ordinals(&self) -> usize {
        self.field_starts[self.field_starts.len() - 1] as usize
    }

    pub(super) fn of(&self, doc: DocId) -> &[u32] {
        &self.values[self.doc_starts[doc as usize]..self.doc_starts[doc as usize + 1]]
    }

    fn entity_ordinals(&self) -> Range<u32> {
        self.field_starts[ENTITY_FIELD]..self.field_starts[ENTITY_FIELD + 1]
    }

    /// For each of the segment's entity keys, its newest live article: latest ingested, and of
    /// those the first, as a search sorted by ingest time would list them.
    fn newest_per_entity(&self, reader: &SegmentReader) -> tantivy::Result<Vec<Newest<DocId>>> {
        let ingested = reader.fast_fields().column_opt::<DateTime>("ingested")?;
        let entities = self.entity_ordinals();
        let mut newest: Vec<Newest<DocId>> = vec![None; entities.len()];
        for doc in reader.doc_ids_alive() {
            let at = ingested.as_ref().and_then(|c| c.first(doc)).map(DateTime::into_timestamp_nanos);
            for &value in self.of(doc).iter().filter(|v| entities.contains(v)) {
                let slot = &mut newest[(value - entities.start) as usize];
                if slot.is_none_or(|(then, _)| at > then) {
                    *slot = Some((at, doc));
                }
            }
        }
        Ok(newest)
    }
}

/// One searcher generation's facet values: every field's values across its segments, sorted
/// within each field, so that a value's place here (its global ordinal) orders it as its text does.
pub(super) struct Generation {
    segments: Vec<Arc<SegmentValues>>,
    values: Vec<String>,
    field_ranges: Vec<Range<usize>>,
    /// Per segment, in the searcher's order: the segment's ordinal → the global one.
    to_global: Vec<Vec<u32>>,
    /// Per entity key (global ordinal less the field's start): a date, sum or percentage?
    is_value: Vec<bool>,
    newest: Vec<Newest<DocAddress>>,
    /// Display names already read from stored documents, by entity (as `newest`).
    names: Mutex<HashMap<usize, Option<String>>>,
}

impl Generation {
    fn build(segments: Vec<Arc<SegmentValues>>, newest_per_segment: &[Arc<Vec<Newest<DocId>>>]) -> Generation {
        let mut values: Vec<String> = Vec::new();
        let mut field_ranges = Vec::with_capacity(FACET_FIELDS.len());
        let mut to_global: Vec<Vec<u32>> = segments.iter().map(|s| Vec::with_capacity(s.ordinals())).collect();
        for field in 0..FACET_FIELDS.len() {
            let mut all: Vec<&str> = segments.iter().flat_map(|s| s.terms[field].iter().map(String::as_str)).collect();
            all.sort_unstable();
            all.dedup();
            let start = values.len();
            for (segment, map) in segments.iter().zip(&mut to_global) {
                // A segment's terms are sorted and all in `all`.
                map.extend(segment.terms[field].iter().map(|t| {
                    (start + all.binary_search(&t.as_str()).expect("every segment term is in the union")) as u32
                }));
            }
            values.extend(all.into_iter().map(str::to_string));
            field_ranges.push(start..values.len());
        }
        let entities = field_ranges[ENTITY_FIELD].clone();
        let is_value = values[entities.clone()]
            .iter()
            .map(|key| EntityKey::parse(key).is_some_and(|key| key.label().is_value()))
            .collect();
        // Later segments replace only a strictly newer article: ties go to the first address.
        let mut newest: Vec<Newest<DocAddress>> = vec![None; entities.len()];
        for (segment_ord, ((segment, map), segment_newest)) in
            segments.iter().zip(&to_global).zip(newest_per_segment).enumerate()
        {
            let local_start = segment.entity_ordinals().start as usize;
            for (local, found) in segment_newest.iter().enumerate() {
                let Some((at, doc)) = *found else { continue };
                let slot = &mut newest[map[local_start + local] as usize - entities.start];
                if slot.is_none_or(|(then, _)| at > then) {
                    *slot = Some((at, DocAddress::new(segment_ord as u32, doc)));
                }
            }
        }
        Generation { segments, values, field_ranges, to_global, is_value, newest, names: Mutex::default() }
    }

    /// The facet values of the searcher's segment `segment_ord`.
    pub(super) fn segment(&self, segment_ord: u32, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentValues>> {
        match self.segments.get(segment_ord as usize) {
            Some(values) if values.id == reader.segment_id() => Ok(values.clone()),
            _ => Err(tantivy::TantivyError::InternalError(format!(
                "segment {segment_ord} is not that of the cached searcher generation"
            ))),
        }
    }

    /// Adds a segment's counts (by its ordinals) to counts by global ordinal.
    pub(super) fn add_counts(&self, segment_ord: u32, segment_counts: &[u32], counts: &mut [u64]) {
        for (local, &count) in segment_counts.iter().enumerate().filter(|(_, count)| **count > 0) {
            counts[self.to_global[segment_ord as usize][local] as usize] += u64::from(count);
        }
    }

    pub(super) fn ordinals(&self) -> usize {
        self.values.len()
    }

    pub(super) fn field_range(&self, field: usize) -> Range<usize> {
        self.field_ranges[field].clone()
    }

    pub(super) fn value(&self, ordinal: usize) -> &str {
        &self.values[ordinal]
    }

    /// Whether the entity key at this global ordinal is a date, sum or percentage.
    pub(super) fn is_value_entity(&self, ordinal: usize) -> bool {
        self.is_value[ordinal - self.field_ranges[ENTITY_FIELD].start]
    }

    /// The name `key` goes by, read (once per generation) by `read_name` from the newest article
    /// that has it; `None` when no live article has it.
    pub(super) fn name<E>(
        &self,
        key: &EntityKey,
        read_name: impl FnOnce(DocAddress) -> Result<Option<String>, E>,
    ) -> Result<Option<String>, E> {
        let entities = &self.values[self.field_ranges[ENTITY_FIELD].clone()];
        let key = key.to_string();
        let Ok(entity) = entities.binary_search_by(|v| v.as_str().cmp(&key)) else {
            return Ok(None);
        };
        if let Some(name) = lock(&self.names).get(&entity) {
            return Ok(name.clone());
        }
        let name = match self.newest[entity] {
            Some((_, address)) => read_name(address)?,
            None => None,
        };
        lock(&self.names).insert(entity, name.clone());
        Ok(name)
    }
}

/// The warmer: segments' parts by segment (their newest articles also by the deletes they have
/// seen), generations by id; dropped once no live searcher uses them.
#[derive(Default)]
pub(super) struct SearchCache {
    segments: Mutex<HashMap<SegmentId, Arc<SegmentValues>>>,
    newest: Mutex<HashMap<(SegmentId, Option<Opstamp>), SegmentNewest>>,
    generations: Mutex<HashMap<u64, Arc<Generation>>>,
}

impl SearchCache {
    /// The cached state of `searcher`'s generation, built now if the warmer has not built it.
    pub(super) fn generation(&self, searcher: &Searcher) -> tantivy::Result<Arc<Generation>> {
        cached(&self.generations, searcher.generation().generation_id(), || {
            let mut segments = Vec::new();
            let mut newest = Vec::new();
            for reader in searcher.segment_readers() {
                let values = cached(&self.segments, reader.segment_id(), || SegmentValues::build(reader))?;
                let deletes = (reader.segment_id(), reader.delete_opstamp());
                newest.push(cached(&self.newest, deletes, || values.newest_per_entity(reader))?);
                segments.push(values);
            }
            Ok(Generation::build(segments, &newest))
        })
    }
}

/// The value cached under `key`, built by `build` and kept when absent. Two threads may both build
/// it; both results are the same.
fn cached<K: std::hash::Hash + Eq, V>(
    map: &Mutex<HashMap<K, Arc<V>>>,
    key: K,
    build: impl FnOnce() -> tantivy::Result<V>,
) -> tantivy::Result<Arc<V>> {
    if let Some(value) = lock(map).get(&key) {
        return Ok(value.clone());
    }
    let value = Arc::new(build()?);
    lock(map).insert(key, value.clone());
    Ok(value)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Warmer for SearchCache {
    fn warm(&self, searcher: &Searcher) -> tantivy::Result<()> {
        self.generation(searcher).map(drop)
    }

    fn garbage_collect(&self, live_generations: &[&SearcherGeneration]) {
        let ids: HashSet<u64> = live_generations.iter().map(|g| g.generation_id()).collect();
        let segments: HashSet<(SegmentId, Option<Opstamp>)> =
            live_generations.iter().flat_map(|g| g.segments().iter().map(|(id, deletes)| (*id, *deletes))).collect();
        lock(&self.generations).retain(|id, _| ids.contains(id));
        lock(&self.newest).retain(|key, _| segments.contains(key));
        lock(&self.segments).retain(|id, _| segments.iter().any(|(live, _)| live == id));
    }
}
