//! Sinks: where finished documents go. Each knows only [`Document`]s.

mod index;
mod jsonl;

pub use index::IndexSink;
pub use jsonl::JsonlSink;

use crate::document::Document;

pub trait Sink {
    fn write(&mut self, doc: &Document) -> anyhow::Result<()>;
    /// Makes everything written durable.
    fn finish(&mut self) -> anyhow::Result<()>;
}
