//! Latency of `/api/search` (facets included) on an index of generated articles, over HTTP on
//! 127.0.0.1. Run with `cargo bench --bench search`; prints p50, p99 and max per query kind. The
//! number of articles is `NEWSHOUND_BENCH_ARTICLES` (default 100,000).
//!
//! The articles are generated (sentences from word lists, names from pools, one in ten reporting a
//! designation) and written through the index's own writer, without its near-duplicate lookup (the
//! generated bodies are distinct); they are not run through the NER model, which would take hours at
//! this scale and is not what is measured. Each size's index is built
//! once into `target/bench-search-index-<articles>` and reused by later runs.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use newshound::config::IndexConfig;
use newshound::document::EntityKey;
use newshound::document::{
    Authority, Designation, DesignationAction, Document, Entity, EntityLabel, Evidence, Target, TargetType,
};
use newshound::index::NewsIndex;
use newshound::index::writer::IndexWriter;

const DEFAULT_ARTICLES: usize = 100_000;
const ROUNDS: usize = 40;

const WORDS: &[&str] = &[
    "ministers",
    "agreed",
    "port",
    "budget",
    "rail",
    "council",
    "harvest",
    "court",
    "tariffs",
    "bank",
    "election",
    "bridge",
    "hospital",
    "exports",
    "strike",
    "festival",
    "museum",
    "police",
    "river",
    "shipping",
    "oil",
    "tanker",
    "network",
    "funds",
    "transfers",
    "officials",
    "said",
    "on",
    "the",
    "a",
    "new",
    "report",
    "after",
    "talks",
    "sanctions",
    "assets",
    "frozen",
    "company",
    "investigation",
    "cyber",
    "attack",
    "weapons",
    "program",
];
const PEOPLE: &[&str] = &[
    "Kim Sang Man",
    "Antony Blinken",
    "Olena Petrenko",
    "Viktor Orlov",
    "Maria Santos",
    "Hassan Tabaja",
    "Li Wei",
    "Ana Ruiz",
    "Igor Krasnov",
    "Sara Haddad",
    "John Miller",
    "Yuki Tanaka",
];
const ORGS: &[&str] = &[
    "Technical Reconnaissance Bureau",
    "Helios Maritime Holdings",
    "Baltic Signal Group",
    "Chinyong Company",
    "Sovcomflot",
    "Wee Tiong Pte Ltd",
    "Global Trading Group",
    "Red Sea Logistics",
    "Amber Star Shipping",
];
const PLACES: &[&str] =
    &["Pyongyang", "Moscow", "Dubai", "Panama", "Vladivostok", "Laos", "Tehran", "Brussels", "London", "Caracas"];
const AUTHORITIES: &[(&str, &str)] = &[
    ("U.S. Department of the Treasury", "US"),
    ("Council of the European Union", "EU"),
    ("UK Foreign, Commonwealth & Development Office", "GB"),
    ("UN Security Council", "UN"),
    ("Government of Japan", "JP"),
];
const PROGRAMS: &[&str] = &["E.O. 13224", "E.O. 13694", "DPRK", "Global Magnitsky", "EU Russia regime"];
const SITES: &[&str] = &["panamatimes.example", "wire.example", "daily.example", "herald.example", "post.example"];

/// A small deterministic generator, so every run builds the same index.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

