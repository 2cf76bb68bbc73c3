//! `newshound watch`: reports each newly designated target as a JSON line as soon as an ingest or crawl
//! commits it, and, for the names on the watchlist, every new mention and designation. Each event is
//! also POSTed to the configured webhook.
//!
//! It polls the index for documents written since the last poll; a target counts as new the first
//! time the index holds a designation of it. It also watches the list store: when a list update adds
//! an entry that an indexed article reported, it says so (`"event": "listed"`).

use std::collections::HashSet;
use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::json;

use crate::config::WatchConfig;
use crate::document::Document;
use crate::index::NewsIndex;
use crate::index::designations::{DesignationFilter, DesignationRecord, target_key};
use crate::lists::{ListId, ListLinker, ListStore};

/// Documents committed up to this long before a poll are looked at again by the next, so a commit
/// that lands while a poll runs is not missed (seen sets drop the repeats).
const OVERLAP: Duration = Duration::from_secs(2);

pub struct Watcher<'a> {
    index: &'a NewsIndex,
    config: &'a WatchConfig,
    webhook: Option<reqwest::blocking::Client>,
    watchlist: Vec<String>,
    known_targets: HashSet<String>,
    /// (article key, target key) and (article key, watched name) already reported.
    reported: HashSet<(String, String)>,
    lists: ListStore,
    /// Per list, when its state last changed and its newest snapshot then.
    list_versions: Vec<(ListId, Option<std::time::SystemTime>, Option<chrono::NaiveDate>)>,
}

impl<'a> Watcher<'a> {
    pub fn new(index: &'a NewsIndex, config: &'a WatchConfig, lists: ListStore) -> anyhow::Result<Self> {
        let webhook = (!config.webhook.is_empty())
            .then(|| reqwest::blocking::Client::builder().timeout(Duration::from_secs(10)).build())
            .transpose()
            .context("cannot set up the webhook client")?;
        let known_targets = index
            .designations(&DesignationFilter::default(), usize::MAX)?
            .iter()
            .map(|t| target_key(&t.target))
            .collect();
        Ok(Watcher {
            index,
            config,
            webhook,
            watchlist: config.watchlist.iter().map(|n| n.to_lowercase()).collect(),
            known_targets,
            reported: HashSet::new(),
            list_versions: ListId::ALL.iter().map(|&l| newest_snapshot(&lists, l)).collect::<anyhow::Result<_>>()?,
            lists,
        })
    }

    /// Runs until the process is stopped. With `since`, first reports the targets first seen since then.
    pub fn run(mut self, since: Option<DateTime<Utc>>, out: &mut dyn Write) -> anyhow::Result<()> {
        if let Some(since) = since {
            let filter = DesignationFilter { since: Some(since), ..DesignationFilter::default() };
            for target in self.index.designations(&filter, usize::MAX)?.into_iter().rev() {
                let first = &target.reports[0];
                self.reported.insert((first.url.clone(), target_key(&target.target)));
                self.emit(out, designation_event(first, target.first_seen, None))?;
            }
        }
        let mut cursor = Utc::now();
        loop {
            std::thread::sleep(Duration::from_secs(self.config.poll_secs.max(1)));
            let started = Utc::now();
            self.index.reload()?;
            let (records, articles) = self.index.ingested_since(cursor - OVERLAP)?;
            self.poll(records, articles, out)?;
            self.poll_lists(out)?;
            cursor = started;
        }
    }

