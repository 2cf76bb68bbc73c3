//! The crawler: a source that finds pages by itself, from seed pages, RSS/Atom feeds and sitemaps,
//! politely (robots.txt first, a delay and a concurrency cap per host), and remembers what it has
//! seen so that the next crawl only fetches what is new or changed.
//!
//! Worker threads share one frontier. Fetched HTML pages go to the pipeline through a channel; the
//! crawl state (frontier, seen URLs, validators, content hashes) is saved beside the index at each
//! checkpoint, which the caller takes right after the pages handed over so far were committed.

pub mod discover;
mod fetch;
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

pub use fetch::{Fetched, Fetcher, RobotsAnswer, crawled_page, is_page_type, not_a_page};
pub use scope::{Scope, allowed_hosts};
use state::Queued;
pub use state::{CrawlState, QueuedKind, Validators};

use crate::config::{CrawlConfig, FetchConfig};
use crate::document::FetchedPage;

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
    queued: Queued,
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

pub struct Crawler {
    config: CrawlConfig,
    fetcher: Fetcher,
    scope: Scope,
    state_path: PathBuf,
    /// Seed pages: section fronts change all the time and are read for their links, so they are
    /// always fetched in full.
    seed_pages: HashSet<String>,
    shared: Mutex<Shared>,
    wake: Condvar,
    /// Held while numbering and sending a page, so that pages reach the pipeline in number order
    /// (a checkpoint counts pages consumed). Never taken while holding `shared`.
    hand_over: Mutex<()>,
}

impl Crawler {
    /// A crawler for `config`, resuming the state saved at `state_path` if there is one.
    pub fn new(mut config: CrawlConfig, fetch: &FetchConfig, state_path: PathBuf) -> anyhow::Result<Arc<Self>> {
        let mut state = CrawlState::load(&state_path)?;
        let starts = [
            (&config.seeds, QueuedKind::Page),
            (&config.feeds, QueuedKind::Feed),
            (&config.sitemaps, QueuedKind::Sitemap),
        ];
        let mut start_urls = Vec::new();
        let mut queued: HashSet<String> = state.frontier.iter().map(|q| q.url.clone()).collect();
        for (urls_of_kind, kind) in starts {
            for raw in urls_of_kind.iter() {
                let url = urls::normalize(raw, None).ok_or_else(|| anyhow::anyhow!("not an http(s) URL: {raw}"))?;
                // Start points are re-read every run: feeds and sitemaps change, seed pages link to news.
                if queued.insert(url.to_string()) {
                    state.frontier.push_back(Queued { url: url.to_string(), kind, attempt: 0, not_before_ms: 0 });
                }
                start_urls.push(url);
            }
        }
        let scope = Scope::new(allowed_hosts(&config, &start_urls), &config.include, &config.exclude)?;
        let seed_pages = config.seeds.iter().filter_map(|s| urls::normalize(s, None)).map(|u| u.to_string()).collect();
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
            fetcher: Fetcher::new(&config.user_agent, fetch)?,
            scope,
            config,
            state_path,
            seed_pages,
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
    pub fn checkpoint(&self, pages_committed: u64) -> anyhow::Result<()> {
        let mut shared = self.shared.lock().expect("crawler lock");
        shared.handed_over = shared.handed_over.split_off(&pages_committed);
        let pending: Vec<&Pending> = shared.handed_over.values().chain(shared.fetching.values()).collect();
        shared.state.save(
            &self.state_path,
            &pending.iter().map(|p| p.queued.clone()).collect::<Vec<_>>(),
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
            let (host, url, queued) = job;
            match queued.kind {
                QueuedKind::Robots => self.fetch_robots(&host, &url),
                _ => self.fetch_and_follow(&host, &url, queued, pages),
            }
            let mut shared = self.shared.lock().expect("crawler lock");
            // Handed over pages have left `fetching` already; anything else is finished with.
            shared.fetching.remove(url.as_str());
            shared.in_flight -= 1;
            if let Some(h) = shared.hosts.get_mut(&host) {
                h.in_flight -= 1;
                h.next_allowed = Instant::now() + h.delay;
            }
            drop(shared);
            self.wake.notify_all();
        }
    }

    /// The next URL some host is ready for, waiting when every host is resting; `None` when the
    /// crawl is over.
    fn next_job(&self) -> Option<(String, Url, Queued)> {
        let mut shared = self.shared.lock().expect("crawler lock");
        loop {
            if shared.stopped || (shared.state.frontier.is_empty() && shared.in_flight == 0) {
                shared.stopped = true;
                self.wake.notify_all();
                return None;
            }
            let now = Instant::now();
            let now_ms = state::now_ms();
            let mut earliest: Option<Instant> = None;
            let mut chosen = None;
            for (i, q) in shared.state.frontier.iter().enumerate() {
                if q.not_before_ms > now_ms {
                    continue;
                }
                if q.kind == QueuedKind::Page && shared.pages_budget == 0 {
                    continue;
                }
                let Some(url) = Url::parse(&q.url).ok() else { continue };
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
                    let robots_url = url.join("/robots.txt").expect("robots path joins");
                    return Some((
                        key,
                        robots_url,
                        Queued { url: String::new(), kind: QueuedKind::Robots, attempt: 0, not_before_ms: 0 },
                    ));
                }
                let queued = shared.state.frontier.remove(i).expect("index from this frontier");
                if queued.kind == QueuedKind::Page {
                    shared.pages_budget -= 1;
                }
                let pending = Pending { queued: queued.clone(), content_hash: None, canonical: None };
                shared.fetching.insert(queued.url.clone(), pending);
                shared.hosts.get_mut(&key).expect("host known").in_flight += 1;
                return Some((key, url, queued));
            }
            let wait = earliest
                .map_or(Duration::from_millis(50), |e| e.saturating_duration_since(now))
                .max(Duration::from_millis(1));
            shared = self.wake.wait_timeout(shared, wait.min(Duration::from_millis(250))).expect("crawler lock").0;
        }
    }

