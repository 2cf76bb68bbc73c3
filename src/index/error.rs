//! The index's one error type: what went wrong, named so that callers match the kind (a locked
//! index, a request the index refuses, a damaged store) instead of reading the message.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("no index at {} (run `newshound ingest` first)", .0.display())]
    Missing(PathBuf),
    #[error("cannot create index directory {}: {source}", path.display())]
    CreateDirectory { path: PathBuf, source: std::io::Error },
    #[error("cannot open index directory {}: {source}", path.display())]
    OpenDirectory { path: PathBuf, source: tantivy::directory::error::OpenDirectoryError },
    #[error("{} is not a newshound index (or was written by another version): {source}", path.display())]
    NotAnIndex { path: PathBuf, source: tantivy::TantivyError },
    /// Another process holds the index's write lock.
    #[error("cannot write to the index at {}: another ingest, crawl or indexer is writing to it", .0.display())]
    Locked(PathBuf),
    /// A request the index will not run (a query over the length limit); the caller's to fix.
    #[error("{0}")]
    InvalidRequest(String),
    /// A stored document that cannot be read back: the index is damaged or from another version.
    #[error("stored {what} cannot be read: {reason}")]
    DamagedDocument { what: &'static str, reason: String },
    #[error("the index failed: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("a document cannot be encoded for the index: {0}")]
    Encode(#[from] serde_json::Error),
}

pub type Result<T> = std::result::Result<T, IndexError>;