    fn poll(
        &mut self,
        records: Vec<DesignationRecord>,
        articles: Vec<Document>,
        out: &mut dyn Write,
    ) -> anyhow::Result<()> {
        for record in records {
            let key = target_key(&record.designation.target.name);
            let watched = self.watched(&record.designation.target.name, &record.designation.target.aliases);
            let new_target = self.known_targets.insert(key.clone());
            if (new_target || watched.is_some()) && self.reported.insert((record.url.clone(), key)) {
                let seen = record.published.map_or_else(Utc::now, |p| p.with_timezone(&Utc));
                self.emit(out, designation_event(&record, seen, watched))?;
            }
        }
        if self.watchlist.is_empty() {
            return Ok(());
        }
        for article in articles {
            for entity in article.entities.iter().flatten() {
                let Some(name) = self.watched(&entity.canonical, std::slice::from_ref(&entity.text)) else { continue };
                if self.reported.insert((article.key.clone(), name.clone())) {
                    let event = json!({
                        "event": "mention",
                        "watch": name,
                        "entity": entity,
                        "article": {"id": article.id, "url": article.url, "title": article.title, "published": article.published},
                    });
                    self.emit(out, event)?;
                }
            }
        }
        Ok(())
    }

    /// After a list update, one `listed` event per entry it added that an indexed target matches.
    fn poll_lists(&mut self, out: &mut dyn Write) -> anyhow::Result<()> {
        let mut known_before = Vec::new();
        for version in &mut self.list_versions {
            if self.lists.modified(version.0) != version.1 {
                let now = newest_snapshot(&self.lists, version.0)?;
                known_before.push((version.0, version.2));
                *version = now;
            }
        }
        if known_before.is_empty() {
            return Ok(());
        }
        let Some(linker) = ListLinker::load(&self.lists)? else { return Ok(()) };
        for target in self.index.designations(&DesignationFilter::default(), usize::MAX)? {
            let first = &target.reports[0];
            for m in linker.matches(&first.designation.target, None) {
                // Added by this update: after the newest snapshot known before it.
                let Some(&(_, before)) = known_before.iter().find(|(l, _)| *l == m.list) else { continue };
                if m.added_after.is_none() || before.is_some_and(|b| m.first_seen <= b) {
                    continue;
                }
                let event = json!({
                    "event": "listed",
                    "target": target.target,
                    "entry": m,
                    "article": {"id": first.article_id, "url": first.url, "title": first.title, "published": first.published},
                });
                self.emit(out, event)?;
            }
        }
        Ok(())
    }

    /// The watchlist name (as configured) that `name` or one of `others` is, any case.
    fn watched(&self, name: &str, others: &[String]) -> Option<String> {
        let names: Vec<String> =
            std::iter::once(name).chain(others.iter().map(String::as_str)).map(str::to_lowercase).collect();
        let position = self.watchlist.iter().position(|w| names.contains(w))?;
        Some(self.config.watchlist[position].clone())
    }

    fn emit(&self, out: &mut dyn Write, event: serde_json::Value) -> anyhow::Result<()> {
        writeln!(out, "{event}")?;
        out.flush()?;
        if let Some(client) = &self.webhook {
            // A webhook that is down must not stop the watch: the event is on stdout either way.
            let request = client
                .post(&self.config.webhook)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(event.to_string());
            match request.send() {
                Ok(response) if response.status().is_success() => {}
                Ok(response) => tracing::warn!("webhook {} answered {}", self.config.webhook, response.status()),
                Err(e) => tracing::warn!("webhook {} failed: {e}", self.config.webhook),
            }
        }
        Ok(())
    }
}

/// A list's state version and newest snapshot day.
fn newest_snapshot(
    lists: &ListStore,
    list: ListId,
) -> anyhow::Result<(ListId, Option<std::time::SystemTime>, Option<chrono::NaiveDate>)> {
    let modified = lists.modified(list);
    let newest = match modified {
        Some(_) => lists.state(list)?.snapshots.last().map(|s| s.date),
        None => None,
    };
    Ok((list, modified, newest))
}

fn designation_event(
    record: &DesignationRecord,
    first_seen: DateTime<Utc>,
    watch: Option<String>,
) -> serde_json::Value {
    let mut event = json!({
        "event": "designation",
        "target": record.designation.target.name,
        "first_seen": first_seen,
        "designation": record.designation,
        "article": {"id": record.article_id, "url": record.url, "title": record.title, "published": record.published},
    });
    if let Some(name) = watch {
        event["watch"] = json!(name);
    }
    event
}
