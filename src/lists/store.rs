//! Dated snapshots of each list and what each entry's history is: when it was first and last seen,
//! and when it left the list, computed from successive snapshots as OpenSanctions does.
//!
//! Layout, one folder per list: `<store>/<list>/snapshots/<YYYY-MM-DD>.<ext>` (the published file,
//! byte for byte) and `<store>/<list>/state.json` (the snapshots' record and every entry's history).
//! Every file is written to a temporary name, synced and renamed into place, the snapshot before the
//! state, so a process killed at any point leaves the previous state whole; a file that does not
//! parse never reaches the store.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Companion, CompanionKind, ListEntry, ListError, ListId};

/// A list's snapshots and entries, as `state.json` holds them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ListState {
    pub snapshots: Vec<Snapshot>,
    /// By entry id.
    pub entries: BTreeMap<String, EntryHistory>,
}

impl ListState {
    /// Entries listed in the newest snapshot.
    pub fn listed(&self) -> usize {
        self.entries.values().filter(|h| h.removed.is_none()).count()
    }
}

/// One stored snapshot.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    pub date: NaiveDate,
    pub sha256: String,
    pub entries: usize,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    /// Where it was downloaded from, and the validators for the next conditional request.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(default)]
    pub last_modified: Option<String>,
    /// The companion files stored with it (OFAC's `alt.csv`, `add.csv`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub companions: Vec<CompanionKind>,
}

/// One entry as the newest snapshot that held it lists it, and when it was on the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryHistory {
    pub entry: ListEntry,
    /// The first snapshot that held it.
    pub first_seen: NaiveDate,
    /// The last snapshot without it: it was added after this day, on or before `first_seen`.
    /// `None` when it was in the store's first snapshot (listed on or before that day).
    pub added_after: Option<NaiveDate>,
    pub last_seen: NaiveDate,
    /// The first snapshot without it, if it has left the list.
    pub removed: Option<NaiveDate>,
}

impl EntryHistory {
    /// The day it was listed, as far as the store knows it: the list's own listing date, else the
    /// first snapshot that held it when the one before was at most `within_days` earlier.
    pub fn since(&self, within_days: u64) -> Option<NaiveDate> {
        let close = |before: NaiveDate| self.first_seen <= before + chrono::Days::new(within_days);
        self.entry.listed_on.or(self.added_after.filter(|&b| close(b)).map(|_| self.first_seen))
    }
}

/// What one snapshot changed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Delta {
    pub added: Vec<ListEntry>,
    pub removed: Vec<ListEntry>,
    pub changed: Vec<ListEntry>,
}

/// Where a snapshot came from.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub url: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// The lists' folder.
pub struct ListStore {
    dir: PathBuf,
}

/// A snapshot that drops more than this share of the previous one's entries is refused: a cut
/// download can still parse (a CSV cut at a line end), and no list loses half its entries in a day.
const MAX_SHARE_REMOVED: f64 = 0.5;

