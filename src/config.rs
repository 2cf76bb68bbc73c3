//! `config.toml`: defaults for every command. Every field has a default so a partial file works.
//!
//! The file is `--config FILE`, else `./config.toml`, else the user's
//! `$XDG_CONFIG_HOME/newshound/config.toml` (`~/.config/newshound/config.toml`), else none. Relative
//! paths in a file are taken from the file's folder; the default index and list store live in the
//! user's data folder (`$XDG_DATA_HOME/newshound/index` and `…/lists`, `~/.local/share/newshound/…`),
//! so every command finds the same ones from any directory.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub index: IndexConfig,
    pub annotate: AnnotateConfig,
    pub watch: WatchConfig,
    pub fetch: FetchConfig,
    pub crawl: CrawlConfig,
    pub lists: ListsConfig,
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
        IndexConfig { path: default_index_path(), commit_every: 200, writer_memory_mb: 64 }
    }
}

const APP_DIR: &str = "newshound";
const CONFIG_FILE: &str = "config.toml";

/// `folder` in the user's data folder; without a home directory, `./data/<folder>`.
fn default_data_path(folder: &str) -> PathBuf {
    dirs::data_dir().map_or_else(|| PathBuf::from("data").join(folder), |d| d.join(APP_DIR).join(folder))
}

fn default_index_path() -> PathBuf {
    default_data_path("index")
}

/// The config file a command reads: the one given, else `./config.toml`, else the user's, when present.
pub fn locate(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    let local = PathBuf::from(CONFIG_FILE);
    if local.is_file() {
        return Some(local);
    }
    dirs::config_dir().map(|d| d.join(APP_DIR).join(CONFIG_FILE)).filter(|p| p.is_file())
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
#[derive(Debug, Clone, Deserialize, Serialize)]
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

/// `[lists]`: the official sanctions lists, where their snapshots are kept and where they are
/// downloaded from.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ListsConfig {
    /// The list store, beside the index; relative paths are taken from the config file's folder.
    pub path: PathBuf,
    /// What `newshound lists update` downloads.
    pub sources: Vec<ListSourceConfig>,
}

impl Default for ListsConfig {
    fn default() -> Self {
        ListsConfig { path: default_data_path("lists"), sources: Vec::new() }
    }
}

/// One list and the official URL of its published file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListSourceConfig {
    pub list: crate::lists::ListId,
    pub url: String,
    /// The files published beside it (OFAC's `alt.csv` and `add.csv`), downloaded with it.
    #[serde(default)]
    pub companions: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct AnnotateConfig {
    /// Folder of a NER model to use instead of the built-in one; relative to the config file's folder.
    pub ner_model: Option<PathBuf>,
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
    /// The configuration a command runs with (see [`locate`]); with no file, the defaults.
    pub fn find(explicit: Option<&Path>) -> anyhow::Result<Config> {
        match locate(explicit) {
            Some(path) => Config::load(&path),
            None => Ok(Config::default()),
        }
    }

    /// Reads `path`, taking its relative paths from its folder.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config {}", path.display()))?;
        let mut config: Config = toml::from_str(&text).with_context(|| format!("invalid config {}", path.display()))?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let paths = [&mut config.index.path, &mut config.lists.path].into_iter();
            for relative in paths.chain(config.annotate.ner_model.as_mut()) {
                if relative.is_relative() {
                    *relative = dir.join(&*relative);
                }
            }
        }
        Ok(config)
    }
}
