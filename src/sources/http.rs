//! HTTP for every source: single URLs given on the command line, the crawler's pages, feeds,
//! sitemaps and robots.txt, and the official lists' files. One client path: conditional requests,
//! redirects (a loop refused), the body limit, and one account of what went wrong.

use std::io::Read;
use std::sync::OnceLock;
use std::time::Duration;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use url::Url;

use super::SourceError;
use crate::config::FetchConfig;
use crate::document::{ContentKind, FetchedPage};

/// The client is built on the first fetch: a run over local files never pays for the TLS set-up
/// (reading the system's certificates, starting the client's runtime), a noticeable part of
/// extracting a few pages.
pub struct HttpFetcher {
    config: FetchConfig,
    user_agent: String,
    client: OnceLock<Result<reqwest::blocking::Client, String>>,
}

/// What a server said identifies the version it sent, for asking later whether it changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// Why a request gave no body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("the HTTP client could not be set up: {0}")]
    Client(String),
    #[error("timed out")]
    Timeout,
    #[error("too many redirects (or a redirect loop)")]
    Redirects,
    #[error("connection failed: {0}")]
    Connect(String),
    #[error("request failed: {0}")]
    Request(String),
    #[error("HTTP {0}")]
    Status(reqwest::StatusCode),
    #[error("larger than the {0}-byte limit (fetch.max_body_bytes)")]
    TooLarge(u64),
    #[error("reading the body failed: {0}")]
    Body(String),
}

impl FetchError {
    /// Whether the failure may pass: a timeout, a refused connection, a server error.
    pub fn may_pass(&self) -> bool {
        match self {
            FetchError::Timeout | FetchError::Connect(_) => true,
            FetchError::Status(status) => status.is_server_error(),
            _ => false,
        }
    }

    /// The kind, as crawl reports count failures: a short label without the details.
    pub fn kind(&self) -> String {
        match self {
            FetchError::Client(_) => "HTTP client not set up".into(),
            FetchError::Timeout => "timeout".into(),
            FetchError::Redirects => "redirect loop or too many redirects".into(),
            FetchError::Connect(_) => "connection failed".into(),
            FetchError::Request(_) => "request failed".into(),
            FetchError::Status(status) => format!("HTTP {}", status.as_u16()),
            FetchError::TooLarge(_) => "page over the size limit".into(),
            FetchError::Body(_) => "body read failed".into(),
        }
    }
}

/// A response with its whole body.
pub struct Response {
    /// Where the redirects, if any, ended.
    pub final_url: Url,
    /// Lower-case header names.
    pub headers: Vec<(String, String)>,
    pub bytes: Vec<u8>,
    pub validators: Validators,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The content type, in lower case; empty when the server sent none.
    pub fn content_type(&self) -> String {
        self.header("content-type").unwrap_or_default().to_ascii_lowercase()
    }
}

/// A host's answer to `/robots.txt`.
pub enum RobotsAnswer {
    /// Its rules.
    Rules(Vec<u8>),
    /// None (4xx): everything is allowed.
    Absent,
    /// A server error or no answer: the host must wait and be asked again.
    Unavailable(String),
}

/// The content types that are pages for extraction, and which kind; an empty one is sniffed by the
/// extractor.
pub fn page_kind(content_type: &str) -> Option<ContentKind> {
    if content_type.is_empty() || content_type.contains("html") {
        Some(ContentKind::Html)
    } else if content_type.starts_with("text/plain") {
        Some(ContentKind::Text)
    } else {
        None
    }
}

impl HttpFetcher {
    /// A fetcher that names itself as `fetch.user_agent` says.
    pub fn new(config: &FetchConfig) -> Self {
        HttpFetcher::with_user_agent(config, &config.user_agent)
    }