impl ListStore {
    pub fn open(dir: &Path) -> ListStore {
        ListStore { dir: dir.to_path_buf() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn list_dir(&self, list: ListId) -> PathBuf {
        self.dir.join(list.as_str())
    }

    fn state_path(&self, list: ListId) -> PathBuf {
        self.list_dir(list).join("state.json")
    }

    fn snapshot_path(&self, list: ListId, date: NaiveDate) -> PathBuf {
        self.list_dir(list).join("snapshots").join(format!("{date}.{}", list.extension()))
    }

    /// Beside the snapshot: `2024-05-03.alt.csv`.
    fn companion_path(&self, list: ListId, date: NaiveDate, kind: CompanionKind) -> PathBuf {
        self.list_dir(list).join("snapshots").join(format!("{date}.{}", kind.file_name()))
    }

    /// When the list's state last changed; `None` before its first import.
    pub fn modified(&self, list: ListId) -> Option<std::time::SystemTime> {
        fs::metadata(self.state_path(list)).and_then(|m| m.modified()).ok()
    }

    /// The list's state; empty when nothing was imported yet.
    pub fn state(&self, list: ListId) -> Result<ListState, ListError> {
        let path = self.state_path(list);
        match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| ListError::Store { path: path.display().to_string(), reason: e.to_string() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ListState::default()),
            Err(source) => Err(ListError::Io { path: path.display().to_string(), source }),
        }
    }

    /// Adds a published file of `list`, with its companions, as its snapshot of `date` and returns
    /// what it changed. Files that do not parse, or that would drop most of the list, are refused
    /// and change nothing. A date before the newest snapshot (a backfill) or equal to a stored one
    /// rebuilds the history from all snapshots in date order.
    pub fn import(
        &self,
        list: ListId,
        bytes: &[u8],
        companions: &[Companion],
        date: NaiveDate,
        origin: Origin,
    ) -> Result<Delta, ListError> {
        let entries = list.parse(bytes, companions)?;
        let mut state = self.state(list)?;
        let newest = state.snapshots.last().map(|s| s.date);
        let appends = newest.is_none_or(|n| date > n);
        let (delta, snapshot_entries) = if appends {
            let listed = state.listed();
            let delta = apply(&mut state, entries, date, newest);
            if listed > 0 && delta.removed.len() as f64 > MAX_SHARE_REMOVED * listed as f64 {
                return Err(ListError::Malformed {
                    list,
                    reason: format!(
                        "it would remove {} of the {listed} entries listed: refused as cut or wrong (the store is unchanged)",
                        delta.removed.len()
                    ),
                });
            }
            let count = state.listed();
            (delta, count)
        } else {
            // Rebuilt below from the files, this one among them.
            (Delta::default(), entries.len())
        };
        let sha256 = hex::encode(Sha256::digest(bytes));
        let snapshot = Snapshot {
            date,
            sha256,
            entries: snapshot_entries,
            added: delta.added.len(),
            removed: delta.removed.len(),
            changed: delta.changed.len(),
            url: origin.url,
            etag: origin.etag,
            last_modified: origin.last_modified,
            companions: companions.iter().map(|c| c.kind).collect(),
        };
        // The state, written last, says which files a snapshot has: until then it is the old one.
        for companion in companions {
            write_atomically(&self.companion_path(list, date, companion.kind), &companion.bytes)?;
        }
        write_atomically(&self.snapshot_path(list, date), bytes)?;
        let delta = if appends {
            state.snapshots.push(snapshot);
            delta
        } else {
            state.snapshots.retain(|s| s.date != date);
            state.snapshots.push(snapshot);
            state.snapshots.sort_by_key(|s| s.date);
            self.rebuild(list, &mut state, date)?
        };
        let json = serde_json::to_vec(&state).expect("a list state serialises");
        write_atomically(&self.state_path(list), &json)?;
        Ok(delta)
    }

    /// Replays every stored snapshot in date order; returns the delta of the one of `date`.
    fn rebuild(&self, list: ListId, state: &mut ListState, date: NaiveDate) -> Result<Delta, ListError> {
        let mut rebuilt = ListState::default();
        let mut delta_of_date = Delta::default();
        for snapshot in &state.snapshots {
            let read = |path: PathBuf| {
                fs::read(&path).map_err(|source| ListError::Io { path: path.display().to_string(), source })
            };
            let bytes = read(self.snapshot_path(list, snapshot.date))?;
            let companions = snapshot
                .companions
                .iter()
                .map(|&kind| Ok(Companion { kind, bytes: read(self.companion_path(list, snapshot.date, kind))? }))
                .collect::<Result<Vec<_>, ListError>>()?;
            let previous = rebuilt.snapshots.last().map(|s| s.date);
            let delta = apply(&mut rebuilt, list.parse(&bytes, &companions)?, snapshot.date, previous);
            let mut record = snapshot.clone();
            (record.added, record.removed, record.changed) =
                (delta.added.len(), delta.removed.len(), delta.changed.len());
            record.entries = rebuilt.listed();
            rebuilt.snapshots.push(record);
            if snapshot.date == date {
                delta_of_date = delta;
            }
        }
        *state = rebuilt;
        Ok(delta_of_date)
    }
}

/// Applies the snapshot of `date` to `state`, whose newest snapshot is `previous`.
fn apply(state: &mut ListState, entries: Vec<ListEntry>, date: NaiveDate, previous: Option<NaiveDate>) -> Delta {
    let mut delta = Delta::default();
    let mut present = std::collections::HashSet::new();
    for entry in entries {
        present.insert(entry.id.clone());
        match state.entries.get_mut(&entry.id) {
            Some(history) if history.removed.is_none() => {
                if history.entry != entry {
                    delta.changed.push(entry.clone());
                    history.entry = entry;
                }
                history.last_seen = date;
            }
            // Relisted: its history starts again.
            Some(history) => {
                delta.added.push(entry.clone());
                *history =
                    EntryHistory { entry, first_seen: date, added_after: previous, last_seen: date, removed: None };
            }
            None => {
                if previous.is_some() {
                    delta.added.push(entry.clone());
                }
                let history =
                    EntryHistory { entry, first_seen: date, added_after: previous, last_seen: date, removed: None };
                state.entries.insert(history.entry.id.clone(), history);
            }
        }
    }
    for history in state.entries.values_mut() {
        if history.removed.is_none() && !present.contains(&history.entry.id) {
            history.removed = Some(date);
            delta.removed.push(history.entry.clone());
        }
    }
    delta
}

/// Writes `bytes` to `path` through a synced temporary file in the same folder and a rename, so the
/// path holds either the old content or the new, never part of one.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ListError> {
    let io = |source| ListError::Io { path: path.display().to_string(), source };
    let dir = path.parent().expect("store paths have a folder");
    fs::create_dir_all(dir).map_err(io)?;
    let temporary = dir.join(format!(".{}.tmp", path.file_name().unwrap().to_string_lossy()));
    let mut file = fs::File::create(&temporary).map_err(io)?;
    file.write_all(bytes).and_then(|_| file.sync_all()).map_err(io)?;
    fs::rename(&temporary, path).map_err(io)?;
    // The rename itself is durable once the folder is synced.
    fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sdn(rows: &[(&str, &str)]) -> Vec<u8> {
        rows.iter()
            .map(|(id, name)| format!("{id},\"{name}\",-0- ,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n"))
            .collect::<String>()
            .into_bytes()
    }

