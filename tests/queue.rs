//! Ingest shared over Redis Streams, against a real `redis-server` started here on 127.0.0.1 (`.ci/run`
//! installs Debian's package): workers and the indexer are killed with SIGKILL mid-run, and the
//! index must end up holding exactly what a single-process `ingest` of the same inputs holds. Two
//! workers crawl a site on 127.0.0.1 through the shared frontier, politely and without repeats.

use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

mod common;
use common::{generated_article, read_request_head, respond};

const BIN: &str = env!("CARGO_BIN_EXE_newshound");
/// The 181 pages of the article-extraction benchmark, beside the checkout.
const BENCHMARK_PAGES: &str = "../shared/bench/article-extraction/html";

struct RedisServer {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl RedisServer {
    fn start() -> RedisServer {
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (Debian's redis-server package; .ci/run installs it)");
        let url = format!("redis://127.0.0.1:{port}/");
        let started = Instant::now();
        loop {
            if redis::Client::open(url.as_str())
                .and_then(|c| c.get_connection())
                .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c))
                .is_ok()
            {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "redis-server did not start on {url}");
            std::thread::sleep(Duration::from_millis(50));
        }
        RedisServer { child, url, _dir: dir }
    }

    fn connection(&self) -> redis::Connection {
        redis::Client::open(self.url.as_str()).unwrap().get_connection().unwrap()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn newshound(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command.args(["-q", "--threads", "1"]).args(args).env_remove("NEWSHOUND_REDIS");
    command
}

fn run(args: &[&str]) -> Output {
    let output = newshound(args).output().unwrap();
    assert!(output.status.success(), "newshound {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    output
}

fn spawn(args: &[&str]) -> Child {
    newshound(args).stdout(Stdio::null()).spawn().unwrap()
}

fn wait_for_success(child: &mut Child, what: &str) {
    let status = child.wait().unwrap();
    assert!(status.success(), "{what} exited with {status}");
}

/// Inputs of the kill tests: the corpus, and the benchmark pages where `../shared` is present.
fn inputs() -> Vec<String> {
    let mut inputs = vec!["corpus".to_string()];
    if Path::new(BENCHMARK_PAGES).is_dir() {
        inputs.push(BENCHMARK_PAGES.to_string());
    }
    inputs
}

/// Each stored document's key and content (entities and designations included), from `export`.
fn stored_documents(index: &Path) -> BTreeMap<String, serde_json::Value> {
    let output = run(&["export", "--format", "jsonl", "--index", index.to_str().unwrap()]);
    let mut documents = BTreeMap::new();
    for line in String::from_utf8(output.stdout).unwrap().lines() {
        let doc: serde_json::Value = serde_json::from_str(line).unwrap();
        let key = doc["key"].as_str().unwrap().to_string();
        assert!(documents.insert(key.clone(), doc).is_none(), "{key} is stored twice");
    }
    documents
}

/// What a single-process `ingest` of [`inputs`] stores: the reference, computed once per test run.
fn single_process_documents() -> &'static BTreeMap<String, serde_json::Value> {
    static DOCUMENTS: OnceLock<BTreeMap<String, serde_json::Value>> = OnceLock::new();
    DOCUMENTS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        let mut args = vec!["ingest", "--index", index.to_str().unwrap()];
        let inputs = inputs();
        args.extend(inputs.iter().map(String::as_str));
        run(&args);
        stored_documents(&index)
    })
}

