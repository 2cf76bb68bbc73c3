//! The crawl's rules, written once for both frontiers (the in-process one of `crawl` and the shared
//! one in Redis of `worker`): what a fetch came to, what robots.txt says and what to do when it does
//! not answer, which links a fetched document leads to, when a failure is tried again and how long
//! its host rests, and what a frontier records of each fetched target ([`settle`], over the
//! [`Frontier`] each implements).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use super::discover;
use super::scope::Scope;
use crate::config::CrawlConfig;
use crate::document::FetchedPage;
use crate::sources::http::{HttpFetcher, RobotsAnswer, Validators, page_kind};

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

    /// Whether to ask with the validators of its last fetch: not for a start page (section fronts
    /// change all the time and are read for their links).
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
        Err(e) => Fetched::Failed { kind: e.kind(), retry: e.may_pass() },
    }
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
fn retry(target: &Target, retry: bool, config: &CrawlConfig) -> Option<Target> {
    (retry && target.attempt < config.retries).then(|| Target { attempt: target.attempt + 1, ..target.clone() })
}

/// How long a host rests beyond its delay after a fetch: the backoff, after a failure that may pass.
pub fn rest_after(fetched: &Fetched, target: &Target, config: &CrawlConfig) -> Duration {
    match fetched {
        Fetched::Failed { retry: true, .. } => backoff(config, target.attempt + 1),
        _ => Duration::ZERO,
    }
}

/// What a frontier keeps of a crawl, as [`settle`] records it. The in-process frontier changes its
/// state in memory; the one in Redis adds the commands to the transaction that acknowledges the
/// target.
pub trait Frontier {
    type Error;
    /// Queues a target unless its URL was queued before in this crawl; a retry (`again`) always.
    fn queue(&mut self, target: &Target, again: bool) -> Result<(), Self::Error>;
    /// A page target tried again gives its page back to the crawl's page budget.
    fn refund_page(&mut self);
    fn remember_validators(&mut self, url: &str, validators: &Validators) -> Result<(), Self::Error>;
    fn count_unchanged(&mut self);
    fn count_error(&mut self, kind: &str);
}

/// What a fetched target came to once its body is read ([`follow`]).
pub enum FetchOutcome {
    NotModified,
    Failed { kind: String, retry: bool },
    Read { validators: Validators, links: Vec<Target>, error: Option<String> },
}

impl FetchOutcome {
    /// The outcome of a fetch and, for a body, of following it (its page goes on separately).
    pub fn of(fetched: Fetched, followed: Option<Followed>) -> FetchOutcome {
        match fetched {
            Fetched::NotModified => FetchOutcome::NotModified,
            Fetched::Failed { kind, retry } => FetchOutcome::Failed { kind, retry },
            Fetched::Body { validators, .. } => {
                let Followed { links, error, .. } = followed.unwrap_or_default();
                FetchOutcome::Read { validators, links, error }
            }
        }
    }
}

/// Records what came of `target` on `frontier`: the links it leads to, its validators, a retry or
/// the error.
pub fn settle<F: Frontier>(
    frontier: &mut F,
    target: &Target,
    outcome: FetchOutcome,
    config: &CrawlConfig,
) -> Result<(), F::Error> {
    match outcome {
        FetchOutcome::NotModified => frontier.count_unchanged(),
        FetchOutcome::Failed { kind, retry: may_pass } => match retry(target, may_pass, config) {
            Some(again) => {
                if again.kind == TargetKind::Page {
                    frontier.refund_page();
                }
                frontier.queue(&again, true)?;
            }
            None => {
                tracing::info!(url = %target.url, "{kind}");
                frontier.count_error(&kind);
            }
        },
        FetchOutcome::Read { validators, links, error } => {
            frontier.remember_validators(&target.url, &validators)?;
            for link in &links {
                frontier.queue(link, false)?;
            }
            if let Some(kind) = error {
                frontier.count_error(&kind);
            }
        }
    }
    Ok(())
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

/// Follows what a fetch brought, taking its body out of `fetched` (the validators stay); `None`
/// when it brought no body.
pub fn follow(fetched: &mut Fetched, target: &Target, scope: &Scope, config: &CrawlConfig) -> Option<Followed> {
    let Fetched::Body { final_url, content_type, bytes, .. } = fetched else { return None };
    Some(read(target, final_url, content_type, std::mem::take(bytes), scope, config))
}

/// Reads a fetched body: a feed's entries and a sitemap's pages and sitemaps; a page's feeds, its
/// links (when the crawl follows links) and the page itself.
fn read(
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

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> CrawlConfig {
        CrawlConfig { delay_ms: 200, retries: 2, user_agent: "newshound-test".into(), ..CrawlConfig::default() }
    }

    #[test]
    fn a_host_whose_robots_txt_never_answers_waits_longer_each_time_then_stays_closed() {
        let unavailable = || RobotsAnswer::Unavailable("HTTP 503".into());
        let waits: Vec<Duration> = (1..=2)
            .map(|failures| match robots_outcome(unavailable(), failures, &config()) {
                RobotsOutcome::AskAgainAfter(wait) => wait,
                RobotsOutcome::Rules { .. } => panic!("given up after {failures} failures"),
            })
            .collect();
        assert_eq!(waits, [Duration::from_millis(400), Duration::from_millis(800)]);
        let RobotsOutcome::Rules { rules, unanswered: true, .. } = robots_outcome(unavailable(), 3, &config()) else {
            panic!("not given up after the retries");
        };
        assert!(!robot("newshound-test", &rules).unwrap().allowed("https://example.org/news"));
    }

    #[test]
    fn robots_rules_give_their_crawl_delay_at_most_a_minute_and_their_sitemaps() {
        let body = b"User-agent: *\nCrawl-delay: 600\nDisallow: /private/\nSitemap: https://example.org/sitemap.xml\n";
        let RobotsOutcome::Rules { rules, crawl_delay, sitemaps, unanswered: false } =
            robots_outcome(RobotsAnswer::Rules(body.to_vec()), 0, &config())
        else {
            panic!("rules not kept");
        };
        assert_eq!(crawl_delay, Some(Duration::from_secs(60)));
        assert_eq!(sitemaps, [Url::parse("https://example.org/sitemap.xml").unwrap()]);
        let rules_read = robot("newshound-test", &rules).unwrap();
        assert!(rules_read.allowed("https://example.org/news") && !rules_read.allowed("https://example.org/private/x"));
        let RobotsOutcome::Rules { rules, .. } = robots_outcome(RobotsAnswer::Absent, 0, &config()) else {
            panic!("no robots.txt is no rules");
        };
        assert!(robot("newshound-test", &rules).is_none());
    }

    #[test]
    fn a_failure_that_may_pass_rests_the_host_and_is_tried_again_while_retries_last() {
        let target = Target::new(&Url::parse("https://example.org/a").unwrap(), TargetKind::Page);
        let passing = Fetched::Failed { kind: "timeout".into(), retry: true };
        assert_eq!(rest_after(&passing, &target, &config()), Duration::from_millis(400));
        let lasting = Fetched::Failed { kind: "HTTP 404".into(), retry: false };
        assert_eq!(rest_after(&lasting, &target, &config()), Duration::ZERO);
        let again = retry(&target, true, &config()).unwrap();
        assert_eq!(again.attempt, 1);
        assert!(retry(&Target { attempt: 2, ..again }, true, &config()).is_none(), "two retries, then the error");
        assert!(retry(&target, false, &config()).is_none());
    }
}
