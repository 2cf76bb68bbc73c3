//! The shared crawl: one frontier in Redis that every worker fetches from.
//!
//! Each host has its own queue, a stream of targets (pages, feeds, sitemaps) read through the
//! `workers` group, so a target is acknowledged only once what came of it is handed on, and a dead
//! worker's targets are claimed by the others like any work. The sorted set `newshound:crawl:hosts`
//! holds every host with queued targets, scored by the time (Redis server time, in ms) it may next
//! be asked for something. A worker takes a host by moving that time past a lease, fetches one
//! target, and sets the time to the end of the host's delay: one request per host at a time and per
//! delay, across all workers, whatever their clocks say. URLs seen, robots.txt, Crawl-delay,
//! validators for conditional requests, and the content hashes and canonical URLs that find
//! duplicates are kept in Redis beside them.
//!
//! The scripts below name per-host keys that are not passed as `KEYS`: the frontier needs one Redis
//! server, not a cluster.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use rayon::prelude::*;
use redis::streams::{StreamAutoClaimReply, StreamReadReply};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

use super::QueueError;
use super::error::Result;
use super::{DOCUMENT_FIELD, Queue, RESULTS, WORKERS_GROUP, add_dead_letter, bury, deliveries};
use crate::config::{CrawlConfig, FetchConfig};
use crate::pipeline::{Outcome, Pipeline};
use crate::progress::Progress;
use crate::sources::crawl::rules::{self, FetchOutcome, Fetched, RobotsOutcome, Target, TargetKind};
use crate::sources::crawl::{CrawlError, Scope, allowed_hosts, urls};
use crate::sources::{HttpFetcher, Item, RobotsAnswer, Validators};

/// Hosts with queued targets → when each may next be asked (ms, Redis time).
const HOSTS: &str = "newshound:crawl:hosts";
/// A host's queue is this prefix and the host.
const HOST_QUEUE: &str = "newshound:crawl:host:";
const TARGET_FIELD: &str = "target";
/// Every URL queued since the crawl was last enqueued: each is fetched once per crawl.
const SEEN: &str = "newshound:crawl:seen";
/// A host's robots.txt (empty: it has none) is read once per crawl; its key is this prefix, the
/// crawl's number and the host. Kept a day at most.
const ROBOTS: &str = "newshound:crawl:robots:";
const ROBOTS_KEPT: Duration = Duration::from_secs(24 * 3600);
/// The number of the latest crawl enqueued.
const CRAWL_NUMBER: &str = "newshound:crawl:number";
const ROBOTS_FAILURES: &str = "newshound:crawl:robots-failures";
/// Host → its Crawl-delay in ms.
const CRAWL_DELAYS: &str = "newshound:crawl:delays";
/// URL → its ETag and Last-Modified (JSON).
const VALIDATORS: &str = "newshound:crawl:validators";
const CONTENT_HASHES: &str = "newshound:crawl:content";
const CANONICALS: &str = "newshound:crawl:canonicals";
/// The crawl's settings, as `enqueue` was given them (JSON).
const SETTINGS: &str = "newshound:crawl:settings";
const ALLOWED_HOSTS: &str = "newshound:crawl:allowed-hosts";
/// Pages still to fetch in this crawl.
const PAGE_BUDGET: &str = "newshound:crawl:budget";
/// What became of the fetched targets, and errors by kind.
const COUNTS: &str = "newshound:crawl:counts";
const ERRORS: &str = "newshound:crawl:errors";

/// Server time in ms.
const NOW: &str = "local function now() local t = redis.call('TIME') \
                   return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end ";

/// Queues a target unless its URL was seen (or anyway, when forced), and makes its host known.
/// KEYS: seen, hosts, host queue. ARGV: url, target, forced ("1"), group, host.
const ADD_TARGET: &str = "local new = redis.call('SADD', KEYS[1], ARGV[1]) == 1 \
    if not new and ARGV[3] ~= '1' then return 0 end \
    if redis.call('EXISTS', KEYS[3]) == 0 then redis.call('XGROUP', 'CREATE', KEYS[3], ARGV[4], '0', 'MKSTREAM') end \
    redis.call('XADD', KEYS[3], '*', 'target', ARGV[2]) \
    redis.call('ZADD', KEYS[2], 'NX', now(), ARGV[5]) \
    return 1";