fn status(redis: &RedisServer) -> serde_json::Value {
    let output = run(&["queue", "status", "--json", "--redis", &redis.url]);
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Waits until `ready` holds of the queue status.
fn wait_until(redis: &RedisServer, what: &str, ready: impl Fn(&serde_json::Value) -> bool) {
    let started = Instant::now();
    loop {
        let status = status(redis);
        if ready(&status) {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(600), "never {what}: {status}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn kill_9(child: &mut Child) {
    // SAFETY: sends SIGKILL to a child this test started and has not reaped.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGKILL) }, 0);
    child.wait().unwrap();
}

/// The same content as a single-process ingest: same keys, and the same entities and designations.
fn assert_same_as_single_process(index: &Path) {
    let expected = single_process_documents();
    let got = stored_documents(index);
    let missing: Vec<_> = expected.keys().filter(|k| !got.contains_key(*k)).collect();
    let extra: Vec<_> = got.keys().filter(|k| !expected.contains_key(*k)).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing {missing:?}, not expected {extra:?}");
    for (key, doc) in expected {
        for field in ["title", "body", "entities", "designations"] {
            assert_eq!(doc[field], got[key][field], "{key}: {field} differs from a single-process ingest");
        }
    }
}

fn enqueue(redis: &RedisServer) {
    let mut args = vec!["enqueue", "--redis", &redis.url];
    let inputs = inputs();
    args.extend(inputs.iter().map(String::as_str));
    run(&args);
}

#[test]
fn a_worker_killed_mid_run_loses_nothing() {
    let redis = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let index = index.to_str().unwrap();
    enqueue(&redis);
    let worker =
        |name: &str| spawn(&["worker", "--redis", &redis.url, "--name", name, "--claim-after", "2s", "--drain"]);
    let mut doomed = worker("doomed");
    let mut survivor = worker("survivor");
    let mut indexer = spawn(&["indexer", "--redis", &redis.url, "--index", index, "--drain"]);
    // Killed once it has finished some work, so that it dies holding work it took.
    wait_until(&redis, "saw the doomed worker finish work", |s| {
        s["workers"].as_array().unwrap().iter().any(|w| w["name"] == "doomed" && w["entries"].as_u64() >= Some(3))
    });
    kill_9(&mut doomed);
    wait_for_success(&mut survivor, "the surviving worker");
    wait_for_success(&mut indexer, "the indexer");
    let status = status(&redis);
    assert_eq!((status["backlog"].as_u64(), status["in_flight"].as_u64()), (Some(0), Some(0)), "{status}");
    assert_eq!(status["results_pending"].as_u64(), Some(0), "{status}");
    assert_same_as_single_process(Path::new(index));
}

#[test]
fn an_indexer_killed_mid_run_resumes_where_it_stopped() {
    let redis = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let index = index.to_str().unwrap();
    enqueue(&redis);
    let mut workers: Vec<Child> = ["one", "two"]
        .iter()
        .map(|name| spawn(&["worker", "--redis", &redis.url, "--name", name, "--drain"]))
        .collect();
    // Small batches, so the kill lands between commits as well as within them.
    let indexer = || spawn(&["indexer", "--redis", &redis.url, "--index", index, "--batch", "4", "--drain"]);
    let mut first = indexer();
    wait_until(&redis, "saw documents committed", |s| s["done"].as_u64() >= Some(8));
    kill_9(&mut first);
    // The killed indexer's uncommitted results stay pending until the new one takes them back.
    let mut second = indexer();
    for worker in &mut workers {
        wait_for_success(worker, "a worker");
    }
    wait_for_success(&mut second, "the restarted indexer");
    assert_eq!(status(&redis)["results_pending"].as_u64(), Some(0));
    assert_same_as_single_process(Path::new(index));
}

#[test]
fn failures_and_poison_work_go_to_the_dead_letters_with_their_reason() {
    let redis = RedisServer::start();
    let mut connection = redis.connection();
    let mut add = |work: &str| -> String {
        redis::cmd("XADD").arg("newshound:work").arg("*").arg("work").arg(work).query(&mut connection).unwrap()
    };
    // Work that no worker can do; work handed out five times before and never finished (as if it
    // crashed every worker that took it); and an entry that is not work.
    let unreadable = add(r#"{"kind":"file","path":"/nonexistent/page.html"}"#);
    let poison = add(r#"{"kind":"file","path":"corpus/panamatimes-us-sanctions-north-korea-cyber.html"}"#);
    add("not json");
    let () = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg("newshound:work")
        .arg("workers")
        .arg("0")
        .query(&mut connection)
        .unwrap();
    // A worker that took the first two entries and died.
    let _: redis::Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg("workers")
        .arg("crashed")
        .arg("COUNT")
        .arg(2)
        .arg("STREAMS")
        .arg("newshound:work")
        .arg(">")
        .query(&mut connection)
        .unwrap();
    let _: redis::Value = redis::cmd("XCLAIM")
        .arg("newshound:work")
        .arg("workers")
        .arg("crashed")
        .arg(0)
        .arg(&poison)
        .arg("RETRYCOUNT")
        .arg(5)
        .query(&mut connection)
        .unwrap();
    assert_ne!(unreadable, poison);
    std::thread::sleep(Duration::from_millis(1100));
    run(&["worker", "--redis", &redis.url, "--claim-after", "1s", "--max-deliveries", "3", "--drain"]);
    let status = status(&redis);
    assert_eq!(status["failed"].as_u64(), Some(3), "{status}");
    assert_eq!(status["backlog"].as_u64(), Some(0), "{status}");
    assert_eq!(status["in_flight"].as_u64(), Some(0), "{status}");
    let reasons: Vec<String> = status["recent_failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}: {}", f["work"].as_str().unwrap(), f["reason"].as_str().unwrap()))
        .collect();
    let has = |work: &str, reason: &str| {
        reasons.iter().any(|r| r.contains(work) && r.to_lowercase().contains(&reason.to_lowercase()))
    };
    assert!(has("/nonexistent/page.html", "no such file"), "{reasons:?}");
    assert!(has("panamatimes", "handed out 6 times"), "{reasons:?}");
    assert!(has("not json", "not a work entry"), "{reasons:?}");
    let text = String::from_utf8(run(&["queue", "status", "--redis", &redis.url]).stdout).unwrap();
    assert!(text.contains("failed           3"), "{text}");
}

#[test]
fn queue_commands_name_an_unreachable_redis() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("redis://127.0.0.1:{port}/");
    let output = newshound(&["queue", "status", "--redis", &url]).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&url) && stderr.contains("cannot reach Redis"), "{stderr}");
}

#[derive(Clone)]
struct Request {
    path: String,
    arrived: Instant,
    answered: Instant,
    /// It carried If-None-Match.
    conditional: bool,
}

/// Every request a test site answered: its path, when it arrived and when the answer was sent, and
/// the most requests it was answering at once.
#[derive(Default)]
struct SiteLog {
    requests: Vec<Request>,
    in_flight: usize,
    most_in_flight: usize,
}

/// A news site of `articles` pages, each linking to the next: a front page (with a feed link, a
/// link robots.txt forbids and the first articles), an RSS feed of the first ten, and a sitemap of
/// all of them named in robots.txt. Articles have ETags. Every answer takes 20 ms, so requests that
/// overlap are seen.
fn serve_site(articles: usize) -> (String, Arc<Mutex<SiteLog>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let log = Arc::new(Mutex::new(SiteLog::default()));
    let (site_base, site_log) = (base.clone(), Arc::clone(&log));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (base, log) = (site_base.clone(), Arc::clone(&site_log));
            std::thread::spawn(move || answer(stream, &base, articles, &log));
        }
    });
    (base, log)
}

