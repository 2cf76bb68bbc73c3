//! The crawler: a source that finds pages by itself, from seed pages, RSS/Atom feeds and sitemaps,
//! politely (robots.txt first, a delay and a concurrency cap per host), and remembers what it has
//! seen so that the next crawl only fetches what is new or changed.
//!
//! This is the in-process frontier: worker threads share it. Fetched HTML pages go to the pipeline
//! through a channel; the crawl state (frontier, seen URLs, validators, content hashes) is saved
//! beside the index at each checkpoint, which the caller takes right after the pages handed over so
//! far were committed. The rules (robots.txt, following, retries) are [`rules`], shared with the
//! frontier in Redis (`queue::crawl`).

pub mod discover;
mod error;
pub mod rules;
mod scope;
mod state;
pub mod urls;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use url::Url;

pub use error::CrawlError;
use rules::{RobotsOutcome, Target, TargetKind};
pub use scope::{Scope, allowed_hosts};
pub use state::CrawlState;

use crate::config::{CrawlConfig, FetchConfig};
use crate::document::FetchedPage;
use crate::sources::{HttpFetcher, RobotsAnswer, Validators};

/// Where the crawl state of an index is kept: beside the index directory, not inside it (tantivy
/// owns that one): `INDEX.crawl-state.json`.
pub fn state_path(index: &std::path::Path) -> PathBuf {
    let mut name = index.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "index".into());
    name.push(".crawl-state.json");
    index.with_file_name(name)
}

/// Counters shown while crawling and in the final report.
#[derive(Debug, Default, Clone)]
pub struct CrawlStats {
    pub fetched: usize,
    pub unchanged: usize,
    pub duplicates: usize,
    pub disallowed: usize,
    pub errors: BTreeMap<String, usize>,
}

/// A page taken from the frontier and not yet committed by the pipeline: until it is, the saved
/// state keeps it in the frontier and forgets that it was fetched, or a crash would lose it.
struct Pending {
    target: Target,
    content_hash: Option<String>,
    canonical: Option<String>,
}

enum Robots {
    Fetching,
    Known(Option<texting_robots::Robot>),
    /// robots.txt answered 5xx or timed out: the host waits.
    RetryAt(Instant),
}

struct Host {
    robots: Robots,
    next_allowed: Instant,
    in_flight: usize,
    delay: Duration,
    robots_failures: u32,
}

struct Shared {
    state: CrawlState,
    hosts: HashMap<String, Host>,
    in_flight: usize,
    /// Pages being fetched, by URL.
    fetching: HashMap<String, Pending>,
    /// Pages handed to the pipeline and not yet checkpointed, by hand-over number.
    handed_over: BTreeMap<u64, Pending>,
    next_sequence: u64,
    pages_budget: usize,
    stats: CrawlStats,
    stopped: bool,
    /// URLs queued in this run: each is fetched at most once per run (conditionally, when it was
    /// fetched in an earlier run).
    seen: HashSet<String>,
}

/// What a worker does next.
enum Job {
    /// Ask the host for its robots.txt.
    Robots {
        host: String,
        url: Url,
    },
    Fetch {
        host: String,
        url: Url,
        target: Target,
    },
}

pub struct Crawler {
    config: CrawlConfig,
    http: HttpFetcher,
    scope: Scope,
    state_path: PathBuf,
    shared: Mutex<Shared>,
    wake: Condvar,
    /// Held while numbering and sending a page, so that pages reach the pipeline in number order
    /// (a checkpoint counts pages consumed). Never taken while holding `shared`.
    hand_over: Mutex<()>,
}

