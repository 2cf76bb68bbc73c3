//! The UK's OFSI Consolidated List (`ConList.xlsx`): row 1 says when it was last updated, row 2 is
//! the header, then one row per name variant; rows with one Group ID are one designation. "Name 6" is
//! the surname (or an entity's or ship's whole name), "Name 1" … "Name 5" the names before it.

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
    let mut entries = sheet::NameRows::default();
    for (n, row) in rows.iter().enumerate().skip(header_at + 1) {
        let cell = |i: usize| row.get(i).map(String::as_str).unwrap_or_default();
        if row.iter().all(String::is_empty) {
            continue;
        }
        let id = cell(group);
        if id.is_empty() {
            return Err(format!("row {}: no Group ID", n + 1));
        }
        let entry = entries.entry(id, || {
            let kind = match cell(group_type).to_lowercase().as_str() {
                "individual" => EntryKind::Person,
                "ship" => EntryKind::Vessel,
                _ => EntryKind::Entity,
            };
            (kind, parse_day(cell(listed_on)))
        });
        let name = [n1, n2, n3, n4, n5, n6].map(cell).iter().filter(|p| !p.is_empty()).copied().collect::<Vec<_>>();
        sheet::NameRows::add_name(entry, &name.join(" "), cell(alias_type).eq_ignore_ascii_case("primary name"));
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
    Ok(entries.finish())
}
