//! The UN Security Council Consolidated List (`consolidated.xml`): `INDIVIDUALS/INDIVIDUAL` and
//! `ENTITIES/ENTITY`, each with its reference number ("QDi.058"), up to four name parts, aliases,
//! the sanctions committee's list ("Al-Qaida", "DPRK"), nationalities and the listing date.

use serde::Deserialize;

use super::{EntryKind, Identifier, ListEntry, parse_day, push_name};

#[derive(Deserialize)]
struct Consolidated {
    #[serde(rename = "INDIVIDUALS")]
    individuals: Option<Individuals>,
    #[serde(rename = "ENTITIES")]
    entities: Option<Entities>,
}

#[derive(Deserialize)]
struct Individuals {
    #[serde(rename = "INDIVIDUAL", default)]
    records: Vec<Record>,
}

#[derive(Deserialize)]
struct Entities {
    #[serde(rename = "ENTITY", default)]
    records: Vec<Record>,
}

#[derive(Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
struct Record {
    #[serde(rename = "DATAID")]
    data_id: Option<String>,
    reference_number: Option<String>,
    first_name: Option<String>,
    second_name: Option<String>,
    third_name: Option<String>,
    fourth_name: Option<String>,
    un_list_type: Option<String>,
    listed_on: Option<String>,
    name_original_script: Option<String>,
    nationality: Option<Values>,
    #[serde(rename = "INDIVIDUAL_ALIAS", alias = "ENTITY_ALIAS", default)]
    aliases: Vec<Alias>,
    #[serde(rename = "INDIVIDUAL_DATE_OF_BIRTH", default)]
    births: Vec<Birth>,
}

#[derive(Deserialize)]
struct Values {
    #[serde(rename = "VALUE", default)]
    values: Vec<String>,
}

#[derive(Deserialize)]
struct Alias {
    #[serde(rename = "ALIAS_NAME")]
    name: Option<String>,
}

#[derive(Deserialize)]
struct Birth {
    #[serde(rename = "DATE")]
    date: Option<String>,
    #[serde(rename = "YEAR")]
    year: Option<String>,
}

pub fn parse(bytes: &[u8]) -> Result<Vec<ListEntry>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let list: Consolidated = quick_xml::de::from_str(text).map_err(|e| e.to_string())?;
    let individuals = list.individuals.map(|r| r.records).unwrap_or_default();
    let entities = list.entities.map(|r| r.records).unwrap_or_default();
    let kinds = individuals.iter().map(|_| EntryKind::Person).chain(entities.iter().map(|_| EntryKind::Entity));
    individuals.iter().chain(&entities).zip(kinds).map(|(record, kind)| entry(record, kind)).collect()
}

fn entry(record: &Record, kind: EntryKind) -> Result<ListEntry, String> {
    let id = record.reference_number.as_deref().or(record.data_id.as_deref()).map(str::trim).unwrap_or_default();
    let parts = [&record.first_name, &record.second_name, &record.third_name, &record.fourth_name];
    let name = parts.iter().filter_map(|p| p.as_deref()).map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>();
    if id.is_empty() || name.is_empty() {
        return Err(format!("an entry without a reference number or a name (DATAID {:?})", record.data_id));
    }
    let mut aliases = Vec::new();
    for alias in record.aliases.iter().filter_map(|a| a.name.as_deref()) {
        push_name(&mut aliases, alias);
    }
    if let Some(script) = &record.name_original_script {
        push_name(&mut aliases, script);
    }
    let mut countries = Vec::new();
    for country in record.nationality.iter().flat_map(|n| &n.values) {
        push_name(&mut countries, country);
    }
    let identifiers = record
        .births
        .iter()
        .filter_map(|b| b.date.as_deref().or(b.year.as_deref()))
        .map(|value| Identifier { scheme: "date_of_birth".into(), value: value.trim().to_string() })
        .collect();
    Ok(ListEntry {
        id: id.to_string(),
        name: name.join(" "),
        aliases,
        kind,
        programs: record.un_list_type.iter().map(|p| p.trim().to_string()).collect(),
        identifiers,
        countries,
        listed_on: record.listed_on.as_deref().and_then(parse_day),
    })
}