impl Crawler {
    /// A crawler for `config`, resuming the state saved at `state_path` if there is one.
    pub fn new(mut config: CrawlConfig, fetch: &FetchConfig, state_path: PathBuf) -> Result<Arc<Self>, CrawlError> {
        let mut state = CrawlState::load(&state_path)?;
        let starts = [
            (&config.seeds, TargetKind::Page),
            (&config.feeds, TargetKind::Feed),
            (&config.sitemaps, TargetKind::Sitemap),
        ];
        let mut start_urls = Vec::new();
        let mut queued: HashSet<String> = state.frontier.iter().map(|t| t.url.clone()).collect();
        for (urls_of_kind, kind) in starts {
            for raw in urls_of_kind.iter() {
                let url = urls::normalize(raw, None).ok_or_else(|| CrawlError::NotAUrl(raw.clone()))?;
                // Start points are re-read every run: feeds and sitemaps change, seed pages link to news.
                if queued.insert(url.to_string()) {
                    state.frontier.push_back(Target { start: true, ..Target::new(&url, kind) });
                } else if let Some(left) = state.frontier.iter_mut().find(|t| t.url == url.as_str()) {
                    left.start = true;
                }
                start_urls.push(url);
            }
        }
        let scope = Scope::new(allowed_hosts(&config, &start_urls), &config.include, &config.exclude)?;
        let shared = Shared {
            seen: queued,
            state,
            hosts: HashMap::new(),
            in_flight: 0,
            fetching: HashMap::new(),
            handed_over: BTreeMap::new(),
            next_sequence: 0,
            pages_budget: config.max_pages,
            stats: CrawlStats::default(),
            stopped: false,
        };
        // The start points now live in the frontier.
        config.seeds = Vec::new();
        config.feeds = Vec::new();
        config.sitemaps = Vec::new();
        Ok(Arc::new(Crawler {
            http: HttpFetcher::with_user_agent(fetch, &config.user_agent),
            scope,
            config,
            state_path,
            shared: Mutex::new(shared),
            wake: Condvar::new(),
            hand_over: Mutex::new(()),
        }))
    }

    /// Runs the workers until the frontier is empty or the page budget is spent, sending each HTML
    /// page to `pages`. Returns when every worker has finished.
    pub fn run(self: &Arc<Self>, pages: SyncSender<FetchedPage>) {
        let workers: Vec<_> = (0..self.config.concurrency.max(1))
            .map(|_| {
                let crawler = Arc::clone(self);
                let pages = pages.clone();
                std::thread::spawn(move || crawler.work(&pages))
            })
            .collect();
        for w in workers {
            let _ = w.join();
        }
    }

    /// Records that every page handed over so far has been processed and committed, and saves the
    /// crawl state: pages handed over later stay in the saved frontier and are fetched again after
    /// a crash.
    pub fn checkpoint(&self, pages_committed: u64) -> Result<(), CrawlError> {
        let mut shared = self.shared.lock().expect("crawler lock");
        shared.handed_over = shared.handed_over.split_off(&pages_committed);
        let pending: Vec<&Pending> = shared.handed_over.values().chain(shared.fetching.values()).collect();
        shared.state.save(
            &self.state_path,
            &pending.iter().map(|p| p.target.clone()).collect::<Vec<_>>(),
            &pending.iter().filter_map(|p| p.content_hash.as_deref()).collect::<Vec<_>>(),
            &pending.iter().filter_map(|p| p.canonical.as_deref()).collect::<Vec<_>>(),
        )
    }

    pub fn stats(&self) -> CrawlStats {
        self.shared.lock().expect("crawler lock").stats.clone()
    }

    pub fn queued(&self) -> usize {
        self.shared.lock().expect("crawler lock").state.frontier.len()
    }

    /// One line for the progress display: fetched, queued, errors by kind.
    pub fn status_line(&self) -> String {
        let shared = self.shared.lock().expect("crawler lock");
        let errors: Vec<String> = shared.stats.errors.iter().map(|(kind, n)| format!("{n}× {kind}")).collect();
        format!(
            "fetched {} · unchanged {} · queued {} · errors: {}",
            shared.stats.fetched,
            shared.stats.unchanged,
            shared.state.frontier.len(),
            if errors.is_empty() { "none".to_string() } else { errors.join(", ") }
        )
    }

    fn work(&self, pages: &SyncSender<FetchedPage>) {
        while let Some(job) = self.next_job() {
            let (host, url, pause) = match job {
                Job::Robots { host, url } => {
                    self.fetch_robots(&host, &url);
                    (host, url, Duration::ZERO)
                }
                Job::Fetch { host, url, target } => {
                    let pause = self.fetch_and_follow(&host, &url, target, pages);
                    (host, url, pause)
                }
            };
            let mut shared = self.shared.lock().expect("crawler lock");
            // Handed over pages have left `fetching` already; anything else is finished with.
            shared.fetching.remove(url.as_str());
            shared.in_flight -= 1;
            if let Some(h) = shared.hosts.get_mut(&host) {
                h.in_flight -= 1;
                // After a failure that may pass, the whole host rests for the backoff.
                h.next_allowed = Instant::now() + h.delay.max(pause);
            }
            drop(shared);
            self.wake.notify_all();
        }
    }