fn article(n: usize, rng: &mut Lcg) -> Document {
    let mut body = String::new();
    let mut entities = Vec::new();
    let mut mention = |body: &mut String, name: &str, label: EntityLabel| {
        let start = body.chars().count();
        body.push_str(name);
        entities.push(Entity {
            text: name.into(),
            label,
            start,
            end: start + name.chars().count(),
            canonical: name.into(),
            key: Some(EntityKey::new(label, name.to_lowercase())),
            country: None,
            value: None,
        });
    };
    for paragraph in 0..6 {
        if paragraph > 0 {
            body.push_str("\n\n");
        }
        for sentence in 0..4 {
            if sentence > 0 {
                body.push(' ');
            }
            let (pool, label) = match rng.next(3) {
                0 => (PEOPLE, EntityLabel::Per),
                1 => (ORGS, EntityLabel::Org),
                _ => (PLACES, EntityLabel::Loc),
            };
            mention(&mut body, pool[rng.next(pool.len())], label);
            for _ in 0..12 {
                body.push(' ');
                body.push_str(WORDS[rng.next(WORDS.len())]);
            }
            body.push('.');
        }
    }
    let published = Utc.with_ymd_and_hms(2024, 1, 1, 8, 0, 0).unwrap() + Duration::hours(rng.next(2 * 365 * 24) as i64);
    let designations = if n.is_multiple_of(10) {
        let (authority, country) = AUTHORITIES[rng.next(AUTHORITIES.len())];
        let target = ORGS[rng.next(ORGS.len())];
        let sentence = format!("{target} was designated by {authority}.");
        let start = body.chars().count() + 2;
        body.push_str("\n\n");
        body.push_str(&sentence);
        vec![Designation {
            authority: Some(Authority { name: authority.into(), country: Some(country.into()) }),
            action: DesignationAction::Designate,
            target: Target {
                name: target.into(),
                kind: TargetType::Company,
                aliases: Vec::new(),
                country: None,
                imo: None,
            },
            program: Some(PROGRAMS[rng.next(PROGRAMS.len())].into()),
            date: Some(published.date_naive()),
            evidence: Evidence { start, end: start + sentence.chars().count(), text: sentence },
            confidence: 0.9,
            listing: None,
        }]
    } else {
        Vec::new()
    };
    let site = SITES[rng.next(SITES.len())];
    Document {
        id: format!("story-{n}"),
        url: format!("https://{site}/story-{n}"),
        canonical_url: None,
        title: Some(format!("Story {n}: {} {}", WORDS[rng.next(WORDS.len())], WORDS[rng.next(WORDS.len())])),
        byline: None,
        published: Some(published.fixed_offset()),
        language: Some("en".into()),
        site_name: None,
        body,
        entities: Some(entities),
        designations: Some(designations),
        key: format!("https://{site}/story-{n}"),
    }
}

fn build_index(dir: &Path, articles: usize) -> NewsIndex {
    if let Ok(index) = NewsIndex::open(dir)
        && index.document_count().unwrap() as usize == articles
    {
        return index;
    }
    let _ = std::fs::remove_dir_all(dir);
    let started = Instant::now();
    // Batches as a bulk ingest would commit them (the default of 200 is for crawls, where a crash
    // should lose little).
    let config = IndexConfig { path: dir.to_path_buf(), commit_every: 10_000, writer_memory_mb: 1024 };
    let mut writer = IndexWriter::open(&config).unwrap();
    let mut rng = Lcg(7);
    for n in 0..articles {
        writer.add_distinct(&article(n, &mut rng)).unwrap();
    }
    writer.finish().unwrap();
    println!("built an index of {articles} articles in {:.0} s", started.elapsed().as_secs_f64());
    NewsIndex::open(dir).unwrap()
}

/// Bytes of the files directly in `dir` (a tantivy index is flat).
fn directory_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let articles = match std::env::var("NEWSHOUND_BENCH_ARTICLES") {
        Ok(n) => n.replace('_', "").parse().expect("NEWSHOUND_BENCH_ARTICLES is a number of articles"),
        Err(_) => DEFAULT_ARTICLES,
    };
    let dir = format!("target/bench-search-index-{articles}");
    let index = Arc::new(build_index(Path::new(&dir), articles));
    println!("index: {dir}, {:.0} MiB", directory_size(Path::new(&dir)) as f64 / (1024.0 * 1024.0));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    runtime.spawn(async move { axum::serve(listener, newshound::serve::router(index)).await });
    let client = reqwest::blocking::Client::new();

    let queries: &[(&str, &str)] = &[
        ("one name", "q=%22Kim%20Sang%20Man%22"),
        ("common words", "q=sanctions%20tanker"),
        ("rare word", "q=Sovcomflot%20cyber"),
        ("match all", ""),
        ("entity filter", "entity=ORG:helios%20maritime%20holdings"),
        ("type + words", "q=oil&type=PER"),
        ("authority + since", "authority=EU&since=2025-06-01"),
        ("page 5", "q=bank&offset=80&limit=20"),
    ];
    println!("{articles} articles, {ROUNDS} requests per query kind (after one warm-up), facets included");
    let mut all = Vec::new();
    for (name, query) in queries {
        let url = format!("http://{addr}/api/search?{query}");
        let fetch = || {
            let response = client.get(&url).send().unwrap();
            assert!(response.status().is_success(), "{url}: {}", response.status());
            response.bytes().unwrap().len()
        };
        fetch();
        let mut times: Vec<f64> = (0..ROUNDS)
            .map(|_| {
                let started = Instant::now();
                fetch();
                started.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!(
            "{name:>18}: p50 {:6.1} ms  p99 {:6.1} ms  max {:6.1} ms",
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            times[times.len() - 1]
        );
        all.extend(times);
    }
    all.sort_by(f64::total_cmp);
    println!("{:>18}: p50 {:6.1} ms  p99 {:6.1} ms", "all", percentile(&all, 0.5), percentile(&all, 0.99));
}