    /// A fetcher that names itself `user_agent` (the crawler's, which robots.txt rules address).
    pub fn with_user_agent(config: &FetchConfig, user_agent: &str) -> Self {
        HttpFetcher { config: config.clone(), user_agent: user_agent.to_string(), client: OnceLock::new() }
    }

    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    fn client(&self) -> Result<&reqwest::blocking::Client, FetchError> {
        let config = &self.config;
        let max_redirects = config.max_redirects;
        self.client
            .get_or_init(|| {
                reqwest::blocking::Client::builder()
                    .user_agent(self.user_agent.clone())
                    .connect_timeout(Duration::from_secs(config.connect_timeout_secs))
                    .timeout(Duration::from_secs(config.timeout_secs))
                    .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                        if attempt.previous().contains(attempt.url()) {
                            attempt.error("redirect loop")
                        } else if attempt.previous().len() > max_redirects {
                            attempt.error("too many redirects")
                        } else {
                            attempt.follow()
                        }
                    }))
                    .build()
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| FetchError::Client(e.clone()))
    }

    /// `url` with its whole body, asked for only if it changed since `validators` were given:
    /// `Ok(None)` when the server says it did not (HTTP 304).
    pub fn get(&self, url: &str, validators: Option<&Validators>) -> Result<Option<Response>, FetchError> {
        let mut request = self.client()?.get(url);
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                request = request.header(reqwest::header::IF_NONE_MATCH, etag);
            }
            if let Some(modified) = &v.last_modified {
                request = request.header(reqwest::header::IF_MODIFIED_SINCE, modified);
            }
        }
        let response = request.send().map_err(|e| request_error(&e))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(FetchError::Status(status));
        }
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_ascii_lowercase(), v.to_str().ok()?.to_string())))
            .collect();
        let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let validators = Validators { etag: header("etag"), last_modified: header("last-modified") };
        let final_url = response.url().clone();
        let bytes = self.body(response)?;
        Ok(Some(Response { final_url, headers, bytes, validators }))
    }

    /// The whole body, refused when over `fetch.max_body_bytes` (by its announced length or as
    /// read) or when the connection ends before the announced length.
    fn body(&self, response: reqwest::blocking::Response) -> Result<Vec<u8>, FetchError> {
        let limit = self.config.max_body_bytes;
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(FetchError::TooLarge(limit));
        }
        let mut bytes = Vec::new();
        if let Err(e) = response.take(limit.saturating_add(1)).read_to_end(&mut bytes) {
            return Err(if e.to_string().contains("timed out") {
                FetchError::Timeout
            } else {
                FetchError::Body(e.to_string())
            });
        }
        if bytes.len() as u64 > limit {
            return Err(FetchError::TooLarge(limit));
        }
        Ok(bytes)
    }

    /// A page given by its URL, for extraction.
    pub fn fetch(&self, url: &str) -> Result<FetchedPage, SourceError> {
        let fail = |reason: String| SourceError::new(url, reason);
        // Asked for without validators, a server has nothing to answer "not modified" to.
        let response = self
            .get(url, None)
            .map_err(|e| fail(e.to_string()))?
            .ok_or_else(|| fail(FetchError::Status(reqwest::StatusCode::NOT_MODIFIED).to_string()))?;
        let content_type = response.content_type();
        let Some(kind) = page_kind(&content_type) else {
            return Err(fail(format!("not an HTML page (content-type {content_type})")));
        };
        if response.bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(fail("empty response body".into()));
        }
        Ok(FetchedPage {
            id: url.to_string(),
            url: response.final_url.to_string(),
            fetched_at: Utc::now(),
            headers: response.headers,
            kind,
            bytes: response.bytes,
        })
    }

    /// A file of any type (a sanctions list), asked for only if it changed since `validators` were
    /// given: `None` when the server says it did not (HTTP 304).
    pub fn fetch_file(&self, url: &str, validators: &Validators) -> Result<Option<Response>, SourceError> {
        self.get(url, Some(validators)).map_err(|e| SourceError::new(url, e.to_string()))
    }

    /// A host's robots.txt, sorted into what a crawler does with the answer.
    pub fn robots(&self, robots_url: &Url) -> RobotsAnswer {
        match self.get(robots_url.as_str(), None) {
            Ok(Some(response)) => RobotsAnswer::Rules(response.bytes),
            Ok(None) => RobotsAnswer::Absent,
            Err(FetchError::Status(status)) if status.is_client_error() => RobotsAnswer::Absent,
            Err(e) => RobotsAnswer::Unavailable(e.to_string()),
        }
    }
}

/// A short reason for a failed request, without reqwest's nested error chain noise.
fn request_error(e: &reqwest::Error) -> FetchError {
    if e.is_timeout() {
        FetchError::Timeout
    } else if e.is_redirect() {
        FetchError::Redirects
    } else if e.is_connect() {
        let mut source: Option<&dyn std::error::Error> = Some(e);
        let mut last = e.to_string();
        while let Some(s) = source {
            last = s.to_string();
            source = s.source();
        }
        FetchError::Connect(last)
    } else {
        FetchError::Request(e.to_string())
    }
}
