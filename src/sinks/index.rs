//! The index as a sink: documents go through the index's writer ([`crate::index::writer`]).

use super::{Sink, SinkError, Written};
use crate::config::IndexConfig;
use crate::document::Document;
use crate::index::IndexError;
use crate::index::writer::{Added, IndexWriter};

pub struct IndexSink(IndexWriter);

impl IndexSink {
    pub fn open(config: &IndexConfig) -> Result<Self, IndexError> {
        IndexWriter::open(config).map(IndexSink)
    }
}

impl Sink for IndexSink {
    fn write(&mut self, doc: &Document) -> Result<Written, SinkError> {
        Ok(match self.0.add(doc)? {
            Added::Stored => Written::Stored,
            Added::NearDuplicateOf(original) => Written::NearDuplicateOf(original),
        })
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        Ok(self.0.commit()?)
    }
}
