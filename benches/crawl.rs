//! Crawler throughput against a local server, and the memory a large frontier takes.
//! Run with `cargo bench --bench crawl`. Everything stays on 127.0.0.1.
//!
//! Throughput counts pages fetched and handed over per second (fetching, robots.txt, discovery,
//! dedupe; no extraction), with no politeness delay: what the crawler itself can do.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Instant;

use newshound::config::{CrawlConfig, FetchConfig};
use newshound::sources::crawl::Crawler;

const PAGES: usize = 3000;
const FRONTIER: usize = 1_000_000;

fn serve(pages: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut request = [0u8; 2048];
                let len = stream.read(&mut request).unwrap_or(0);
                let text = String::from_utf8_lossy(&request[..len]).to_string();
                let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
                let body = match path.as_str() {
                    "/robots.txt" => "User-agent: *\nAllow: /\n".to_string(),
                    "/sitemap.xml" => {
                        let urls: String = (0..pages)
                            .map(|i| format!("<url><loc>http://127.0.0.1:{port}/a/{i}</loc></url>"))
                            .collect();
                        format!("<urlset>{urls}</urlset>")
                    }
                    p => format!(
                        "<html><body><article><h1>Story {p}</h1><p>Text of story {p}, which is unique to this page.</p></article></body></html>"
                    ),
                };
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(body.as_bytes());
            });
        }
    });
    port
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let port = serve(PAGES);
    let crawl = CrawlConfig {
        sitemaps: vec![format!("http://127.0.0.1:{port}/sitemap.xml")],
        max_pages: PAGES,
        delay_ms: 0,
        concurrency: 8,
        per_host_concurrency: 8,
        ..CrawlConfig::default()
    };
    let crawler = Crawler::new(crawl, &FetchConfig::default(), dir.path().join("state.json")).unwrap();
    let (pages, received) = std::sync::mpsc::sync_channel(256);
    let started = Instant::now();
    let worker = {
        let crawler = std::sync::Arc::clone(&crawler);
        std::thread::spawn(move || crawler.run(pages))
    };
    let fetched = received.into_iter().count();
    worker.join().unwrap();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "crawl: {fetched} pages in {seconds:.2} s = {:.0} pages/s (8 workers, no delay)",
        fetched as f64 / seconds
    );

    let before = rss_kib();
    let seeds: Vec<String> =
        (0..FRONTIER).map(|i| format!("https://news.example/section/{}/story-{i}", i % 97)).collect();
    let big = CrawlConfig { seeds, ..CrawlConfig::default() };
    let crawler = Crawler::new(big, &FetchConfig::default(), dir.path().join("big.json")).unwrap();
    let after = rss_kib();
    println!(
        "frontier: {} URLs queued, {:.0} MiB resident ({:.0} bytes per URL, URL strings included)",
        crawler.queued(),
        (after.saturating_sub(before)) as f64 / 1024.0,
        (after.saturating_sub(before)) as f64 * 1024.0 / FRONTIER as f64
    );
}
