//! Was the news first, or the list? For each target the index holds, the list entries it matches now
//! (the store may have changed since the articles were ingested) beside the first article that
//! reported it, and the days between them; the reported targets no list has; and the list additions
//! in the articles' time range that no article reported.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::{ListId, ListLinker};
use crate::document::ListMatch;
use crate::index::designations::{DesignationRecord, TargetReports};

/// A list entry and the first article that reported its target.
#[derive(Debug, Serialize)]
pub struct ReportedListing<'a> {
    pub target: &'a str,
    pub entry: ListMatch,
    pub first_report: Report<'a>,
    /// The first report's day minus the listing day: negative when the news came first. Absent when
    /// the store does not know the listing day (see the entry's `added_after` … `first_seen`).
    pub lag_days: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub article_id: &'a str,
    pub url: &'a str,
    pub title: Option<&'a str>,
    pub date: NaiveDate,
}

#[derive(Debug, Serialize)]
pub struct Lifecycle<'a> {
    pub listed: Vec<ReportedListing<'a>>,
    /// Reported, and on no list the store has.
    pub not_listed: Vec<(&'a str, Report<'a>)>,
    /// Entries each list added, on a known day within the reports' time range, that no report names.
    pub unreported_additions: BTreeMap<ListId, usize>,
}

fn report_of<'a>(target: &'a TargetReports, record: &'a DesignationRecord) -> Report<'a> {
    Report {
        article_id: &record.article_id,
        url: &record.url,
        title: record.title.as_deref(),
        date: record.published.map_or_else(|| target.first_seen.date_naive(), |p| p.date_naive()),
    }
}

pub fn lifecycle<'a>(targets: &'a [TargetReports], linker: &ListLinker) -> Lifecycle<'a> {
    let mut listed = Vec::new();
    let mut not_listed = Vec::new();
    let mut reported_entries = HashSet::new();
    for target in targets {
        let first = &target.reports[0];
        let report = report_of(target, first);
        let status = linker.status(&first.designation.target, Some(report.date));
        if status.matches.is_empty() {
            not_listed.push((target.target.as_str(), report));
            continue;
        }
        for entry in status.matches {
            reported_entries.insert((entry.list, entry.entry_id.clone()));
            let lag_days = entry.since.map(|since| (report.date - since).num_days());
            listed.push(ReportedListing {
                target: &target.target,
                entry,
                first_report: report_of(target, first),
                lag_days,
            });
        }
    }
    let dates = targets.iter().map(|t| report_of(t, &t.reports[0]).date);
    let range = dates.clone().min().zip(dates.max());
    let mut unreported_additions = BTreeMap::new();
    if let Some((from, to)) = range {
        for (list, entry_id) in linker.additions_between(from, to) {
            if !reported_entries.contains(&(list, entry_id.to_string())) {
                *unreported_additions.entry(list).or_default() += 1;
            }
        }
    }
    listed.sort_by(|a, b| (a.entry.since, a.target).cmp(&(b.entry.since, b.target)));
    Lifecycle { listed, not_listed, unreported_additions }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Designation, DesignationAction, Evidence, Target, TargetType};
    use crate::lists::ListStore;
    use crate::lists::store::Origin;

    fn reported(name: &str, published: &str) -> TargetReports {
        let published = crate::dates::parse_date(published).unwrap();
        let designation = Designation {
            authority: None,
            action: DesignationAction::Designate,
            target: Target {
                name: name.into(),
                kind: TargetType::Person,
                aliases: Vec::new(),
                country: None,
                imo: None,
            },
            program: None,
            date: None,
            evidence: Evidence { text: String::new(), start: 0, end: 0 },
            confidence: 1.0,
            listing: None,
        };
        let record = DesignationRecord {
            article_id: format!("about {name}"),
            url: String::new(),
            title: None,
            published: Some(published),
            designation,
        };
        TargetReports { target: name.into(), first_seen: published.to_utc(), reports: vec![record] }
    }

    #[test]
    fn each_reported_listing_has_its_lag_and_unreported_additions_are_counted() {
        let row = |id: u32, name: &str| {
            format!("{id},\"{name}\",\"individual\",\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n")
        };
        let dir = tempfile::tempdir().unwrap();
        let store = ListStore::open(dir.path());
        let day = |d: &str| d.parse().unwrap();
        let first = row(1, "ALPHA, Anna");
        let second = first.clone() + &row(2, "KIM, Sang Man") + &row(3, "BETA, Boris");
        store.import(ListId::OfacSdn, first.as_bytes(), &[], day("2024-01-10"), Origin::default()).unwrap();
        store.import(ListId::OfacSdn, second.as_bytes(), &[], day("2024-01-11"), Origin::default()).unwrap();
        let linker = ListLinker::load(&store).unwrap().unwrap();
        let targets = [reported("Kim Sang Man", "2024-01-09"), reported("Nobody Known", "2024-01-12")];
        let lifecycle = lifecycle(&targets, &linker);
        assert_eq!(lifecycle.listed.len(), 1);
        let kim = &lifecycle.listed[0];
        assert_eq!((kim.entry.entry_id.as_str(), kim.lag_days), ("2", Some(-2)), "the news came two days first");
        assert_eq!(lifecycle.not_listed.iter().map(|(t, _)| *t).collect::<Vec<_>>(), ["Nobody Known"]);
        assert_eq!(lifecycle.unreported_additions[&ListId::OfacSdn], 1, "BETA was added and not reported");
    }
}