/// Takes up to ARGV[1] hosts that may be asked now, leasing each for ARGV[2] ms; hosts whose queue
/// is empty are forgotten (they are not leased, so no target of theirs is being fetched).
/// KEYS: hosts. ARGV: count, lease, host queue prefix.
const TAKE_HOSTS: &str = "local t = now() \
    local taken = {} \
    for _, host in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', t, 'LIMIT', 0, 100)) do \
      if #taken >= tonumber(ARGV[1]) then break end \
      if redis.call('XLEN', ARGV[3] .. host) == 0 then redis.call('ZREM', KEYS[1], host) \
      else redis.call('ZADD', KEYS[1], t + tonumber(ARGV[2]), host) table.insert(taken, host) end \
    end \
    return taken";

/// The host may be asked again ARGV[2] ms from now. KEYS: hosts. ARGV: host, delay.
const RELEASE_HOST: &str = "redis.call('ZADD', KEYS[1], now() + tonumber(ARGV[2]), ARGV[1]) return 1";

/// Hands a fetched page on unless its content, or its canonical URL under another address, was
/// handed on before. KEYS: content hashes, canonicals, results, counts. ARGV: hash, canonical or
/// '', url, final url, document field, document or '' (a page without an article).
const KEEP_PAGE: &str = "if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then \
      redis.call('HINCRBY', KEYS[4], 'duplicates', 1) return 0 end \
    local c = ARGV[2] \
    if c ~= '' then \
      if c ~= ARGV[3] and c ~= ARGV[4] and redis.call('SISMEMBER', KEYS[2], c) == 1 then \
        redis.call('HINCRBY', KEYS[4], 'duplicates', 1) return 0 end \
      redis.call('SADD', KEYS[2], c) \
    end \
    redis.call('HINCRBY', KEYS[4], 'fetched', 1) \
    if ARGV[6] ~= '' then redis.call('XADD', KEYS[3], '*', ARGV[5], ARGV[6]) end \
    return 1";

/// How every worker crawls: the `[crawl]` settings `enqueue` was run with, and which crawl they
/// are of (robots.txt is read once per crawl).
#[derive(Debug, Serialize, Deserialize)]
struct SharedSettings {
    number: u64,
    crawl: CrawlConfig,
}

/// Puts the start points of a crawl on the shared frontier, with the crawl's settings: its hosts
/// (`allowed_hosts`, or those of the start points), patterns, delay and page budget. Like a run of
/// `crawl`, it starts afresh: every URL it finds may be fetched once more, conditionally when its
/// validators are known.
pub fn enqueue_crawl(
    queue: &mut Queue,
    config: &CrawlConfig,
    seeds: &[String],
    feeds: &[String],
    sitemaps: &[String],
) -> Result<usize> {
    let mut starts = Vec::new();
    for (urls_of_kind, kind) in [(seeds, TargetKind::Page), (feeds, TargetKind::Feed), (sitemaps, TargetKind::Sitemap)]
    {
        for raw in urls_of_kind {
            let url = urls::normalize(raw, None).ok_or_else(|| CrawlError::NotAUrl(raw.clone()))?;
            starts.push((url, kind));
        }
    }
    let urls: Vec<Url> = starts.iter().map(|(u, _)| u.clone()).collect();
    // The patterns are checked here, where a mistake can be reported, rather than in every worker.
    Scope::new(HashSet::new(), &config.include, &config.exclude)?;
    let number: u64 = queue.query(redis::cmd("INCR").arg(CRAWL_NUMBER), "cannot number the crawl")?;
    let settings = SharedSettings { number, crawl: config.clone() };
    let mut pipe = redis::pipe();
    pipe.atomic();
    pipe.cmd("SET").arg(SETTINGS).arg(serde_json::to_string(&settings)?).ignore();
    for host in allowed_hosts(config, &urls) {
        pipe.cmd("SADD").arg(ALLOWED_HOSTS).arg(host).ignore();
    }
    // A new crawl: each URL is fetched once more at most (conditionally, when it was before).
    pipe.cmd("DEL").arg(SEEN).ignore();
    pipe.cmd("SET").arg(PAGE_BUDGET).arg(config.max_pages).ignore();
    for (url, kind) in &starts {
        add_target(&mut pipe, &Target { start: true, ..Target::new(url, *kind) }, true)?;
    }
    queue.run_atomically(&pipe, "cannot queue the crawl")?;
    Ok(starts.len())
}

