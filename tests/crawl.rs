//! The crawler against a real HTTP server on 127.0.0.1 (ephemeral port): robots.txt, a feed, a
//! sitemap, a redirect loop, a slow page, an oversized page, a binary file sent as text/html, a 500
//! that recovers, and ETag/304 on the second crawl. No traffic goes anywhere else.

use std::collections::HashMap;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use newshound::index::NewsIndex;
use newshound::index::search::SearchRequest;

mod common;
use common::{read_request_head, respond, serve_articles};

/// Every request the server saw: path and whether it carried If-None-Match.
type Log = Arc<Mutex<Vec<(String, bool)>>>;

struct Site {
    port: u16,
    log: Log,
}

fn corpus(name: &str) -> Vec<u8> {
    std::fs::read(Path::new("corpus").join(name)).unwrap()
}

fn handle(mut stream: TcpStream, port: u16, log: Log, flaky_hits: Arc<Mutex<u32>>) {
    let Some(text) = read_request_head(&mut stream) else { return };
    let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
    let etag_sent =
        text.lines().find_map(|l| l.strip_prefix("If-None-Match: ").or_else(|| l.strip_prefix("if-none-match: ")));
    log.lock().unwrap().push((path.clone(), etag_sent.is_some()));
    let base = format!("http://127.0.0.1:{port}");
    let html = |body: Vec<u8>, etag: &str, stream: &mut TcpStream| {
        let etag = format!("\"{etag}\"");
        if etag_sent == Some(etag.as_str()) {
            respond(stream, "304 Not Modified", &[("ETag", etag)], b"");
        } else {
            respond(stream, "200 OK", &[("Content-Type", "text/html; charset=utf-8".into()), ("ETag", etag)], &body);
        }
    };
    match path.as_str() {
        "/robots.txt" => respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", "text/plain".into())],
            format!("User-agent: *\nDisallow: /private/\nAllow: /private/press*\n\nSitemap: {base}/sitemap.xml\n").as_bytes(),
        ),
        "/" => html(
            format!(r#"<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body><h1>Front page</h1>
                <a href="/news/commerce">Commerce</a> <a href="/news/uk?utm_source=front#top">UK again</a> <a href="/loop">Loop</a>
                <a href="/photo">Photo</a> <a href="/huge">Huge</a> <a href="/slow">Slow</a> <a href="/flaky">Flaky</a>
                <a href="/private/secret">Members</a> <a href="/report.pdf">Report</a> <a href="http://elsewhere.invalid/x">Off-site</a></body></html>"#)
            .into_bytes(),
            "front",
            &mut stream,
        ),
        "/feed.xml" => respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", "application/rss+xml".into())],
            format!(r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
                <item><title>UK</title><link>{base}/news/uk</link></item>
                <item><title>EU</title><link>{base}/news/eu</link></item>
                <item><title>Secret</title><link>{base}/private/secret</link></item></channel></rss>"#)
            .as_bytes(),
        ),
        "/sitemap.xml" => respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", "application/xml".into())],
            format!(r#"<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
                <url><loc>{base}/news/un</loc></url><url><loc>{base}/news/japan</loc></url></urlset>"#)
            .as_bytes(),
        ),
        "/news/uk" => html(corpus("uk-sanctions-ransomware-gang.html"), "uk", &mut stream),
        "/news/eu" => html(corpus("eu-council-sanctions-hybrid-threats.html"), "eu", &mut stream),
        "/news/un" => html(corpus("un-security-council-adds-militia-leaders.html"), "un", &mut stream),
        "/news/japan" => html(corpus("tokyo-herald-japan-sanctions-crypto-hackers.html"), "japan", &mut stream),
        "/news/commerce" => html(corpus("commerce-entity-list-chip-suppliers.html"), "commerce", &mut stream),
        "/flaky" => {
            let hits = {
                let mut h = flaky_hits.lock().unwrap();
                *h += 1;
                *h
            };
            if hits == 1 {
                respond(&mut stream, "500 Internal Server Error", &[], b"try again");
            } else {
                html(corpus("maritime-wire-ofac-tankers-delisting.html"), "flaky", &mut stream);
            }
        }
        "/loop" => respond(&mut stream, "302 Found", &[("Location", format!("{base}/loop2"))], b""),
        "/loop2" => respond(&mut stream, "302 Found", &[("Location", format!("{base}/loop"))], b""),
        "/report.pdf" => respond(&mut stream, "200 OK", &[("Content-Type", "application/pdf".into())], b"%PDF-1.4 report"),
        "/photo" => respond(&mut stream, "200 OK", &[("Content-Type", "text/html".into())], b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        "/huge" => respond(&mut stream, "200 OK", &[("Content-Type", "text/html".into())], &vec![b'a'; 300_000]),
        "/slow" => {
            std::thread::sleep(Duration::from_secs(30));
            respond(&mut stream, "200 OK", &[("Content-Type", "text/html".into())], b"<p>too late</p>");
        }
        _ => respond(&mut stream, "404 Not Found", &[], b"not found"),
    }
}

fn serve() -> Site {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log: Log = Arc::default();
    let flaky = Arc::new(Mutex::new(0));
    let server_log = Arc::clone(&log);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (log, flaky) = (Arc::clone(&server_log), Arc::clone(&flaky));
            std::thread::spawn(move || handle(stream, port, log, flaky));
        }
    });
    Site { port, log }
}