fn answer(mut stream: TcpStream, base: &str, articles: usize, log: &Mutex<SiteLog>) {
    let Some(head) = read_request_head(&mut stream) else { return };
    let arrived = Instant::now();
    {
        let mut log = log.lock().unwrap();
        log.in_flight += 1;
        log.most_in_flight = log.most_in_flight.max(log.in_flight);
    }
    std::thread::sleep(Duration::from_millis(20));
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let if_none_match =
        head.lines().find_map(|l| l.to_ascii_lowercase().strip_prefix("if-none-match: ").map(str::to_string));
    let html = [("Content-Type", "text/html; charset=utf-8".to_string())];
    match path.as_str() {
        "/robots.txt" => respond(
            &mut stream,
            "200 OK",
            &[],
            format!("User-agent: *\nDisallow: /private/\nSitemap: {base}/sitemap.xml\n").as_bytes(),
        ),
        "/" => {
            let links: String = (0..5).map(|i| format!(r#"<a href="/a/{i}">Story {i}</a> "#)).collect();
            let page = format!(
                r#"<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>
                <body>{links}<a href="/private/members">Members</a></body></html>"#
            );
            respond(&mut stream, "200 OK", &html, page.as_bytes());
        }
        "/feed.xml" => {
            let items: String =
                (0..10).map(|i| format!("<item><title>{i}</title><link>{base}/a/{i}</link></item>")).collect();
            let feed = format!(
                r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>"#
            );
            respond(&mut stream, "200 OK", &[("Content-Type", "application/rss+xml".into())], feed.as_bytes());
        }
        "/sitemap.xml" => {
            let urls: String = (0..articles).map(|i| format!("<url><loc>{base}/a/{i}</loc></url>")).collect();
            let sitemap = format!("<urlset>{urls}</urlset>");
            respond(&mut stream, "200 OK", &[("Content-Type", "application/xml".into())], sitemap.as_bytes());
        }
        _ => match path.strip_prefix("/a/").and_then(|i| i.parse::<usize>().ok()).filter(|i| *i < articles) {
            Some(i) => {
                let etag = format!("\"a{i}\"");
                if if_none_match.as_ref() == Some(&etag) {
                    respond(&mut stream, "304 Not Modified", &[("ETag", etag)], b"");
                } else {
                    let next = format!(r#"<a href="/a/{}">Next</a></body>"#, (i + 1) % articles);
                    let page = generated_article(i).replace("</body>", &next);
                    respond(&mut stream, "200 OK", &[html[0].clone(), ("ETag", etag)], page.as_bytes());
                }
            }
            None => respond(&mut stream, "404 Not Found", &[], b"not found"),
        },
    }
    let mut log = log.lock().unwrap();
    log.in_flight -= 1;
    log.requests.push(Request { path, arrived, answered: Instant::now(), conditional: if_none_match.is_some() });
}

/// A site to crawl, a Redis, and a config with the crawl's delay: what the crawl tests share.
struct CrawlSetup {
    base: String,
    log: Arc<Mutex<SiteLog>>,
    redis: RedisServer,
    dir: tempfile::TempDir,
}

impl CrawlSetup {
    fn new(articles: usize, delay_ms: u64) -> CrawlSetup {
        let (base, log) = serve_site(articles);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.toml"),
            format!(
                "[fetch]\ntimeout_secs = 2\nconnect_timeout_secs = 2\n[crawl]\ndelay_ms = {delay_ms}\nretries = 1\n\
                 user_agent = \"newshound-test (+http://127.0.0.1/)\"\n"
            ),
        )
        .unwrap();
        CrawlSetup { base, log, redis: RedisServer::start(), dir }
    }

    fn config(&self) -> String {
        self.dir.path().join("config.toml").to_str().unwrap().to_string()
    }

    fn index(&self) -> String {
        self.dir.path().join("index").to_str().unwrap().to_string()
    }

    /// Queues the front page and the feed as the crawl's start points.
    fn enqueue(&self) {
        let (front, feed) = (format!("{}/", self.base), format!("{}/feed.xml", self.base));
        run(&["enqueue", "--config", &self.config(), "--redis", &self.redis.url, "--seed", &front, "--feed", &feed]);
    }

    fn worker(&self, name: &str, claim_after: &str) -> Child {
        let config = self.config();
        let url = &self.redis.url;
        spawn(&["worker", "--config", &config, "--redis", url, "--name", name, "--claim-after", claim_after, "--drain"])
    }

    fn indexer(&self) -> Child {
        spawn(&["indexer", "--redis", &self.redis.url, "--index", &self.index(), "--drain"])
    }

    /// How many times the site answered `path`.
    fn requests(&self, path: &str) -> usize {
        self.log.lock().unwrap().requests.iter().filter(|r| r.path == path).count()
    }
}

#[test]
fn two_workers_share_a_crawl_politely_and_fetch_each_page_once() {
    const ARTICLES: usize = 30;
    const DELAY_MS: u64 = 50;
    let crawl = CrawlSetup::new(ARTICLES, DELAY_MS);
    crawl.enqueue();
    let mut workers = [crawl.worker("one", "120s"), crawl.worker("two", "120s")];
    let mut indexer = crawl.indexer();
    for worker in &mut workers {
        wait_for_success(worker, "a crawling worker");
    }
    wait_for_success(&mut indexer, "the indexer");

    let count = |path: &str| crawl.requests(path);
    for path in ["/robots.txt", "/", "/feed.xml", "/sitemap.xml"] {
        assert_eq!(count(path), 1, "{path} fetched once");
    }
    for i in 0..ARTICLES {
        assert_eq!(
            count(&format!("/a/{i}")),
            1,
            "/a/{i} fetched once, though linked from the feed, the sitemap and pages"
        );
    }
    assert_eq!(count("/private/members"), 0, "robots.txt obeyed");
    let log = crawl.log.lock().unwrap();
    assert_eq!(log.requests.len(), ARTICLES + 4, "nothing else asked for");
    assert_eq!(log.most_in_flight, 1, "never two requests to the host at once");
    let mut requests = log.requests.clone();
    requests.sort_by_key(|r| r.arrived);
    for pair in requests.windows(2) {
        let gap = pair[1].arrived.saturating_duration_since(pair[0].answered);
        // A little under the delay: the site's clock and Redis's are read at slightly different moments.
        assert!(
            gap >= Duration::from_millis(DELAY_MS * 8 / 10),
            "{} came {gap:?} after {} ended",
            pair[1].path,
            pair[0].path
        );
    }
    drop(log);

    let documents = stored_documents(Path::new(&crawl.index()));
    assert_eq!(documents.len(), ARTICLES, "every article indexed once: {:?}", documents.keys().collect::<Vec<_>>());
    let status = status(&crawl.redis);
    let crawl = &status["crawl"];
    assert_eq!(crawl["counts"]["disallowed"].as_u64(), Some(1), "{status}");
    assert_eq!(crawl["counts"]["fetched"].as_u64(), Some(ARTICLES as u64 + 1), "{status}");
    assert_eq!(crawl["errors"], serde_json::json!({}), "{status}");
    assert_eq!((crawl["hosts"].as_u64(), crawl["queued"].as_u64()), (Some(0), Some(0)), "{status}");
    for worker in status["workers"].as_array().unwrap() {
        assert!(worker["documents"].as_u64() > Some(0), "both workers crawled: {status}");
    }
}

#[test]
fn a_crawl_enqueued_again_asks_conditionally_and_stores_nothing_twice() {
    const ARTICLES: usize = 12;
    let crawl = CrawlSetup::new(ARTICLES, 0);
    let once = || {
        crawl.enqueue();
        let (mut worker, mut indexer) = (crawl.worker("one", "120s"), crawl.indexer());
        wait_for_success(&mut worker, "the worker");
        wait_for_success(&mut indexer, "the indexer");
    };
    once();
    let first = crawl.log.lock().unwrap().requests.len();
    once();
    let again: Vec<Request> = crawl.log.lock().unwrap().requests[first..].to_vec();
    for i in 0..ARTICLES {
        let path = format!("/a/{i}");
        let asked: Vec<&Request> = again.iter().filter(|r| r.path == path).collect();
        assert!(asked.len() == 1 && asked[0].conditional, "{path} asked for once more, with If-None-Match");
    }
    assert_eq!(again.iter().filter(|r| r.path == "/robots.txt").count(), 1, "robots.txt read once per crawl");
    assert_eq!(stored_documents(Path::new(&crawl.index())).len(), ARTICLES);
    let status = status(&crawl.redis);
    assert_eq!(status["crawl"]["counts"]["unchanged"].as_u64(), Some(ARTICLES as u64), "{status}");
    assert_eq!(status["crawl"]["counts"]["fetched"].as_u64(), Some(ARTICLES as u64 + 1), "{status}");
}

#[test]
fn a_worker_killed_mid_crawl_loses_nothing() {
    const ARTICLES: usize = 40;
    let crawl = CrawlSetup::new(ARTICLES, 0);
    crawl.enqueue();
    let mut doomed = crawl.worker("doomed", "2s");
    let mut survivor = crawl.worker("survivor", "2s");
    let mut indexer = crawl.indexer();
    wait_until(&crawl.redis, "saw the doomed worker crawl", |s| {
        s["workers"].as_array().unwrap().iter().any(|w| w["name"] == "doomed" && w["documents"].as_u64() >= Some(3))
    });
    // Frozen until it is seen holding a target it took, then killed: it dies mid-crawl.
    let mut connection = crawl.redis.connection();
    let host_queue = format!("newshound:crawl:host:{}", crawl.base);
    // SAFETY: signals a child this test started and has not reaped.
    let signal = |child: &Child, signal| assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
    loop {
        signal(&doomed, libc::SIGSTOP);
        let held: Vec<redis::Value> = redis::cmd("XPENDING")
            .arg(&host_queue)
            .arg("workers")
            .arg("-")
            .arg("+")
            .arg(10)
            .arg("doomed")
            .query(&mut connection)
            .unwrap();
        if !held.is_empty() {
            break;
        }
        signal(&doomed, libc::SIGCONT);
        std::thread::sleep(Duration::from_millis(5));
    }
    kill_9(&mut doomed);
    wait_for_success(&mut survivor, "the surviving worker");
    wait_for_success(&mut indexer, "the indexer");
    let documents = stored_documents(Path::new(&crawl.index()));
    assert_eq!(documents.len(), ARTICLES, "every article indexed once: {:?}", documents.keys().collect::<Vec<_>>());
    assert_eq!(crawl.requests("/robots.txt"), 1);
    for i in 0..ARTICLES {
        // A page the killed worker had fetched but not handed on is fetched again; nothing more.
        assert!((1..=2).contains(&crawl.requests(&format!("/a/{i}"))), "/a/{i}");
    }
    assert_eq!(crawl.log.lock().unwrap().most_in_flight, 1, "never two requests to the host at once");
    let status = status(&crawl.redis);
    assert_eq!((status["crawl"]["hosts"].as_u64(), status["crawl"]["queued"].as_u64()), (Some(0), Some(0)), "{status}");
}
