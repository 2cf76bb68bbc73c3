//! Crawl state kept beside the index between runs: the frontier of a run that did not finish, the
//! validators (ETag, Last-Modified) of every fetched URL, and what was already handed over (content
//! hashes and canonical URLs). Saved atomically: write a temporary file, then rename it.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::CrawlError;
use super::rules::Target;
use crate::sources::Validators;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct CrawlState {
    pub frontier: VecDeque<Target>,
    pub validators: HashMap<String, Validators>,
    pub content_hashes: HashSet<String>,
    pub fetched_canonicals: HashSet<String>,
}

impl CrawlState {
    /// The saved state, or an empty one when there is none yet.
    pub fn load(path: &Path) -> Result<CrawlState, CrawlError> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| CrawlError::DamagedState { path: path.to_path_buf(), reason: e.to_string() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(CrawlState::default()),
            Err(source) => Err(CrawlError::ReadState { path: path.to_path_buf(), source }),
        }
    }

    /// Saves the state as of the last commit: pages handed over but not committed (`pending`, with
    /// their content hashes and canonical URLs) go back to the frontier and are forgotten as fetched,
    /// so that a crash before their commit makes the next run fetch them in full again.
    pub fn save(
        &self,
        path: &Path,
        pending: &[Target],
        pending_hashes: &[&str],
        pending_canonicals: &[&str],
    ) -> Result<(), CrawlError> {
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
            let mut out = std::io::BufWriter::new(&file);
            serde_json::to_writer(&mut out, &snapshot)?;
            std::io::Write::flush(&mut out)?;
            drop(out);
            file.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().map_err(|source| CrawlError::SaveState { path: path.to_path_buf(), source })
    }
}

#[derive(Serialize)]
struct CrawlStateRef<'a> {
    frontier: &'a VecDeque<Target>,
    validators: &'a HashMap<String, Validators>,
    content_hashes: &'a HashSet<&'a String>,
    fetched_canonicals: &'a HashSet<&'a String>,
}