fn crawl(config: &Path, base: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_newshound"))
        .args(["crawl", "--config", config.to_str().unwrap(), "--seed", &format!("{base}/"), "--quiet"])
        .output()
        .unwrap()
}

#[test]
fn crawls_politely_and_incrementally() {
    let site = serve();
    let base = format!("http://127.0.0.1:{}", site.port);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[index]\npath = \"index\"\n[fetch]\ntimeout_secs = 2\nconnect_timeout_secs = 2\nmax_body_bytes = 200000\nmax_redirects = 5\n\
         [crawl]\ndelay_ms = 20\nconcurrency = 4\nretries = 1\nuser_agent = \"newshound-test (+http://127.0.0.1/)\"\n",
    )
    .unwrap();

    let first = crawl(&config, &base);
    let report = String::from_utf8_lossy(&first.stdout).to_string();
    assert!(first.status.success(), "{report}{}", String::from_utf8_lossy(&first.stderr));
    // uk, eu, un, japan, commerce and the page that failed once: the front page has no article.
    assert!(report.contains("ingested 6 documents"), "{report}");
    assert!(report.contains("1 disallowed by robots.txt"), "{report}");
    for error in
        ["redirect loop or too many redirects", "page over the size limit", "timeout", "not HTML (application/pdf)"]
    {
        assert!(report.contains(error), "{error} missing from {report}");
    }
    let index = NewsIndex::open(&dir.path().join("index")).unwrap();
    assert_eq!(index.document_count().unwrap(), 6);
    assert_eq!(
        index.search(&SearchRequest::text("\"Oleg Zaitsev\"", 5)).unwrap().total,
        1,
        "the UK page once, though linked twice"
    );
    assert_eq!(index.search(&SearchRequest::text("\"AMBER STAR\"", 5)).unwrap().total, 1, "the 500 recovered on retry");

    let log = site.log.lock().unwrap().clone();
    assert_eq!(log[0].0, "/robots.txt", "robots.txt comes before anything else");
    assert!(!log.iter().any(|(p, _)| p.starts_with("/private/")), "Disallow obeyed");
    let count = |path: &str| log.iter().filter(|(p, _)| p == path).count();
    assert_eq!(count("/news/uk"), 1);
    assert_eq!(count("/flaky"), 2);
    assert!(dir.path().join("index.crawl-state.json").exists());

    // Second crawl: conditional requests, nothing re-downloaded, nothing duplicated.
    let before = site.log.lock().unwrap().len();
    let second = crawl(&config, &base);
    let report = String::from_utf8_lossy(&second.stdout).to_string();
    assert!(second.status.success(), "{report}");
    assert!(report.contains("ingested 0 documents"), "{report}");
    let again: HashMap<String, bool> = site.log.lock().unwrap()[before..].iter().cloned().collect();
    for page in ["/news/uk", "/news/eu", "/news/un", "/news/japan", "/news/commerce"] {
        assert_eq!(again.get(page), Some(&true), "{page} asked for with If-None-Match");
    }
    assert_eq!(NewsIndex::open(&dir.path().join("index")).unwrap().document_count().unwrap(), 6);
}