/// The frontier keeps politeness and robots.txt per origin (scheme, host and port), as robots.txt
/// itself applies.
fn frontier_host(url: &Url) -> String {
    url.origin().ascii_serialization()
}

fn host_queue(host: &str) -> String {
    format!("{HOST_QUEUE}{host}")
}

/// `EVAL` of one of the scripts above.
fn script(body: &str, keys: &[&str]) -> redis::Cmd {
    let mut cmd = redis::cmd("EVAL");
    cmd.arg(format!("{NOW}{body}")).arg(keys.len()).arg(keys);
    cmd
}

/// Adds to `pipe` the queueing of `target` (skipped for a URL seen before, unless `forced`).
fn add_target(pipe: &mut redis::Pipeline, target: &Target, forced: bool) -> Result<()> {
    let url = Url::parse(&target.url).map_err(|_| CrawlError::NotAUrl(target.url.clone()))?;
    let host = frontier_host(&url);
    let queue = host_queue(&host);
    let mut cmd = script(ADD_TARGET, &[SEEN, HOSTS, &queue]);
    cmd.arg(&target.url).arg(serde_json::to_string(target)?).arg(if forced { "1" } else { "0" });
    cmd.arg(WORKERS_GROUP).arg(&host);
    pipe.add_command(cmd).ignore();
    Ok(())
}

fn release_host(pipe: &mut redis::Pipeline, host: &str, delay: Duration) {
    let mut cmd = script(RELEASE_HOST, &[HOSTS]);
    cmd.arg(host).arg(delay.as_millis() as u64);
    pipe.add_command(cmd).ignore();
}

/// The crawl's state for `queue status`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CrawlStatus {
    /// Hosts with targets queued or being fetched.
    pub hosts: u64,
    /// Targets queued or being fetched, over all hosts.
    pub queued: u64,
    /// URLs ever queued.
    pub seen: u64,
    /// Fetched pages handed on, unchanged (304), duplicates, disallowed by robots.txt, over budget.
    pub counts: BTreeMap<String, u64>,
    pub errors: BTreeMap<String, u64>,
}

impl Queue {
    /// Hosts with targets queued or being fetched.
    pub(super) fn crawl_hosts(&mut self) -> Result<u64> {
        self.query(redis::cmd("ZCARD").arg(HOSTS), "cannot read the crawl frontier")
    }

    pub(super) fn crawl_status(&mut self) -> Result<CrawlStatus> {
        let hosts: Vec<String> =
            self.query(redis::cmd("ZRANGE").arg(HOSTS).arg(0).arg(-1), "cannot read the crawl hosts")?;
        let mut queued = 0;
        for host in &hosts {
            queued += self.query::<u64>(redis::cmd("XLEN").arg(host_queue(host)), "cannot read a host queue")?;
        }
        Ok(CrawlStatus {
            hosts: hosts.len() as u64,
            queued,
            seen: self.query(redis::cmd("SCARD").arg(SEEN), "cannot read the URLs seen")?,
            counts: self.query(redis::cmd("HGETALL").arg(COUNTS), "cannot read the crawl counts")?,
            errors: self.query(redis::cmd("HGETALL").arg(ERRORS), "cannot read the crawl errors")?,
        })
    }
}

/// A worker's part in the shared crawl.
pub struct SharedCrawl {
    fetch: FetchConfig,
    name: String,
    claim_after: Duration,
    max_deliveries: u64,
    /// The fetcher for the crawl's user agent.
    http: Option<HttpFetcher>,
}

/// What one step did.
#[derive(Debug, Default)]
pub struct StepReport {
    /// Targets finished.
    pub targets: u64,
    pub documents: u64,
    pub failed: u64,
}