    fn fetch_robots(&self, host: &str, robots_url: &Url) {
        let answer = self.fetcher.robots(robots_url);
        let mut shared = self.shared.lock().expect("crawler lock");
        let h = shared.hosts.get_mut(host).expect("host registered before its robots.txt");
        let mut sitemaps = Vec::new();
        match answer {
            RobotsAnswer::Rules(body) => {
                let robot = texting_robots::Robot::new(&self.config.user_agent, &body).ok();
                if let Some(robot) = &robot {
                    if let Some(delay) = robot.delay {
                        h.delay = h.delay.max(Duration::from_secs_f32(delay.min(60.0)));
                    }
                    sitemaps = robot.sitemaps.clone();
                }
                h.robots = Robots::Known(robot);
            }
            RobotsAnswer::Absent => h.robots = Robots::Known(None),
            RobotsAnswer::Unavailable(why) => {
                tracing::info!(url = %robots_url, "robots.txt unavailable: {why}");
                h.robots_failures += 1;
                let backoff = Duration::from_millis(self.config.delay_ms.max(100)) * 2u32.pow(h.robots_failures.min(6));
                h.robots = Robots::RetryAt(Instant::now() + backoff);
                if h.robots_failures > self.config.retries {
                    // Give up on the host: it stays unreachable for this run.
                    h.robots = Robots::Known(Some(
                        texting_robots::Robot::new("*", DISALLOW_ALL.as_bytes()).expect("static robots"),
                    ));
                    *shared.stats.errors.entry(ROBOTS_UNAVAILABLE.into()).or_default() += 1;
                }
            }
        }
        for sitemap in sitemaps.iter().filter_map(|s| urls::normalize(s, None)) {
            enqueue(&mut shared, &sitemap, QueuedKind::Sitemap);
        }
    }

