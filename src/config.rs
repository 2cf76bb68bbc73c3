//! `config.toml`: defaults for every command. Every field has a default so a partial file works.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub index: IndexConfig,
    pub annotate: AnnotateConfig,
    pub watch: WatchConfig,
    pub fetch: FetchConfig,
    pub crawl: CrawlConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IndexConfig {
    /// Index directory; relative paths are taken from the directory of the config file.
    pub path: PathBuf,
    /// Documents per commit: a crash loses at most this many documents of work.
    pub commit_every: usize,
    /// Memory budget of the index writer.
    pub writer_memory_mb: usize,
}

impl Default for IndexConfig {
    fn default() -> Self {
        IndexConfig { path: PathBuf::from("data/index"), commit_every: 200, writer_memory_mb: 64 }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FetchConfig {
    pub user_agent: String,
    pub connect_timeout_secs: u64,
    pub timeout_secs: u64,
    /// Pages (and decompressed files) larger than this are refused rather than read whole.
    pub max_body_bytes: u64,
    pub max_redirects: usize,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            user_agent: concat!("newshound/", env!("CARGO_PKG_VERSION"), " (+https://newshound.example/bot)").into(),
            connect_timeout_secs: 10,
            timeout_secs: 30,
            max_body_bytes: 64 * 1024 * 1024,
            max_redirects: 10,
        }
    }
}

/// `[crawl]`: what to crawl and how politely. Timeouts, body limit and redirects come from `[fetch]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CrawlConfig {
    pub seeds: Vec<String>,
    pub feeds: Vec<String>,
    pub sitemaps: Vec<String>,
    /// Pages fetched per run at most (feeds, sitemaps and robots.txt not counted).
    pub max_pages: usize,
    /// Sent with every request; name a contact URL so site owners can reach you.
    pub user_agent: String,
    /// Minimum time between two requests to one host (robots.txt Crawl-delay can raise it).
    pub delay_ms: u64,
    pub per_host_concurrency: usize,
    pub concurrency: usize,
    /// Attempts after a 5xx answer or a timeout, with exponential backoff.
    pub retries: u32,
    /// Hosts that may be fetched; empty means the hosts of the seeds, feeds and sitemaps.
    pub allowed_hosts: Vec<String>,
    /// Regular expressions a URL must match (any) / must not match (all), when given.
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Follow links found in pages (feeds and sitemaps are always read).
    pub follow_links: bool,
}

impl Default for CrawlConfig {
    fn default() -> Self {
        CrawlConfig {
            seeds: Vec::new(),
            feeds: Vec::new(),
            sitemaps: Vec::new(),
            max_pages: 1000,
            user_agent: concat!("newshound/", env!("CARGO_PKG_VERSION"), " (+https://newshound.example/bot)").into(),
            delay_ms: 1000,
            per_host_concurrency: 1,
            concurrency: 8,
            retries: 3,
            allowed_hosts: Vec::new(),
            include: Vec::new(),
            exclude: Vec::new(),
            follow_links: true,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnnotateConfig {
    /// Folder of the NER model; relative paths are taken from the directory of the config file.
    pub ner_model: PathBuf,
}

impl Default for AnnotateConfig {
    fn default() -> Self {
        AnnotateConfig { ner_model: PathBuf::from(crate::annotate::ner::DEFAULT_MODEL_DIR) }
    }
}

/// `[watch]`: how `newshound watch` polls the index, and where else it reports.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WatchConfig {
    pub poll_secs: u64,
    /// Each event is also POSTed here as JSON; empty for none.
    pub webhook: String,
    /// Entity names whose new mentions and designations are reported (any case).
    pub watchlist: Vec<String>,
}

impl Default for WatchConfig {
    fn default() -> Self {
        WatchConfig { poll_secs: 5, webhook: String::new(), watchlist: Vec::new() }
    }
}

impl Config {
    /// Reads `path`; a missing file is fine only when it is the default location.
    pub fn load(path: &Path, explicit: bool) -> anyhow::Result<Config> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => return Ok(Config::default()),
            Err(e) => return Err(e).with_context(|| format!("cannot read config {}", path.display())),
        };
        let mut config: Config = toml::from_str(&text).with_context(|| format!("invalid config {}", path.display()))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            for relative in [&mut config.index.path, &mut config.annotate.ner_model] {
                if relative.is_relative() {
                    *relative = dir.join(&*relative);
                }
            }
        }
        Ok(config)
    }
}
