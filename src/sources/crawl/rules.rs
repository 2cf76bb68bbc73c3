//! The crawl's rules, written once for both frontiers (the in-process one of `crawl` and the shared
//! one in Redis of `worker`): what a fetch came to, what robots.txt says and what to do when it does
//! not answer, which links a fetched document leads to, and when a failure is tried again.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use super::discover;
use super::scope::Scope;
use crate::config::CrawlConfig;
use crate::document::FetchedPage;
use crate::sources::http::{FetchError, HttpFetcher, RobotsAnswer, Validators, page_kind};

/// What a target is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    Page,
    Feed,
    Sitemap,
}

/// One thing to fetch, as either frontier queues it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub url: String,
    pub kind: TargetKind,
    /// A start point of the crawl: a start page is always fetched in full, being read for its links.
    #[serde(default)]
    pub start: bool,
    /// Failed attempts so far.
    #[serde(default)]
    pub attempt: u32,
}

impl Target {
    pub fn new(url: &Url, kind: TargetKind) -> Self {
        Target { url: url.to_string(), kind, start: false, attempt: 0 }
    }

    /// The validators to ask with: none for a start page (section fronts change all the time and
    /// are read for their links), else those of its last fetch.
    pub fn asks_conditionally(&self) -> bool {
        !(self.start && self.kind == TargetKind::Page)
    }
}

/// What one fetch came to.
pub enum Fetched {
    Body {
        final_url: Url,
        content_type: String,
        bytes: Vec<u8>,
        validators: Validators,
    },
    NotModified,
    /// `kind` as crawl reports count it; `retry`: the failure may pass.
    Failed {
        kind: String,
        retry: bool,
    },
}

/// Fetches `url`, conditionally when `validators` are known.
pub fn fetch(http: &HttpFetcher, url: &Url, validators: Option<&Validators>) -> Fetched {
    match http.get(url.as_str(), validators) {
        Ok(Some(response)) => Fetched::Body {
            content_type: response.content_type(),
            final_url: response.final_url,
            bytes: response.bytes,
            validators: response.validators,
        },
        Ok(None) => Fetched::NotModified,
        Err(e) => failed(&e),
    }
}

fn failed(e: &FetchError) -> Fetched {
    Fetched::Failed { kind: e.kind(), retry: e.may_pass() }
}

/// robots.txt rules that keep a crawler out of a host whose robots.txt never answers.
const DISALLOW_ALL: &str = "User-agent: *\nDisallow: /\n";
/// The error counted when a host's robots.txt never answered.
pub const ROBOTS_UNAVAILABLE: &str = "robots.txt unavailable";
/// The longest Crawl-delay honoured.
const MAX_CRAWL_DELAY_SECS: f32 = 60.0;

/// What a host's robots.txt answer means for the crawl.
pub enum RobotsOutcome {
    /// The rules to keep (empty: everything is allowed), the host's Crawl-delay and the sitemaps
    /// it names; `unanswered`: the host never answered and is kept out ([`ROBOTS_UNAVAILABLE`]).
    Rules { rules: Vec<u8>, crawl_delay: Option<Duration>, sitemaps: Vec<Url>, unanswered: bool },
    /// No answer: ask again after this long.
    AskAgainAfter(Duration),
}

/// Reads a robots.txt answer; `failures` counts the host's unanswered requests, this one included.
/// A host that never answers is given up after the crawl's retries: it stays closed for the crawl.
pub fn robots_outcome(answer: RobotsAnswer, failures: u32, config: &CrawlConfig) -> RobotsOutcome {
    let (rules, unanswered) = match answer {
        RobotsAnswer::Rules(body) => (body, false),
        RobotsAnswer::Absent => (Vec::new(), false),
        RobotsAnswer::Unavailable(_) if failures <= config.retries => {
            return RobotsOutcome::AskAgainAfter(backoff(config, failures));
        }
        RobotsAnswer::Unavailable(_) => (DISALLOW_ALL.as_bytes().to_vec(), true),
    };
    let robot = robot(&config.user_agent, &rules);
    let crawl_delay =
        robot.as_ref().and_then(|r| r.delay).map(|s| Duration::from_secs_f32(s.clamp(0.0, MAX_CRAWL_DELAY_SECS)));
    let sitemaps = robot.iter().flat_map(|r| &r.sitemaps).filter_map(|s| super::urls::normalize(s, None)).collect();
    RobotsOutcome::Rules { rules, crawl_delay, sitemaps, unanswered }
}

