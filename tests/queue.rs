//! Ingest shared over Redis Streams, against a real `redis-server` started here on 127.0.0.1 (`.ci/run`
//! installs Debian's package): workers and the indexer are killed with SIGKILL mid-run, and the
//! index must end up holding exactly what a single-process `ingest` of the same inputs holds.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

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
