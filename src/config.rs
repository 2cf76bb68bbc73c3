//! `config.toml`: defaults for every command. Every field has a default so a partial file works.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub index: IndexConfig,
    pub fetch: FetchConfig,
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
            user_agent: concat!("newshound/", env!("CARGO_PKG_VERSION"), " (+https://github.com/newshound/newshound)")
                .into(),
            connect_timeout_secs: 10,
            timeout_secs: 30,
            max_body_bytes: 64 * 1024 * 1024,
            max_redirects: 10,
        }
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
        if config.index.path.is_relative() {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                config.index.path = dir.join(&config.index.path);
            }
        }
        Ok(config)
    }
}
