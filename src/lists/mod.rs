//! Official sanctions lists: what each authority has listed, since when, and what changed between
//! snapshots, so that a target an article reports can be checked against the lists.
//!
//! Each list has an importer for the format its authority publishes ([`ofac`], [`uk`], [`un`],
//! [`canada`], [`australia`]); all of them give [`ListEntry`]s. [`store`] keeps dated snapshots and
//! each entry's `first_seen` / `last_seen`, as OpenSanctions does from daily downloads; [`link`]
//! finds the entries a reported name matches.

mod australia;
mod canada;
pub mod lifecycle;
pub mod link;
mod ofac;
mod sheet;
pub mod store;
mod uk;
mod un;
pub mod update;

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use link::{ListEvidence, ListLinker};
pub use store::{Delta, ListStore};

/// The lists newshound can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ListId {
    /// US Treasury OFAC's Specially Designated Nationals list (`sdn.csv`).
    #[serde(rename = "ofac-sdn")]
    OfacSdn,
    /// The UK's OFSI Consolidated List of Financial Sanctions Targets (`ConList.xlsx`).
    #[serde(rename = "uk-ofsi")]
    UkOfsi,
    /// The UN Security Council Consolidated List (`consolidated.xml`).
    #[serde(rename = "un-sc")]
    UnSc,
    /// Canada's Consolidated Autonomous Sanctions List (`sema-lmes.xml`).
    #[serde(rename = "ca-sema")]
    CaSema,
    /// Australia's DFAT Consolidated List (`regulation8_consolidated.xlsx`).
    #[serde(rename = "au-dfat")]
    AuDfat,
}

impl ListId {
    pub const ALL: [ListId; 5] = [ListId::OfacSdn, ListId::UkOfsi, ListId::UnSc, ListId::CaSema, ListId::AuDfat];

    pub fn as_str(self) -> &'static str {
        match self {
            ListId::OfacSdn => "ofac-sdn",
            ListId::UkOfsi => "uk-ofsi",
            ListId::UnSc => "un-sc",
            ListId::CaSema => "ca-sema",
            ListId::AuDfat => "au-dfat",
        }
    }

    /// The authority that keeps the list, as users name it.
    pub fn authority(self) -> &'static str {
        match self {
            ListId::OfacSdn => "US Treasury OFAC",
            ListId::UkOfsi => "UK OFSI",
            ListId::UnSc => "UN Security Council",
            ListId::CaSema => "Government of Canada",
            ListId::AuDfat => "Australian DFAT",
        }
    }

    /// The file extension of its published format, for stored snapshots.
    fn extension(self) -> &'static str {
        match self {
            ListId::OfacSdn => "csv",
            ListId::UkOfsi | ListId::AuDfat => "xlsx",
            ListId::UnSc | ListId::CaSema => "xml",
        }
    }

    /// Reads one published file of this list, with the companions published beside it.
    pub fn parse(self, bytes: &[u8], companions: &[Companion]) -> Result<Vec<ListEntry>, ListError> {
        if let Some(stray) = companions.iter().find(|c| c.kind.list() != self) {
            let reason = format!("{} is not a file of this list", stray.kind.file_name());
            return Err(ListError::Malformed { list: self, reason });
        }
        let entries = match self {
            ListId::OfacSdn => ofac::parse(bytes, companions),
            ListId::UkOfsi => uk::parse(bytes),
            ListId::UnSc => un::parse(bytes),
            ListId::CaSema => canada::parse(bytes),
            ListId::AuDfat => australia::parse(bytes),
        }
        .map_err(|reason| ListError::Malformed { list: self, reason })?;
        if entries.is_empty() {
            return Err(ListError::Malformed { list: self, reason: "no entries".into() });
        }
        let mut ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        ids.sort_unstable();
        if let Some(pair) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(ListError::Malformed { list: self, reason: format!("entry id {} appears twice", pair[0]) });
        }
        Ok(entries)
    }
}

impl fmt::Display for ListId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ListId {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ListId::ALL.into_iter().find(|l| l.as_str() == s).ok_or_else(|| {
            let known: Vec<&str> = ListId::ALL.iter().map(|l| l.as_str()).collect();
            format!("unknown list {s:?} (known: {})", known.join(", "))
        })
    }
}