    fn fetch_and_follow(&self, host: &str, url: &Url, queued: Queued, pages: &SyncSender<FetchedPage>) {
        let allowed = {
            let shared = self.shared.lock().expect("crawler lock");
            match shared.hosts.get(host).map(|h| &h.robots) {
                Some(Robots::Known(Some(robot))) => robot.allowed(url.as_str()),
                _ => true,
            }
        };
        if !allowed {
            self.shared.lock().expect("crawler lock").stats.disallowed += 1;
            return;
        }
        let validators = if self.seed_pages.contains(url.as_str()) {
            None
        } else {
            self.shared.lock().expect("crawler lock").state.validators.get(url.as_str()).cloned()
        };
        let fetched = self.fetcher.fetch(url, validators.as_ref());
        let mut shared = self.shared.lock().expect("crawler lock");
        match fetched {
            Fetched::NotModified => shared.stats.unchanged += 1,
            Fetched::Failed { kind, retry } => {
                if retry && queued.attempt < self.config.retries {
                    let backoff = self.config.delay_ms.max(100) * 2u64.pow(queued.attempt + 1);
                    if queued.kind == QueuedKind::Page {
                        shared.pages_budget += 1;
                    }
                    shared.state.frontier.push_back(Queued {
                        attempt: queued.attempt + 1,
                        not_before_ms: state::now_ms() + backoff,
                        ..queued
                    });
                } else {
                    tracing::info!(url = %url, "{kind}");
                    *shared.stats.errors.entry(kind).or_default() += 1;
                }
            }
            Fetched::Body { final_url, content_type, bytes, validators } => {
                shared.state.validators.insert(url.to_string(), validators);
                match queued.kind {
                    QueuedKind::Feed => match discover::feed_links(&bytes, &final_url) {
                        Ok(links) => links.iter().for_each(|l| self.enqueue_page(&mut shared, l)),
                        Err(e) => *shared.stats.errors.entry(e).or_default() += 1,
                    },
                    QueuedKind::Sitemap => match discover::sitemap_links(&bytes, &final_url) {
                        Ok(found) => {
                            found.pages.iter().for_each(|l| self.enqueue_page(&mut shared, l));
                            for s in found.sitemaps.iter().filter(|s| self.scope.contains(s)) {
                                enqueue(&mut shared, s, QueuedKind::Sitemap);
                            }
                        }
                        Err(e) => *shared.stats.errors.entry(e).or_default() += 1,
                    },
                    QueuedKind::Page | QueuedKind::Robots if !is_page_type(&content_type) => {
                        // Only HTML (and plain text) goes to extraction.
                        *shared.stats.errors.entry(not_a_page(&content_type)).or_default() += 1;
                    }
                    QueuedKind::Page | QueuedKind::Robots => {
                        drop(shared);
                        self.take_page(url, &final_url, &content_type, bytes, queued, pages);
                    }
                }
            }
        }
    }

    /// An HTML page: follow its links and feeds, drop it if its content was seen under another URL,
    /// hand it to the pipeline otherwise.
    fn take_page(
        &self,
        url: &Url,
        final_url: &Url,
        content_type: &str,
        bytes: Vec<u8>,
        queued: Queued,
        pages: &SyncSender<FetchedPage>,
    ) {
        let text = String::from_utf8_lossy(&bytes);
        let links = discover::page_links(&text, final_url);
        let mut shared = self.shared.lock().expect("crawler lock");
        for feed in links.feeds.iter().filter(|f| self.scope.contains(f)) {
            enqueue(&mut shared, feed, QueuedKind::Feed);
        }
        if self.config.follow_links {
            links.links.iter().for_each(|l| self.enqueue_page(&mut shared, l));
        }
        let hash = hex::encode(Sha256::digest(&bytes));
        let canonical_seen_elsewhere = links
            .canonical
            .as_ref()
            .is_some_and(|c| c != url && c != final_url && shared.state.fetched_canonicals.contains(c.as_str()));
        if !shared.state.content_hashes.insert(hash.clone()) || canonical_seen_elsewhere {
            shared.stats.duplicates += 1;
            return;
        }
        if let Some(c) = &links.canonical {
            shared.state.fetched_canonicals.insert(c.to_string());
        }
        if let Some(p) = shared.fetching.get_mut(url.as_str()) {
            p.content_hash = Some(hash.clone());
            p.canonical = links.canonical.as_ref().map(|c| c.to_string());
        }
        shared.stats.fetched += 1;
        drop(shared);
        let page = crawled_page(final_url, content_type, bytes);
        let _in_order = self.hand_over.lock().expect("hand-over lock");
        {
            let mut shared = self.shared.lock().expect("crawler lock");
            let sequence = shared.next_sequence;
            shared.next_sequence += 1;
            let pending = shared.fetching.remove(url.as_str()).unwrap_or(Pending {
                queued,
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

    fn enqueue_page(&self, shared: &mut Shared, url: &Url) {
        if self.scope.contains(url) {
            enqueue(shared, url, QueuedKind::Page);
        }
    }
}

/// robots.txt rules that keep a crawler out of a host whose robots.txt never answers.
pub const DISALLOW_ALL: &str = "User-agent: *\nDisallow: /\n";
/// The error counted when a host's robots.txt never answered.
pub const ROBOTS_UNAVAILABLE: &str = "robots.txt unavailable";

fn enqueue(shared: &mut Shared, url: &Url, kind: QueuedKind) {
    if shared.seen.insert(url.to_string()) {
        shared.state.frontier.push_back(Queued { url: url.to_string(), kind, attempt: 0, not_before_ms: 0 });
    }
}
