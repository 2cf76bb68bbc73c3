//! Single http(s) URLs given on the command line, and files such as the official sanctions lists.

use std::io::Read;
use std::sync::OnceLock;
use std::time::Duration;

use chrono::Utc;

use super::SourceError;
use crate::config::FetchConfig;
use crate::document::{ContentKind, FetchedPage};

/// The client is built on the first fetch: a run over local files never pays for the TLS set-up
/// (reading the system's certificates, starting the client's runtime), a noticeable part of
/// extracting a few pages.
pub struct HttpFetcher {
    config: FetchConfig,
    client: OnceLock<Result<reqwest::blocking::Client, String>>,
}

impl HttpFetcher {
    pub fn new(config: &FetchConfig) -> Self {
        HttpFetcher { config: config.clone(), client: OnceLock::new() }
    }

    fn client(&self) -> Result<&reqwest::blocking::Client, &str> {
        let config = &self.config;
        self.client
            .get_or_init(|| {
                reqwest::blocking::Client::builder()
                    .user_agent(config.user_agent.clone())
                    .connect_timeout(Duration::from_secs(config.connect_timeout_secs))
                    .timeout(Duration::from_secs(config.timeout_secs))
                    .redirect(reqwest::redirect::Policy::limited(config.max_redirects))
                    .build()
                    .map_err(|e| format!("the HTTP client could not be set up: {e}"))
            })
            .as_ref()
            .map_err(String::as_str)
    }

    pub fn fetch(&self, url: &str) -> Result<FetchedPage, SourceError> {
        let fail = |reason: String| SourceError::new(url, reason);
        let response = self.get(url, &[])?;
        let status = response.status();
        if !status.is_success() {
            return Err(fail(format!("HTTP {status}")));
        }
        let headers = headers_of(&response);
        let content_type =
            headers.iter().find(|(k, _)| k == "content-type").map(|(_, v)| v.to_ascii_lowercase()).unwrap_or_default();
        let kind = if content_type.is_empty() || content_type.contains("html") || content_type.contains("xml") {
            ContentKind::Html
        } else if content_type.starts_with("text/plain") {
            ContentKind::Text
        } else {
            return Err(fail(format!("not an HTML page (content-type {content_type})")));
        };
        let final_url = response.url().to_string();
        let bytes = self.body(url, response)?;
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(fail("empty response body".into()));
        }
        Ok(FetchedPage { id: url.to_string(), url: final_url, fetched_at: Utc::now(), headers, kind, bytes })
    }

    /// A file of any type (a sanctions list), asked for only if it changed since `validators` were
    /// given: `None` when the server says it did not (HTTP 304).
    pub fn fetch_file(&self, url: &str, validators: &Validators) -> Result<Option<FetchedFile>, SourceError> {
        let mut conditions = Vec::new();
        if let Some(etag) = &validators.etag {
            conditions.push(("if-none-match", etag.as_str()));
        }
        if let Some(modified) = &validators.last_modified {
            conditions.push(("if-modified-since", modified.as_str()));
        }
        let response = self.get(url, &conditions)?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(SourceError::new(url, format!("HTTP {status}")));
        }
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let validators = Validators { etag: header("etag"), last_modified: header("last-modified") };
        let bytes = self.body(url, response)?;
        Ok(Some(FetchedFile { bytes, validators }))
    }

    fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<reqwest::blocking::Response, SourceError> {
        let client = self.client().map_err(|e| SourceError::new(url, e))?;
        let request = headers.iter().fold(client.get(url), |r, (k, v)| r.header(*k, *v));
        request.send().map_err(|e| SourceError::new(url, describe(&e)))
    }

    /// The whole body, refused when over `fetch.max_body_bytes` (by its announced length or as read)
    /// or when the connection ends before the announced length.
    fn body(&self, url: &str, response: reqwest::blocking::Response) -> Result<Vec<u8>, SourceError> {
        let limit = self.config.max_body_bytes;
        let too_large = || SourceError::new(url, format!("larger than the {limit}-byte limit (fetch.max_body_bytes)"));
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        let mut bytes = Vec::new();
        response
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| SourceError::new(url, format!("reading the body failed: {e}")))?;
        if bytes.len() as u64 > limit {
            return Err(too_large());
        }
        Ok(bytes)
    }
}

/// What a server said identifies the version it sent, for asking later whether it changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A file fetched whole.
pub struct FetchedFile {
    pub bytes: Vec<u8>,
    pub validators: Validators,
}

fn headers_of(response: &reqwest::blocking::Response) -> Vec<(String, String)> {
    response
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_ascii_lowercase(), v.to_str().ok()?.to_string())))
        .collect()
}

/// A short reason for a failed request, without reqwest's nested error chain noise.
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_redirect() {
        "too many redirects (or a redirect loop)".into()
    } else if e.is_connect() {
        let mut source: Option<&dyn std::error::Error> = Some(e);
        let mut last = e.to_string();
        while let Some(s) = source {
            last = s.to_string();
            source = s.source();
        }
        format!("connection failed: {last}")
    } else {
        e.to_string()
    }
}