    /// The next URL some host is ready for, waiting when every host is resting; `None` when the
    /// crawl is over.
    fn next_job(&self) -> Option<Job> {
        let mut shared = self.shared.lock().expect("crawler lock");
        loop {
            if shared.stopped || (shared.state.frontier.is_empty() && shared.in_flight == 0) {
                shared.stopped = true;
                self.wake.notify_all();
                return None;
            }
            let now = Instant::now();
            let mut earliest: Option<Instant> = None;
            let mut chosen = None;
            for (i, t) in shared.state.frontier.iter().enumerate() {
                if t.kind == TargetKind::Page && shared.pages_budget == 0 {
                    continue;
                }
                let Some(url) = Url::parse(&t.url).ok() else { continue };
                let key = urls::host_key(&url);
                match shared.hosts.get(&key) {
                    None => {
                        chosen = Some((i, key, url, true));
                        break;
                    }
                    Some(h) => match &h.robots {
                        Robots::Fetching => continue,
                        Robots::RetryAt(at) if *at > now => earliest = Some(earliest.map_or(*at, |e| e.min(*at))),
                        Robots::RetryAt(_) => {
                            chosen = Some((i, key, url, true));
                            break;
                        }
                        Robots::Known(_) if h.in_flight >= self.config.per_host_concurrency.max(1) => continue,
                        Robots::Known(_) if h.next_allowed > now => {
                            earliest = Some(earliest.map_or(h.next_allowed, |e| e.min(h.next_allowed)))
                        }
                        Robots::Known(_) => {
                            chosen = Some((i, key, url, false));
                            break;
                        }
                    },
                }
            }
            if let Some((i, key, url, needs_robots)) = chosen {
                shared.in_flight += 1;
                if needs_robots {
                    let delay = Duration::from_millis(self.config.delay_ms);
                    let host = shared.hosts.entry(key.clone()).or_insert(Host {
                        robots: Robots::Fetching,
                        next_allowed: now,
                        in_flight: 0,
                        delay,
                        robots_failures: 0,
                    });
                    host.robots = Robots::Fetching;
                    host.in_flight += 1;
                    let url = url.join("/robots.txt").expect("robots path joins");
                    return Some(Job::Robots { host: key, url });
                }
                let target = shared.state.frontier.remove(i).expect("index from this frontier");
                if target.kind == TargetKind::Page {
                    shared.pages_budget -= 1;
                }
                let pending = Pending { target: target.clone(), content_hash: None, canonical: None };
                shared.fetching.insert(target.url.clone(), pending);
                shared.hosts.get_mut(&key).expect("host known").in_flight += 1;
                return Some(Job::Fetch { host: key, url, target });
            }
            let wait = earliest
                .map_or(Duration::from_millis(50), |e| e.saturating_duration_since(now))
                .max(Duration::from_millis(1));
            shared = self.wake.wait_timeout(shared, wait.min(Duration::from_millis(250))).expect("crawler lock").0;
        }
    }

    fn fetch_robots(&self, host: &str, robots_url: &Url) {
        let answer = self.http.robots(robots_url);
        let mut shared = self.shared.lock().expect("crawler lock");
        let h = shared.hosts.get_mut(host).expect("host registered before its robots.txt");
        if let RobotsAnswer::Unavailable(why) = &answer {
            tracing::info!(url = %robots_url, "robots.txt unavailable: {why}");
            h.robots_failures += 1;
        }
        match rules::robots_outcome(answer, h.robots_failures, &self.config) {
            RobotsOutcome::AskAgainAfter(wait) => h.robots = Robots::RetryAt(Instant::now() + wait),
            RobotsOutcome::Rules { rules, crawl_delay, sitemaps, unanswered } => {
                h.delay = h.delay.max(crawl_delay.unwrap_or_default());
                h.robots = Robots::Known(rules::robot(&self.config.user_agent, &rules));
                if unanswered {
                    *shared.stats.errors.entry(rules::ROBOTS_UNAVAILABLE.into()).or_default() += 1;
                }
                for sitemap in &sitemaps {
                    enqueue(&mut shared, Target::new(sitemap, TargetKind::Sitemap));
                }
            }
        }
    }