    fn day(d: &str) -> NaiveDate {
        d.parse().unwrap()
    }

    #[test]
    fn snapshots_give_deltas_and_backfills_rebuild_the_history() {
        let dir = tempfile::tempdir().unwrap();
        let store = ListStore::open(dir.path());
        let list = ListId::OfacSdn;
        let first =
            store.import(list, &sdn(&[("1", "ALPHA"), ("2", "BETA")]), &[], day("2024-01-10"), Origin::default());
        assert!(first.unwrap().added.is_empty(), "the first snapshot adds nothing: it is where history starts");
        let delta = store
            .import(list, &sdn(&[("1", "ALPHA"), ("3", "GAMMA")]), &[], day("2024-01-20"), Origin::default())
            .unwrap();
        assert_eq!((delta.added[0].id.as_str(), delta.removed[0].id.as_str()), ("3", "2"));
        let state = store.state(list).unwrap();
        assert_eq!(state.entries["3"].first_seen, day("2024-01-20"));
        assert_eq!(state.entries["2"].removed, Some(day("2024-01-20")));
        assert_eq!(state.entries["1"].added_after, None);
        assert_eq!(state.entries["3"].added_after, Some(day("2024-01-10")));
        assert_eq!(state.entries["3"].since(10), Some(day("2024-01-20")));
        assert_eq!(state.entries["3"].since(7), None, "added some day in the ten between the snapshots");
        assert_eq!(state.entries["1"].since(7), None);

        // A snapshot between the two: GAMMA appeared on the 15th.
        let backfill = store.import(
            list,
            &sdn(&[("1", "ALPHA"), ("2", "BETA"), ("3", "GAMMA")]),
            &[],
            day("2024-01-15"),
            Origin::default(),
        );
        assert_eq!(backfill.unwrap().added[0].id, "3");
        let state = store.state(list).unwrap();
        assert_eq!(state.entries["3"].first_seen, day("2024-01-15"));
        assert_eq!(
            state.snapshots.iter().map(|s| s.date.to_string()).collect::<Vec<_>>(),
            ["2024-01-10", "2024-01-15", "2024-01-20"]
        );
        assert_eq!(state.snapshots[2].added, 0);
    }

    #[test]
    fn a_file_that_does_not_parse_or_drops_most_entries_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = ListStore::open(dir.path());
        let list = ListId::OfacSdn;
        let rows: Vec<(String, String)> = (0..10).map(|i| (i.to_string(), format!("NAME {i}"))).collect();
        let all: Vec<(&str, &str)> = rows.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        store.import(list, &sdn(&all), &[], day("2024-01-10"), Origin::default()).unwrap();
        let before = fs::read(dir.path().join("ofac-sdn/state.json")).unwrap();
        let mut cut = sdn(&all);
        cut.truncate(cut.len() - 20);
        let err = store.import(list, &cut, &[], day("2024-01-11"), Origin::default()).unwrap_err();
        assert!(err.to_string().starts_with("ofac-sdn: not a valid list file: sdn.csv line 10"), "{err}");
        let err = store.import(list, &sdn(&all[..3]), &[], day("2024-01-12"), Origin::default()).unwrap_err();
        assert!(err.to_string().contains("would remove 7 of the 10 entries"), "{err}");
        assert_eq!(fs::read(dir.path().join("ofac-sdn/state.json")).unwrap(), before);
        assert!(!dir.path().join("ofac-sdn/snapshots/2024-01-12.csv").exists());
    }
}
