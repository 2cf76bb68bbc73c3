//! The shared queue's one error type: Redis refusing or unreachable (with what the queue was
//! doing), what Redis holds not reading as the queue wrote it, and the stages' own errors.

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("{url}: not a Redis URL: {source}")]
    NotARedisUrl { url: String, source: redis::RedisError },
    #[error("cannot reach Redis at {url}: {source}")]
    Unreachable { url: String, source: redis::RedisError },
    #[error("Redis at {url}: {what}: {source}")]
    Redis { url: String, what: String, source: redis::RedisError },
    /// Redis holds something the queue did not write as it reads it (another version's, or damaged).
    #[error("Redis at {url}: {what}")]
    Unexpected { url: String, what: String },
    #[error(transparent)]
    Crawl(#[from] crate::sources::crawl::CrawlError),
    #[error(transparent)]
    Sink(#[from] crate::sinks::SinkError),
    #[error("cannot encode for the queue: {0}")]
    Encode(#[from] serde_json::Error),
}

pub type Result<T> = std::result::Result<T, QueueError>;