    /// Fetches a target and follows it; returns how long its host should rest beyond its delay (the
    /// backoff after a failure that may pass).
    fn fetch_and_follow(&self, host: &str, url: &Url, target: Target, pages: &SyncSender<FetchedPage>) -> Duration {
        let allowed = {
            let shared = self.shared.lock().expect("crawler lock");
            match shared.hosts.get(host).map(|h| &h.robots) {
                Some(Robots::Known(Some(robot))) => robot.allowed(url.as_str()),
                _ => true,
            }
        };
        if !allowed {
            self.shared.lock().expect("crawler lock").stats.disallowed += 1;
            return Duration::ZERO;
        }
        let validators = if target.asks_conditionally() {
            self.shared.lock().expect("crawler lock").state.validators.get(url.as_str()).cloned()
        } else {
            None
        };
        let mut fetched = rules::fetch(&self.http, url, validators.as_ref());
        let rest = rules::rest_after(&fetched, &target, &self.config);
        let mut followed = rules::follow(&mut fetched, &target, &self.scope, &self.config);
        let page = followed.as_mut().and_then(|f| f.page.take());
        let mut shared = self.shared.lock().expect("crawler lock");
        let Ok(()) = rules::settle(&mut *shared, &target, rules::FetchOutcome::of(fetched, followed), &self.config);
        drop(shared);
        if let Some((page, canonical)) = page {
            self.take_page(url, page, canonical, target, pages);
        }
        rest
    }

    /// A page: dropped if its content was seen under another URL, handed to the pipeline otherwise.
    fn take_page(
        &self,
        url: &Url,
        page: FetchedPage,
        canonical: Option<Url>,
        target: Target,
        pages: &SyncSender<FetchedPage>,
    ) {
        let mut shared = self.shared.lock().expect("crawler lock");
        let hash = hex::encode(Sha256::digest(&page.bytes));
        let canonical_seen_elsewhere = canonical.as_ref().is_some_and(|c| {
            c != url && c.as_str() != page.url && shared.state.fetched_canonicals.contains(c.as_str())
        });
        if !shared.state.content_hashes.insert(hash.clone()) || canonical_seen_elsewhere {
            shared.stats.duplicates += 1;
            return;
        }
        if let Some(c) = &canonical {
            shared.state.fetched_canonicals.insert(c.to_string());
        }
        if let Some(p) = shared.fetching.get_mut(url.as_str()) {
            p.content_hash = Some(hash.clone());
            p.canonical = canonical.as_ref().map(|c| c.to_string());
        }
        shared.stats.fetched += 1;
        drop(shared);
        let _in_order = self.hand_over.lock().expect("hand-over lock");
        {
            let mut shared = self.shared.lock().expect("crawler lock");
            let sequence = shared.next_sequence;
            shared.next_sequence += 1;
            let pending = shared.fetching.remove(url.as_str()).unwrap_or(Pending {
                target,
                content_hash: Some(hash),
                canonical: None,
            });
            shared.handed_over.insert(sequence, pending);
        }
        if pages.send(page).is_err() {
            // The pipeline stopped: stop crawling.
            self.shared.lock().expect("crawler lock").stopped = true;
        }
    }
}

/// Queues a target unless its URL was queued before in this run.
fn enqueue(shared: &mut Shared, target: Target) {
    if shared.seen.insert(target.url.clone()) {
        shared.state.frontier.push_back(target);
    }
}

/// The in-process frontier keeps the crawl in memory, saved at each checkpoint.
impl rules::Frontier for Shared {
    type Error = std::convert::Infallible;

    fn queue(&mut self, target: &Target, again: bool) -> Result<(), Self::Error> {
        if again {
            self.state.frontier.push_back(target.clone());
        } else {
            enqueue(self, target.clone());
        }
        Ok(())
    }

    fn refund_page(&mut self) {
        self.pages_budget += 1;
    }

    fn remember_validators(&mut self, url: &str, validators: &Validators) -> Result<(), Self::Error> {
        self.state.validators.insert(url.to_string(), validators.clone());
        Ok(())
    }

    fn count_unchanged(&mut self) {
        self.stats.unchanged += 1;
    }

    fn count_error(&mut self, kind: &str) {
        *self.stats.errors.entry(kind.to_string()).or_default() += 1;
    }
}
