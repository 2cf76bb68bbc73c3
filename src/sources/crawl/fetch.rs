//! HTTP for the crawler: conditional requests, size limits, redirect loops, and robots.txt answers
//! sorted into what the crawler does with them.

use std::io::Read;
use std::time::Duration;

use url::Url;

use super::state::Validators;
use crate::config::FetchConfig;
use crate::document::{ContentKind, FetchedPage};

/// What happened to one fetch.
pub enum Fetched {
    Body {
        final_url: Url,
        content_type: String,
        bytes: Vec<u8>,
        validators: Validators,
    },
    NotModified,
    /// `retry`: the failure may pass (a timeout, a refused connection, a 5xx).
    Failed {
        kind: String,
        retry: bool,
    },
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

pub struct Fetcher {
    client: reqwest::blocking::Client,
    max_body_bytes: u64,
}

impl Fetcher {
    pub fn new(user_agent: &str, fetch: &FetchConfig) -> anyhow::Result<Fetcher> {
        let max_redirects = fetch.max_redirects;
        let client = reqwest::blocking::Client::builder()
            .user_agent(user_agent)
            .connect_timeout(Duration::from_secs(fetch.connect_timeout_secs))
            .timeout(Duration::from_secs(fetch.timeout_secs))
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().contains(attempt.url()) {
                    attempt.error("redirect loop")
                } else if attempt.previous().len() > max_redirects {
                    attempt.error("too many redirects")
                } else {
                    attempt.follow()
                }
            }))
            .build()?;
        Ok(Fetcher { client, max_body_bytes: fetch.max_body_bytes })
    }

    pub fn robots(&self, robots_url: &Url) -> RobotsAnswer {
        match self.client.get(robots_url.as_str()).send() {
            Ok(r) if r.status().is_success() => RobotsAnswer::Rules(r.bytes().map(|b| b.to_vec()).unwrap_or_default()),
            Ok(r) if r.status().is_client_error() => RobotsAnswer::Absent,
            Ok(r) => RobotsAnswer::Unavailable(r.status().to_string()),
            Err(e) => RobotsAnswer::Unavailable(e.to_string()),
        }
    }

    /// `url`, asked for conditionally when `validators` are known.
    pub fn fetch(&self, url: &Url, validators: Option<&Validators>) -> Fetched {
        let mut request = self.client.get(url.as_str());
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                request = request.header(reqwest::header::IF_NONE_MATCH, etag);
            }
            if let Some(modified) = &v.last_modified {
                request = request.header(reqwest::header::IF_MODIFIED_SINCE, modified);
            }
        }
        let response = match request.send() {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Fetched::Failed { kind: "timeout".into(), retry: true },
            Err(e) if e.is_redirect() => {
                return Fetched::Failed { kind: "redirect loop or too many redirects".into(), retry: false };
            }
            Err(e) if e.is_connect() => return Fetched::Failed { kind: "connection failed".into(), retry: true },
            Err(e) => return Fetched::Failed { kind: format!("request failed: {e}"), retry: false },
        };
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Fetched::NotModified;
        }
        if !status.is_success() {
            return Fetched::Failed { kind: format!("HTTP {}", status.as_u16()), retry: status.is_server_error() };
        }
        let header = |name: reqwest::header::HeaderName| {
            response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE).unwrap_or_default().to_ascii_lowercase();
        let validators =
            Validators { etag: header(reqwest::header::ETAG), last_modified: header(reqwest::header::LAST_MODIFIED) };
        if response.content_length().is_some_and(|n| n > self.max_body_bytes) {
            return Fetched::Failed { kind: "page over the size limit".into(), retry: false };
        }
        let final_url = response.url().clone();
        let mut bytes = Vec::new();
        if let Err(e) = response.take(self.max_body_bytes.saturating_add(1)).read_to_end(&mut bytes) {
            let timed_out = e.to_string().contains("timed out");
            return Fetched::Failed {
                kind: if timed_out { "timeout".into() } else { "body read failed".into() },
                retry: timed_out,
            };
        }
        if bytes.len() as u64 > self.max_body_bytes {
            return Fetched::Failed { kind: "page over the size limit".into(), retry: false };
        }
        Fetched::Body { final_url, content_type, bytes, validators }
    }
}

/// Content types handed to extraction; an empty one is sniffed by the extractor.
pub fn is_page_type(content_type: &str) -> bool {
    content_type.is_empty() || content_type.contains("html") || content_type.starts_with("text/plain")
}

/// The error counted for a response that is not a page.
pub fn not_a_page(content_type: &str) -> String {
    format!("not HTML ({})", content_type.split(';').next().unwrap_or_default())
}

/// A fetched page (HTML, or plain text) for the pipeline.
pub fn crawled_page(final_url: &Url, content_type: &str, bytes: Vec<u8>) -> FetchedPage {
    let kind = if content_type.starts_with("text/plain") { ContentKind::Text } else { ContentKind::Html };
    FetchedPage {
        id: final_url.to_string(),
        url: final_url.to_string(),
        fetched_at: chrono::Utc::now(),
        headers: vec![("content-type".into(), content_type.to_string())],
        kind,
        bytes,
    }
}
