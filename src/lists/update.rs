//! `newshound lists update`: each configured list downloaded (conditionally, within the fetch
//! settings' timeouts and body limit) and stored as the snapshot of its date.

use chrono::{DateTime, NaiveDate, Utc};

use super::store::Origin;
use super::{Companion, Delta, ListError, ListId, ListStore};
use crate::config::ListSourceConfig;
use crate::sources::{HttpFetcher, Validators};

/// What one update did.
pub enum Updated {
    /// The server said the file has not changed since the last snapshot.
    NotModified,
    Stored {
        date: NaiveDate,
        delta: Delta,
    },
}

/// Downloads `source` and stores it as the snapshot of `date`, else of the day the server says the
/// file was last modified, else of today. On any failure the store keeps its previous snapshot.
pub fn update(
    store: &ListStore,
    fetcher: &HttpFetcher,
    source: &ListSourceConfig,
    date: Option<NaiveDate>,
) -> Result<Updated, ListError> {
    let list: ListId = source.list;
    let newest = store.state(list)?.snapshots.pop();
    // Ask for the file only if it changed, when it came from this URL last time.
    let validators = newest
        .filter(|s| s.url.as_deref() == Some(source.url.as_str()))
        .map(|s| Validators { etag: s.etag, last_modified: s.last_modified })
        .unwrap_or_default();
    let fetched = fetcher.fetch_file(&source.url, &validators).map_err(|e| ListError::Download {
        list,
        url: source.url.clone(),
        reason: e.reason,
    })?;
    let Some(file) = fetched else { return Ok(Updated::NotModified) };
    // The companions change with the list: fetched whole whenever it did.
    let mut companions = Vec::new();
    for url in &source.companions {
        let failed = |reason: String| ListError::Download { list, url: url.clone(), reason };
        let fetched = fetcher.fetch_file(url, &Validators::default()).map_err(|e| failed(e.reason))?;
        let file = fetched.ok_or_else(|| failed("answered \"not modified\" to a plain request".into()))?;
        companions.push(Companion::read(list, file.bytes)?);
    }
    let modified = file.validators.last_modified.as_deref().and_then(|m| DateTime::parse_from_rfc2822(m).ok());
    let date = date.or(modified.map(|m| m.with_timezone(&Utc).date_naive())).unwrap_or_else(|| Utc::now().date_naive());
    let origin = Origin {
        url: Some(source.url.clone()),
        etag: file.validators.etag,
        last_modified: file.validators.last_modified,
    };
    let delta = store.import(list, &file.bytes, &companions, date, origin)?;
    Ok(Updated::Stored { date, delta })
}