/// A file an authority publishes beside its list's main one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompanionKind {
    /// OFAC's `alt.csv`: further names of the SDN entries.
    OfacAliases,
    /// OFAC's `add.csv`: the SDN entries' addresses.
    OfacAddresses,
}

impl CompanionKind {
    pub fn list(self) -> ListId {
        match self {
            CompanionKind::OfacAliases | CompanionKind::OfacAddresses => ListId::OfacSdn,
        }
    }

    /// The name the authority publishes it under.
    pub fn file_name(self) -> &'static str {
        match self {
            CompanionKind::OfacAliases => "alt.csv",
            CompanionKind::OfacAddresses => "add.csv",
        }
    }
}

/// A companion file's contents.
#[derive(Debug, Clone)]
pub struct Companion {
    pub kind: CompanionKind,
    pub bytes: Vec<u8>,
}

impl Companion {
    /// A companion of `list`, which one told by its contents.
    pub fn read(list: ListId, bytes: Vec<u8>) -> Result<Companion, ListError> {
        let kind = match list {
            ListId::OfacSdn => ofac::companion_kind(&bytes),
            _ => Err("the list publishes no companion files".into()),
        }
        .map_err(|reason| ListError::Malformed { list, reason: format!("not a companion file: {reason}") })?;
        Ok(Companion { kind, bytes })
    }
}

/// What a list says an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Person,
    /// Companies, organisations, groups: the lists do not tell them apart.
    Entity,
    Vessel,
    Aircraft,
}

/// A number or date the list gives to tell an entry apart from others of the same name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identifier {
    /// `imo`, `call_sign`, `date_of_birth`, `passport`, `national_id`.
    pub scheme: String,
    pub value: String,
}

/// One designation on a list, with every name it is listed under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListEntry {
    /// The list's own id for it (OFAC's ent_num, the UK's Group ID, the UN's reference number, …).
    pub id: String,
    /// The primary name, as the list writes it (OFAC writes people "LAST, First").
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub kind: EntryKind,
    #[serde(default)]
    pub programs: Vec<String>,
    #[serde(default)]
    pub identifiers: Vec<Identifier>,
    /// Nationalities or countries of registration, as the list writes them.
    #[serde(default)]
    pub countries: Vec<String>,
    /// The listing date where the list gives one.
    #[serde(default)]
    pub listed_on: Option<NaiveDate>,
}

impl ListEntry {
    /// The primary name, then the aliases.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// Why a list could not be read or stored.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error("{list}: not a valid list file: {reason}")]
    Malformed { list: ListId, reason: String },
    #[error("{list}: download from {url} failed: {reason}")]
    Download { list: ListId, url: String, reason: String },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: the list store is damaged: {reason}")]
    Store { path: String, reason: String },
}

/// Adds `name` to `names` unless it is empty or already there (lists repeat variants).
fn push_name(names: &mut Vec<String>, name: &str) {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if !name.is_empty() && !names.contains(&name) {
        names.push(name);
    }
}

/// A day written `DD/MM/YYYY` (the UK's sheets) or `YYYY-MM-DD`, with or without a time zone after
/// it (the UN writes some as "2015-04-14-04:00").
fn parse_day(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let iso = text.get(..10).filter(|_| text.len() == 10 || text[10..].starts_with(['-', '+', 'T', 'Z']));
    NaiveDate::parse_from_str(text, "%d/%m/%Y").ok().or_else(|| NaiveDate::parse_from_str(iso?, "%Y-%m-%d").ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_ids_read_back_from_their_names() {
        for list in ListId::ALL {
            assert_eq!(list.as_str().parse::<ListId>(), Ok(list));
            assert_eq!(serde_json::to_string(&list).unwrap(), format!("\"{list}\""));
        }
        assert!("eu-fsf".parse::<ListId>().unwrap_err().contains("known: ofac-sdn"));
    }

    #[test]
    fn days_read_in_both_written_orders() {
        assert_eq!(parse_day("09/12/2022"), NaiveDate::from_ymd_opt(2022, 12, 9));
        assert_eq!(parse_day(" 2025-02-21 "), NaiveDate::from_ymd_opt(2025, 2, 21));
        assert_eq!(parse_day("2015-04-14-04:00"), NaiveDate::from_ymd_opt(2015, 4, 14));
        assert_eq!(parse_day("2015-04-145"), None);
        assert_eq!(parse_day("12/31/2022"), None);
    }
}
