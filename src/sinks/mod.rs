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

/// Why a sink could not take a document.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
    #[error("cannot write the output: {0}")]
    Write(#[from] std::io::Error),
    #[error("cannot encode the document: {0}")]
    Encode(#[from] serde_json::Error),
}

pub trait Sink {
    fn write(&mut self, doc: &Document) -> Result<Written, SinkError>;
    /// Makes everything written durable.
    fn finish(&mut self) -> Result<(), SinkError>;
}