/// A host leased for one request, and what to ask it.
enum Job {
    Robots { host: String },
    Fetch { host: String, id: String, target: Target, url: Url, validators: Option<Validators> },
}

/// What came of a target, ready to hand on.
struct Finished {
    id: String,
    host: String,
    target: Target,
    outcome: FetchOutcome,
    page: Option<FetchedArticle>,
}

/// A fetched page (HTML or text), for the duplicate check and the results.
struct FetchedArticle {
    content_hash: String,
    canonical: Option<String>,
    final_url: String,
    /// The pipeline's outcome; `None` for content handed on before.
    outcome: Option<Outcome>,
}

impl SharedCrawl {
    pub fn new(fetch: FetchConfig, name: &str, claim_after: Duration, max_deliveries: u64) -> SharedCrawl {
        SharedCrawl { fetch, name: name.to_string(), claim_after, max_deliveries, http: None }
    }

    /// Fetches one target from each of up to `hosts` hosts that may be asked now, runs the pages
    /// through the pipeline and hands the results on.
    pub fn step(
        &mut self,
        queue: &mut Queue,
        pipeline: &Pipeline,
        hosts: usize,
        progress: &mut Progress,
    ) -> Result<StepReport> {
        let mut report = StepReport::default();
        let settings: Option<String> =
            queue.query(redis::cmd("GET").arg(SETTINGS), "cannot read the crawl settings")?;
        let Some(settings) = settings else { return Ok(report) };
        let settings: SharedSettings = serde_json::from_str(&settings)
            .map_err(|e| queue.unexpected(format!("{SETTINGS} is not crawl settings ({e})")))?;
        // A lease outlasts any fetch: connecting, the answer, and a margin.
        let lease = Duration::from_secs(self.fetch.connect_timeout_secs + self.fetch.timeout_secs + 5);
        let mut take = script(TAKE_HOSTS, &[HOSTS]);
        take.arg(hosts).arg(lease.as_millis() as u64).arg(HOST_QUEUE);
        let taken: Vec<String> = queue.query(&take, "cannot take crawl hosts")?;
        let mut jobs = Vec::new();
        for host in taken {
            if let Some(job) = self.job_for(queue, host, &settings)? {
                jobs.push(job);
            }
        }
        if jobs.is_empty() {
            return Ok(report);
        }
        // Where links may lead is read only when there is something to fetch: idle steps come often.
        let allowed: HashSet<String> =
            queue.query(redis::cmd("SMEMBERS").arg(ALLOWED_HOSTS), "cannot read the crawl's hosts")?;
        let scope = Scope::new(allowed, &settings.crawl.include, &settings.crawl.exclude)?;
        let agent = &settings.crawl.user_agent;
        if self.http.as_ref().is_none_or(|http| http.user_agent() != agent) {
            self.http = Some(HttpFetcher::with_user_agent(&self.fetch, agent));
        }
        let http = self.http.as_ref().expect("set above");
        let answers: Vec<Answered> = jobs
            .into_par_iter()
            .map(|job| match job {
                Job::Robots { host } => Answered::Robots { answer: http.robots(&robots_url(&host)), host },
                Job::Fetch { host, id, target, url, validators } => {
                    Answered::Fetch { fetched: rules::fetch(http, &url, validators.as_ref()), host, id, target }
                }
            })
            .collect();
        // The hosts are free again as soon as they have answered.
        let mut fetched = Vec::new();
        for answered in answers {
            match answered {
                Answered::Robots { host, answer } => self.store_robots(queue, &host, answer, &settings)?,
                Answered::Fetch { host, id, target, fetched: f } => {
                    let delay =
                        self.host_delay(queue, &host, &settings)?.max(rules::rest_after(&f, &target, &settings.crawl));
                    let mut pipe = redis::pipe();
                    release_host(&mut pipe, &host, delay);
                    queue.run_atomically(&pipe, "cannot release a crawl host")?;
                    let seen_content = match &f {
                        Fetched::Body { bytes, .. } if target.kind == TargetKind::Page => {
                            let hash = hex::encode(Sha256::digest(bytes));
                            let seen: bool = queue.query(
                                redis::cmd("SISMEMBER").arg(CONTENT_HASHES).arg(&hash),
                                "cannot read the content hashes",
                            )?;
                            Some((hash, seen))
                        }
                        _ => None,
                    };
                    fetched.push((host, id, target, f, seen_content));
                }
            }
        }
        let finished: Vec<Finished> = fetched
            .into_par_iter()
            .map(|(host, id, target, f, seen_content)| {
                follow(pipeline, &scope, &settings.crawl, host, id, target, f, seen_content)
            })
            .collect();
        for finished in finished {
            let (documents, failed) = self.hand_on(queue, finished, &settings, progress)?;
            report.targets += 1;
            report.documents += documents;
            report.failed += failed;
        }
        Ok(report)
    }