/// The rules of a robots.txt for `user_agent`; `None` when everything is allowed (no robots.txt, or
/// one that cannot be read).
pub fn robot(user_agent: &str, rules: &[u8]) -> Option<texting_robots::Robot> {
    (!rules.is_empty()).then(|| texting_robots::Robot::new(user_agent, rules).ok()).flatten()
}

/// The wait before asking a host again after its `attempt`-th failure: the crawl's delay (100 ms at
/// least), doubled each time, up to 64 times.
pub fn backoff(config: &CrawlConfig, attempt: u32) -> Duration {
    Duration::from_millis(config.delay_ms.max(100)) * 2u32.pow(attempt.min(6))
}

/// The target again, for one more attempt after a failure that may pass, while the crawl's retries
/// last.
pub fn retry(target: &Target, retry: bool, config: &CrawlConfig) -> Option<Target> {
    (retry && target.attempt < config.retries).then(|| Target { attempt: target.attempt + 1, ..target.clone() })
}

/// What a fetched document leads to.
#[derive(Default)]
pub struct Followed {
    /// Targets in the crawl's scope.
    pub links: Vec<Target>,
    /// A page for extraction, with the canonical URL it names.
    pub page: Option<(FetchedPage, Option<Url>)>,
    /// Why the document leads nowhere (a feed or sitemap that does not parse, a file that is not a
    /// page), as crawl reports count it.
    pub error: Option<String>,
}

/// Reads a fetched body: a feed's entries and a sitemap's pages and sitemaps; a page's feeds, its
/// links (when the crawl follows links) and the page itself.
pub fn follow(
    target: &Target,
    final_url: &Url,
    content_type: &str,
    bytes: Vec<u8>,
    scope: &Scope,
    config: &CrawlConfig,
) -> Followed {
    let (mut links, mut page, mut error) = (Vec::new(), None, None);
    let mut link = |url: &Url, kind| {
        if scope.contains(url) {
            links.push(Target::new(url, kind));
        }
    };
    match target.kind {
        TargetKind::Feed => match discover::feed_links(&bytes, final_url) {
            Ok(found) => found.iter().for_each(|u| link(u, TargetKind::Page)),
            Err(e) => error = Some(e),
        },
        TargetKind::Sitemap => match discover::sitemap_links(&bytes, final_url) {
            Ok(found) => {
                found.pages.iter().for_each(|u| link(u, TargetKind::Page));
                found.sitemaps.iter().for_each(|u| link(u, TargetKind::Sitemap));
            }
            Err(e) => error = Some(e),
        },
        TargetKind::Page => match page_kind(content_type) {
            None => error = Some(format!("not HTML ({})", content_type.split(';').next().unwrap_or_default())),
            Some(kind) => {
                let found = discover::page_links(&String::from_utf8_lossy(&bytes), final_url);
                found.feeds.iter().for_each(|u| link(u, TargetKind::Feed));
                if config.follow_links {
                    found.links.iter().for_each(|u| link(u, TargetKind::Page));
                }
                let fetched = FetchedPage {
                    id: final_url.to_string(),
                    url: final_url.to_string(),
                    fetched_at: chrono::Utc::now(),
                    headers: vec![("content-type".into(), content_type.to_string())],
                    kind,
                    bytes,
                };
                page = Some((fetched, found.canonical));
            }
        },
    }
    Followed { links, page, error }
}
