//! What can stop a crawl before it starts or lose its place: the crawl's own settings, and the
//! state file beside the index.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    #[error("not an http(s) URL: {0}")]
    NotAUrl(String),
    #[error("bad crawl pattern {pattern:?}: {reason}")]
    BadPattern { pattern: String, reason: String },
    #[error("crawl state {} is damaged; delete it to start the crawl afresh: {reason}", path.display())]
    DamagedState { path: PathBuf, reason: String },
    #[error("cannot read crawl state {}: {source}", path.display())]
    ReadState { path: PathBuf, source: std::io::Error },
    #[error("cannot save crawl state {}: {source}", path.display())]
    SaveState { path: PathBuf, source: std::io::Error },
}