    /// What to do with a leased host: ask for its robots.txt first, then for its next target. A
    /// target it must not fetch is finished here, without a request.
    fn job_for(&mut self, queue: &mut Queue, host: String, settings: &SharedSettings) -> Result<Option<Job>> {
        let rules: Option<Vec<u8>> =
            queue.query(redis::cmd("GET").arg(robots_key(settings, &host)), "cannot read robots.txt")?;
        let Some(rules) = rules else { return Ok(Some(Job::Robots { host })) };
        let robot = rules::robot(&settings.crawl.user_agent, &rules);
        let free_now = |queue: &mut Queue, host: &str| {
            let mut pipe = redis::pipe();
            release_host(&mut pipe, host, Duration::ZERO);
            queue.run_atomically(&pipe, "cannot release a crawl host")
        };
        let Some((id, target)) = self.next_target(queue, &host)? else {
            // Its targets are all being finished by other workers.
            free_now(queue, &host)?;
            return Ok(None);
        };
        let stream = host_queue(&host);
        let target: Target = match serde_json::from_str::<Target>(&target) {
            Ok(t) => t,
            Err(e) => {
                bury(queue, &stream, &id, &target, &format!("not a crawl target ({e})"))?;
                free_now(queue, &host)?;
                return Ok(None);
            }
        };
        let url = match Url::parse(&target.url) {
            Ok(url) => url,
            Err(e) => {
                bury(queue, &stream, &id, &target.url, &format!("not a URL ({e})"))?;
                free_now(queue, &host)?;
                return Ok(None);
            }
        };
        let skip = if target.kind == TargetKind::Page
            && queue.query::<i64>(redis::cmd("DECR").arg(PAGE_BUDGET), "cannot count the page budget")? < 0
        {
            Some("over the page budget")
        } else if robot.is_some_and(|r| !r.allowed(url.as_str())) {
            Some("disallowed")
        } else {
            None
        };
        if let Some(count) = skip {
            let mut pipe = redis::pipe();
            pipe.atomic();
            pipe.cmd("HINCRBY").arg(COUNTS).arg(count).arg(1).ignore();
            acknowledge(&mut pipe, &stream, &id);
            release_host(&mut pipe, &host, Duration::ZERO);
            queue.run_atomically(&pipe, "cannot finish a crawl target")?;
            return Ok(None);
        }
        let validators = if target.asks_conditionally() {
            let json: Option<String> =
                queue.query(redis::cmd("HGET").arg(VALIDATORS).arg(&target.url), "cannot read validators")?;
            json.and_then(|j| serde_json::from_str(&j).ok())
        } else {
            None
        };
        Ok(Some(Job::Fetch { host, id, target, url, validators }))
    }

