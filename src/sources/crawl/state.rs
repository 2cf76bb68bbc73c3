//! Crawl state kept beside the index between runs: the frontier of a run that did not finish, the
//! validators (ETag, Last-Modified) of every fetched URL, and what was already handed over (content
//! hashes and canonical URLs). Saved atomically: write a temporary file, then rename it.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueuedKind {
    Page,
    Feed,
    Sitemap,
    /// A host's robots.txt, fetched before anything else from it (never stored).
    Robots,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Queued {
    pub url: String,
    pub kind: QueuedKind,
    /// Failed attempts so far.
    pub attempt: u32,
    /// Not to be fetched before this time (ms since the Unix epoch): retry backoff.
    pub not_before_ms: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct CrawlState {
    pub frontier: VecDeque<Queued>,
    pub validators: HashMap<String, Validators>,
    pub content_hashes: HashSet<String>,
    pub fetched_canonicals: HashSet<String>,
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl CrawlState {
    /// The saved state, or an empty one when there is none yet.
    pub fn load(path: &Path) -> anyhow::Result<CrawlState> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| {
                format!("crawl state {} is damaged; delete it to start the crawl afresh", path.display())
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(CrawlState::default()),
            Err(e) => Err(e).with_context(|| format!("cannot read crawl state {}", path.display())),
        }
    }

    /// Saves the state as of the last commit: pages handed over but not committed (`pending`, with
    /// their content hashes and canonical URLs) go back to the frontier and are forgotten as fetched,
    /// so that a crash before their commit makes the next run fetch them in full again.
    pub fn save(
        &self,
        path: &Path,
        pending: &[Queued],
        pending_hashes: &[&str],
        pending_canonicals: &[&str],
    ) -> anyhow::Result<()> {
        let mut frontier = self.frontier.clone();
        frontier.extend(pending.iter().cloned());
        let mut validators = self.validators.clone();
        for q in pending {
            validators.remove(&q.url);
        }
        let content_hashes: HashSet<&String> =
            self.content_hashes.iter().filter(|h| !pending_hashes.contains(&h.as_str())).collect();
        let fetched_canonicals: HashSet<&String> =
            self.fetched_canonicals.iter().filter(|c| !pending_canonicals.contains(&c.as_str())).collect();
        let snapshot = CrawlStateRef {
            frontier: &frontier,
            validators: &validators,
            content_hashes: &content_hashes,
            fetched_canonicals: &fetched_canonicals,
        };
        let tmp = path.with_extension("tmp");
        let write = || -> std::io::Result<()> {
            let file = std::fs::File::create(&tmp)?;
            serde_json::to_writer(std::io::BufWriter::new(&file), &snapshot)?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().with_context(|| format!("cannot save crawl state {}", path.display()))
    }
}

#[derive(Serialize)]
struct CrawlStateRef<'a> {
    frontier: &'a VecDeque<Queued>,
    validators: &'a HashMap<String, Validators>,
    content_hashes: &'a HashSet<&'a String>,
    fetched_canonicals: &'a HashSet<&'a String>,
}