#[test]
fn kill_9_mid_crawl_then_the_same_command_resumes() {
    const PAGES: usize = 300;
    let port = serve_articles(PAGES);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[index]\npath = \"index\"\n[crawl]\ndelay_ms = 0\nconcurrency = 2\nper_host_concurrency = 2\n",
    )
    .unwrap();
    let sitemap = format!("http://127.0.0.1:{port}/sitemap.xml");
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_newshound"))
            .args(["crawl", "--config", config.to_str().unwrap(), "--sitemap", &sitemap, "--quiet"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let index = dir.path().join("index");
    let mut child = run();
    let started = std::time::Instant::now();
    let mut committed = 0;
    while committed == 0 && started.elapsed() < Duration::from_secs(120) {
        committed = NewsIndex::open(&index).and_then(|i| i.document_count()).unwrap_or(0);
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(committed > 0, "nothing committed before the kill");

    assert!(run().wait().unwrap().success());
    let index = NewsIndex::open(&index).unwrap();
    assert_eq!(index.document_count().unwrap() as usize, PAGES, "every page once: nothing lost, nothing duplicated");
    assert_eq!(index.search(&SearchRequest::text("\"Baltic Signal Group 17\"", 5)).unwrap().total, 1);
}

#[test]
fn a_failing_robots_txt_makes_the_host_wait() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log: Log = Arc::default();
    let server_log = Arc::clone(&log);
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = [0u8; 2048];
            let len = stream.read(&mut request).unwrap_or(0);
            let path = String::from_utf8_lossy(&request[..len]).split_whitespace().nth(1).unwrap_or("/").to_string();
            let robots_asked = server_log.lock().unwrap().iter().filter(|(p, _)| p == "/robots.txt").count();
            server_log.lock().unwrap().push((path.clone(), false));
            match path.as_str() {
                "/robots.txt" if robots_asked == 0 => respond(&mut stream, "503 Service Unavailable", &[], b"busy"),
                "/robots.txt" => respond(&mut stream, "200 OK", &[], b"User-agent: *\nDisallow: /private/\n"),
                "/" => respond(
                    &mut stream,
                    "200 OK",
                    &[("Content-Type", "text/html".into())],
                    &corpus("uk-sanctions-ransomware-gang.html"),
                ),
                _ => respond(&mut stream, "404 Not Found", &[], b""),
            }
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[index]\npath = \"index\"\n[crawl]\ndelay_ms = 20\nfollow_links = false\n").unwrap();
    let out = crawl(&config, &format!("http://127.0.0.1:{port}"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let paths: Vec<String> = log.lock().unwrap().iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(paths, ["/robots.txt", "/robots.txt", "/"], "nothing before robots.txt answered");
    assert!(String::from_utf8_lossy(&out.stdout).contains("ingested 1 documents"));
}

#[test]
fn the_library_crawls_into_any_sink_and_the_next_crawl_fetches_nothing_new() {
    use newshound::config::{CrawlConfig, FetchConfig};
    use newshound::pipeline::Pipeline;
    use newshound::progress::Progress;
    use newshound::sinks::JsonlSink;
    use newshound::sources::HttpFetcher;
    use newshound::sources::crawl::{self, Crawler};

    const PAGES: usize = 12;
    let port = serve_articles(PAGES);
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let settings = CrawlConfig {
        sitemaps: vec![format!("http://127.0.0.1:{port}/sitemap.xml")],
        delay_ms: 0,
        concurrency: 4,
        ..CrawlConfig::default()
    };
    let fetch = FetchConfig::default();
    let pipeline = Pipeline {
        annotator: None,
        http: HttpFetcher::new(&fetch),
        max_body_bytes: fetch.max_body_bytes,
        keep_empty: false,
    };
    let crawl_into_lines = || {
        let crawler = Crawler::new(settings.clone(), &fetch, crawl::state_path(&index)).unwrap();
        let mut out = Vec::new();
        let summary =
            pipeline.crawl(&crawler, &mut JsonlSink::new(&mut out, false), &mut Progress::new(None, false)).unwrap();
        (summary.documents, String::from_utf8(out).unwrap().lines().count())
    };
    assert_eq!(crawl_into_lines(), (PAGES, PAGES));
    assert!(dir.path().join("index.crawl-state.json").exists(), "the state is kept beside the index");
    assert_eq!(crawl_into_lines(), (0, 0), "every page was committed and remembered");
}