    /// The host's next target: one abandoned by a dead worker, or else a new one.
    fn next_target(&self, queue: &mut Queue, host: &str) -> Result<Option<(String, String)>> {
        let stream = host_queue(host);
        loop {
            let claimed: StreamAutoClaimReply = queue.query(
                redis::cmd("XAUTOCLAIM")
                    .arg(&stream)
                    .arg(WORKERS_GROUP)
                    .arg(&self.name)
                    .arg(self.claim_after.as_millis() as u64)
                    .arg("0-0")
                    .arg("COUNT")
                    .arg(1),
                "cannot claim abandoned crawl targets",
            )?;
            let Some(id) = claimed.claimed.first() else { break };
            let target = id.get::<String>(TARGET_FIELD).unwrap_or_default();
            let deliveries = deliveries(queue, &stream, &id.id)?;
            if deliveries <= self.max_deliveries {
                tracing::info!(entry = %id.id, %target, deliveries, "took over an abandoned crawl target");
                return Ok(Some((id.id.clone(), target)));
            }
            let reason = format!("handed out {deliveries} times without finishing (it may crash workers)");
            bury(queue, &stream, &id.id, &target, &reason)?;
        }
        let reply: Option<StreamReadReply> = queue.query(
            redis::cmd("XREADGROUP")
                .arg("GROUP")
                .arg(WORKERS_GROUP)
                .arg(&self.name)
                .arg("COUNT")
                .arg(1)
                .arg("STREAMS")
                .arg(&stream)
                .arg(">"),
            "cannot read a host queue",
        )?;
        Ok(reply
            .into_iter()
            .flat_map(|r| r.keys)
            .flat_map(|k| k.ids)
            .next()
            .map(|id| (id.id.clone(), id.get::<String>(TARGET_FIELD).unwrap_or_default())))
    }

    /// The host's delay between requests: the crawl's, or its robots.txt Crawl-delay when longer.
    fn host_delay(&self, queue: &mut Queue, host: &str, settings: &SharedSettings) -> Result<Duration> {
        let crawl_delay: Option<u64> =
            queue.query(redis::cmd("HGET").arg(CRAWL_DELAYS).arg(host), "cannot read a crawl delay")?;
        Ok(Duration::from_millis(settings.crawl.delay_ms.max(crawl_delay.unwrap_or(0))))
    }

    /// Keeps a host's robots.txt answer for every worker; a host whose robots.txt does not answer
    /// waits, longer each time, and is given up after the crawl's retries.
    fn store_robots(
        &self,
        queue: &mut Queue,
        host: &str,
        answer: RobotsAnswer,
        settings: &SharedSettings,
    ) -> Result<()> {
        let mut pipe = redis::pipe();
        pipe.atomic();
        let mut delay = Duration::from_millis(settings.crawl.delay_ms);
        let failures = match &answer {
            RobotsAnswer::Unavailable(why) => {
                tracing::info!(host, "robots.txt unavailable: {why}");
                queue.query(
                    redis::cmd("HINCRBY").arg(ROBOTS_FAILURES).arg(host).arg(1),
                    "cannot count robots.txt failures",
                )?
            }
            _ => 0,
        };
        match rules::robots_outcome(answer, failures, &settings.crawl) {
            RobotsOutcome::AskAgainAfter(wait) => delay = wait,
            RobotsOutcome::Rules { rules, crawl_delay, sitemaps, unanswered } => {
                if unanswered {
                    pipe.cmd("HINCRBY").arg(ERRORS).arg(rules::ROBOTS_UNAVAILABLE).arg(1).ignore();
                }
                if let Some(crawl_delay) = crawl_delay {
                    pipe.cmd("HSET").arg(CRAWL_DELAYS).arg(host).arg(crawl_delay.as_millis() as u64).ignore();
                    delay = delay.max(crawl_delay);
                }
                for sitemap in &sitemaps {
                    add_target(&mut pipe, &Target::new(sitemap, TargetKind::Sitemap), false)?;
                }
                pipe.cmd("SET")
                    .arg(robots_key(settings, host))
                    .arg(rules)
                    .arg("EX")
                    .arg(ROBOTS_KEPT.as_secs())
                    .ignore();
                pipe.cmd("HDEL").arg(ROBOTS_FAILURES).arg(host).ignore();
            }
        }
        release_host(&mut pipe, host, delay);
        queue.run_atomically(&pipe, "cannot keep robots.txt")
    }

