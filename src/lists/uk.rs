//! The UK's OFSI Consolidated List (`ConList.xlsx`): row 1 says when it was last updated, row 2 is
//! the header, then one row per name variant; rows with one Group ID are one designation. "Name 6" is
//! the surname (or an entity's or ship's whole name), "Name 1" … "Name 5" the names before it.

use std::collections::HashMap;

use super::{EntryKind, Identifier, ListEntry, parse_day, push_name, sheet};

const COLUMNS: [&str; 16] = [
    "Name 1",
    "Name 2",
    "Name 3",
    "Name 4",
    "Name 5",
    "Name 6",
    "Group Type",
    "Alias Type",
    "Regime",
    "Listed On",
    "Nationality",
    "DOB",
    "Passport Number",
    "Group ID",
    "Name Non-Latin Script",
    "Country",
];

pub fn parse(bytes: &[u8]) -> Result<Vec<ListEntry>, String> {
    let rows = sheet::rows(bytes)?;
    let header_at = rows
        .iter()
        .take(5)
        .position(|r| r.iter().any(|c| c == "Group ID"))
        .ok_or("no header row with a \"Group ID\" column in the first five rows")?;
    let [
        n1,
        n2,
        n3,
        n4,
        n5,
        n6,
        group_type,
        alias_type,
        regime,
        listed_on,
        nationality,
        dob,
        passport,
        group,
        script,
        country,
    ] = sheet::columns(&rows[header_at], COLUMNS)?;
    let mut entries: Vec<ListEntry> = Vec::new();
    let mut by_group: HashMap<String, usize> = HashMap::new();
    for (n, row) in rows.iter().enumerate().skip(header_at + 1) {
        let cell = |i: usize| row.get(i).map(String::as_str).unwrap_or_default();
        if row.iter().all(String::is_empty) {
            continue;
        }
        let id = cell(group);
        if id.is_empty() {
            return Err(format!("row {}: no Group ID", n + 1));
        }
        let name =
            [n1, n2, n3, n4, n5, n6].map(cell).iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>().join(" ");
        let at = *by_group.entry(id.to_string()).or_insert_with(|| {
            let kind = match cell(group_type).to_lowercase().as_str() {
                "individual" => EntryKind::Person,
                "ship" => EntryKind::Vessel,
                _ => EntryKind::Entity,
            };
            entries.push(ListEntry {
                id: id.to_string(),
                name: String::new(),
                aliases: Vec::new(),
                kind,
                programs: Vec::new(),
                identifiers: Vec::new(),
                countries: Vec::new(),
                listed_on: parse_day(cell(listed_on)),
            });
            entries.len() - 1
        });
        let entry = &mut entries[at];
        if cell(alias_type).eq_ignore_ascii_case("primary name") && entry.name.is_empty() {
            entry.name = name;
        } else {
            push_name(&mut entry.aliases, &name);
        }
        push_name(&mut entry.aliases, cell(script));
        push_name(&mut entry.programs, cell(regime));
        for c in [nationality, country] {
            push_name(&mut entry.countries, cell(c));
        }
        for (column, scheme) in [(dob, "date_of_birth"), (passport, "passport")] {
            let id = Identifier { scheme: scheme.into(), value: cell(column).to_string() };
            if !id.value.is_empty() && !entry.identifiers.contains(&id) {
                entry.identifiers.push(id);
            }
        }
    }
    for entry in &mut entries {
        // A designation without a row marked primary is named by its first variant.
        if entry.name.is_empty() && !entry.aliases.is_empty() {
            entry.name = entry.aliases.remove(0);
        }
        let name = entry.name.clone();
        entry.aliases.retain(|a| *a != name);
    }
    Ok(entries)
}
