//! Single http(s) URLs given on the command line.

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
        let client = self.client().map_err(|e| fail(e.to_string()))?;
        let response = client.get(url).send().map_err(|e| fail(describe(&e)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(fail(format!("HTTP {status}")));
        }
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_ascii_lowercase(), v.to_str().ok()?.to_string())))
            .collect();
        let content_type =
            headers.iter().find(|(k, _)| k == "content-type").map(|(_, v)| v.to_ascii_lowercase()).unwrap_or_default();
        let kind = if content_type.is_empty() || content_type.contains("html") || content_type.contains("xml") {
            ContentKind::Html
        } else if content_type.starts_with("text/plain") {
            ContentKind::Text
        } else {
            return Err(fail(format!("not an HTML page (content-type {content_type})")));
        };
        if response.content_length().is_some_and(|n| n > self.config.max_body_bytes) {
            return Err(fail(format!(
                "larger than the {}-byte limit (fetch.max_body_bytes)",
                self.config.max_body_bytes
            )));
        }
        let final_url = response.url().to_string();
        let mut bytes = Vec::new();
        response
            .take(self.config.max_body_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| fail(format!("reading the body failed: {e}")))?;
        if bytes.len() as u64 > self.config.max_body_bytes {
            return Err(fail(format!(
                "larger than the {}-byte limit (fetch.max_body_bytes)",
                self.config.max_body_bytes
            )));
        }
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(fail("empty response body".into()));
        }
        Ok(FetchedPage { id: url.to_string(), url: final_url, fetched_at: Utc::now(), headers, kind, bytes })
    }
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
