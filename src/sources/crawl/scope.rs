//! Which URLs a crawl may fetch: its hosts, and the include and exclude patterns of `[crawl]`.

use std::collections::HashSet;

use regex::Regex;
use url::Url;

use super::error::CrawlError;
use super::urls;
use crate::config::CrawlConfig;

pub struct Scope {
    hosts: HashSet<String>,
    include: Vec<Regex>,
    exclude: Vec<Regex>,
}

impl Scope {
    pub fn new(hosts: HashSet<String>, include: &[String], exclude: &[String]) -> Result<Scope, CrawlError> {
        let compile = |patterns: &[String]| -> Result<Vec<Regex>, CrawlError> {
            patterns
                .iter()
                .map(|p| {
                    Regex::new(p).map_err(|e| CrawlError::BadPattern { pattern: p.clone(), reason: e.to_string() })
                })
                .collect()
        };
        Ok(Scope { hosts, include: compile(include)?, exclude: compile(exclude)? })
    }

    pub fn contains(&self, url: &Url) -> bool {
        let text = url.as_str();
        self.hosts.contains(&urls::host_key(url))
            && (self.include.is_empty() || self.include.iter().any(|r| r.is_match(text)))
            && !self.exclude.iter().any(|r| r.is_match(text))
    }
}

/// The hosts a crawl from `starts` may fetch: `allowed_hosts` of `[crawl]`, or when it is empty the
/// hosts of the start points.
pub fn allowed_hosts(config: &CrawlConfig, starts: &[Url]) -> HashSet<String> {
    if config.allowed_hosts.is_empty() {
        starts.iter().map(urls::host_key).collect()
    } else {
        config.allowed_hosts.iter().map(|h| h.to_ascii_lowercase()).collect()
    }
}
