//! Canada's Consolidated Autonomous Sanctions List (`sema-lmes.xml`): one `record` per listing, in a
//! schedule of the regulations of one regime ("Russia / Russie"). A person has a last and given
//! name; an entity or ship its name in `EntityOrShip`, a ship also its IMO number.

use once_cell::sync::Lazy;
use regex::Regex;
use serde::Deserialize;

use super::{EntryKind, Identifier, ListEntry, parse_day, push_name};

#[derive(Deserialize)]
struct DataSet {
    #[serde(rename = "record", default)]
    records: Vec<Record>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Record {
    country: Option<String>,
    last_name: Option<String>,
    given_name: Option<String>,
    entity_or_ship: Option<String>,
    #[serde(rename = "ShipIMONumber")]
    ship_imo_number: Option<String>,
    date_of_birth_or_ship_build_date: Option<String>,
    schedule: Option<String>,
    item: Option<String>,
    date_of_listing: Option<String>,
    aliases: Option<String>,
}

/// "Belarusian: " before an alias in another script.
static LANGUAGE_LABEL: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\p{L}+:\s*").unwrap());

pub fn parse(bytes: &[u8]) -> Result<Vec<ListEntry>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let data: DataSet = quick_xml::de::from_str(text).map_err(|e| e.to_string())?;
    data.records.iter().enumerate().map(|(n, r)| entry(r).map_err(|e| format!("record {}: {e}", n + 1))).collect()
}

fn trimmed(value: &Option<String>) -> &str {
    value.as_deref().map(str::trim).unwrap_or_default()
}

fn entry(record: &Record) -> Result<ListEntry, String> {
    // The regime is written in English and French: "Russia / Russie".
    let regime = trimmed(&record.country).split(" / ").next().unwrap_or_default().trim();
    let (schedule, item) = (trimmed(&record.schedule), trimmed(&record.item));
    if regime.is_empty() || item.is_empty() {
        return Err("no regime (Country) or no Item".into());
    }
    let person = [trimmed(&record.given_name), trimmed(&record.last_name)];
    let person_name = person.iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join(" ");
    let imo = trimmed(&record.ship_imo_number);
    let (name, kind) = match (person_name.is_empty(), trimmed(&record.entity_or_ship)) {
        (false, _) => (person_name, EntryKind::Person),
        (true, "") => return Err("no name".into()),
        (true, ship) if !imo.is_empty() => (ship.to_string(), EntryKind::Vessel),
        (true, entity) => (entity.to_string(), EntryKind::Entity),
    };
    let mut identifiers = Vec::new();
    if !imo.is_empty() {
        identifiers.push(Identifier { scheme: "imo".into(), value: imo.to_string() });
    }
    let born = trimmed(&record.date_of_birth_or_ship_build_date);
    if kind == EntryKind::Person && !born.is_empty() {
        identifiers.push(Identifier { scheme: "date_of_birth".into(), value: born.to_string() });
    }
    Ok(ListEntry {
        id: format!("{regime} {schedule} item {item}"),
        name,
        aliases: split_aliases(trimmed(&record.aliases), kind),
        kind,
        programs: vec![regime.to_string()],
        identifiers,
        countries: Vec::new(),
        listed_on: parse_day(trimmed(&record.date_of_listing)),
    })
}

/// Aliases are one comma- or semicolon-separated field; a piece that is only a legal form ("Ltd.")
/// belongs to the name before it.
fn split_aliases(field: &str, kind: EntryKind) -> Vec<String> {
    let mut aliases: Vec<String> = Vec::new();
    for piece in field.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        let piece = LANGUAGE_LABEL.replace(piece, "");
        let only_a_legal_form = crate::identity::without_legal_forms(&piece).0.is_empty();
        match aliases.last_mut() {
            Some(last) if kind != EntryKind::Person && only_a_legal_form => *last = format!("{last}, {piece}"),
            _ => push_name(&mut aliases, &piece),
        }
    }
    aliases
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_split_without_cutting_legal_forms() {
        assert_eq!(
            split_aliases("Roman BIZIUK,  Belarusian: Раман БIЗЮК; Russian: Роман БИЗЮК", EntryKind::Person),
            ["Roman BIZIUK", "Раман БIЗЮК", "Роман БИЗЮК"]
        );
        assert_eq!(
            split_aliases("Alpha Trading Co., Ltd., Beta LLC", EntryKind::Entity),
            ["Alpha Trading Co., Ltd.", "Beta LLC"]
        );
    }
}
