//! Crawler throughput against a local server, and the memory a large frontier takes.
//! Run with `cargo bench --bench crawl`. Everything stays on 127.0.0.1.
//!
//! Throughput counts pages fetched and handed over per second (fetching, robots.txt, discovery,
//! dedupe; no extraction), with no politeness delay: what the crawler itself can do.

use std::time::Instant;

use newshound::config::{CrawlConfig, FetchConfig};
use newshound::sources::crawl::Crawler;

#[path = "../tests/common/mod.rs"]
mod common;

const PAGES: usize = 3000;
const FRONTIER: usize = 1_000_000;

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
    let port = common::serve_articles(PAGES);
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
