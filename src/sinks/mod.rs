//! Sinks: where finished documents go. Each knows only [`Document`]s.

mod ftm;
mod index;
mod jsonl;

pub use ftm::FtmSink;
pub use index::IndexSink;
pub use jsonl::JsonlSink;

use crate::document::Document;

/// What a sink did with a document.
#[derive(Debug, PartialEq, Eq)]
pub enum Written {
    Stored,
    /// Not stored: it is the same story as an article already stored (its id given).
    NearDuplicateOf(String),
}

pub trait Sink {
    fn write(&mut self, doc: &Document) -> anyhow::Result<Written>;
    /// Makes everything written durable.
    fn finish(&mut self) -> anyhow::Result<()>;
}