    /// Hands on what came of a target and acknowledges it, in one transaction: its links, its
    /// document, its validators, a retry or the error.
    fn hand_on(
        &self,
        queue: &mut Queue,
        finished: Finished,
        settings: &SharedSettings,
        progress: &mut Progress,
    ) -> Result<(u64, u64)> {
        let Finished { id, host, target, outcome, page } = finished;
        let mut pipe = redis::pipe();
        pipe.atomic();
        let (mut documents, mut failed) = (0, 0);
        rules::settle(&mut Handing(&mut pipe), &target, outcome, &settings.crawl)?;
        if let Some(FetchedArticle { content_hash, canonical, final_url, outcome }) = page {
            let document = match outcome {
                Some(Outcome::Document(doc, _)) => {
                    documents += 1;
                    serde_json::to_string(&doc)?
                }
                Some(Outcome::Failed(e)) => {
                    progress.println(&format!("error: {e}"));
                    add_dead_letter(&mut pipe, &e.input, &e.reason);
                    failed += 1;
                    String::new()
                }
                Some(Outcome::NoArticle(_)) | None => String::new(),
            };
            let mut cmd = script(KEEP_PAGE, &[CONTENT_HASHES, CANONICALS, RESULTS, COUNTS]);
            cmd.arg(content_hash).arg(canonical.unwrap_or_default()).arg(&target.url).arg(final_url);
            cmd.arg(DOCUMENT_FIELD).arg(document);
            pipe.add_command(cmd).ignore();
        }
        acknowledge(&mut pipe, &host_queue(&host), &id);
        queue.run_atomically(&pipe, "cannot hand on a crawled page")?;
        progress.advance(&target.url);
        Ok((documents, failed))
    }
}

/// A job and its answer.
enum Answered {
    Robots { host: String, answer: RobotsAnswer },
    Fetch { host: String, id: String, target: Target, fetched: Fetched },
}

fn robots_key(settings: &SharedSettings, host: &str) -> String {
    format!("{ROBOTS}{}:{host}", settings.number)
}

fn robots_url(host: &str) -> Url {
    Url::parse(&format!("{host}/robots.txt")).expect("an origin makes a URL")
}

fn acknowledge(pipe: &mut redis::Pipeline, stream: &str, id: &str) {
    pipe.cmd("XACK").arg(stream).arg(WORKERS_GROUP).arg(id).ignore();
    pipe.cmd("XDEL").arg(stream).arg(id).ignore();
}

/// The frontier in Redis, as one target's transaction records what came of it.
struct Handing<'a>(&'a mut redis::Pipeline);

impl rules::Frontier for Handing<'_> {
    type Error = QueueError;

    fn queue(&mut self, target: &Target, again: bool) -> Result<()> {
        add_target(self.0, target, again)
    }

    fn refund_page(&mut self) {
        self.0.cmd("INCR").arg(PAGE_BUDGET).ignore();
    }

    fn remember_validators(&mut self, url: &str, validators: &Validators) -> Result<()> {
        self.0.cmd("HSET").arg(VALIDATORS).arg(url).arg(serde_json::to_string(validators)?).ignore();
        Ok(())
    }

    fn count_unchanged(&mut self) {
        self.0.cmd("HINCRBY").arg(COUNTS).arg("unchanged").arg(1).ignore();
    }

    fn count_error(&mut self, kind: &str) {
        self.0.cmd("HINCRBY").arg(ERRORS).arg(kind).arg(1).ignore();
    }
}

/// Reads what a fetched target points to and runs a new page through the pipeline.
#[allow(clippy::too_many_arguments)]
fn follow(
    pipeline: &Pipeline,
    scope: &Scope,
    config: &CrawlConfig,
    host: String,
    id: String,
    target: Target,
    mut fetched: Fetched,
    seen_content: Option<(String, bool)>,
) -> Finished {
    let mut followed = rules::follow(&mut fetched, &target, scope, config);
    let page = followed.as_mut().and_then(|f| f.page.take()).map(|(article, canonical)| {
        let (content_hash, seen) = seen_content.expect("a page's content hash is read before it is followed");
        FetchedArticle {
            content_hash,
            canonical: canonical.map(|c| c.to_string()),
            final_url: article.url.clone(),
            outcome: (!seen).then(|| pipeline.process(Ok(Item::Page(article)))),
        }
    });
    Finished { id, host, target, outcome: FetchOutcome::of(fetched, followed), page }
}
