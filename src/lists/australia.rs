//! Australia's DFAT Consolidated List (`regulation8_consolidated.xlsx`): one row per name, the
//! references of one designation sharing a number ("2" the primary name, "2a" its original script,
//! "2b" an alias, "34c1" an alias of an alias). The listing date is only in the free text of "Listing Information" ("Listed by
//! UN 1267 Committee on 25 January 2001 (amended …)"), for about a third of the entries.

use chrono::NaiveDate;
use once_cell::sync::Lazy;
use regex::Regex;

use super::{EntryKind, Identifier, ListEntry, push_name, sheet};

const COLUMNS: [&str; 8] = [
    "Reference",
    "Name of Individual or Entity",
    "Type",
    "Name Type",
    "Date of Birth",
    "Citizenship",
    "Listing Information",
    "Committees",
];

/// The first day written out in the listing text: "25 January 2001", "21 Sep 2007", "3 Sep. 2003".
static WRITTEN_DAY: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"\b(\d{1,2})\s+([A-Z][a-z]{2,8})\.?,?\s+((?:19|20)\d\d)\b").unwrap());

fn listing_day(text: &str) -> Option<NaiveDate> {
    // Only the first date: later ones are amendments.
    let day = WRITTEN_DAY.captures(text)?;
    let month = &day[2][..3];
    NaiveDate::parse_from_str(&format!("{} {month} {}", &day[1], &day[3]), "%d %b %Y").ok()
}

pub fn parse(bytes: &[u8]) -> Result<Vec<ListEntry>, String> {
    let rows = sheet::rows(bytes)?;
    let header = rows.first().ok_or("the sheet is empty")?;
    let [reference, name, kind, name_type, dob, citizenship, listing, committees] = sheet::columns(header, COLUMNS)?;
    let mut entries = sheet::NameRows::default();
    for (n, row) in rows.iter().enumerate().skip(1) {
        let cell = |i: usize| row.get(i).map(String::as_str).unwrap_or_default();
        if row.iter().all(String::is_empty) {
            continue;
        }
        // "2", "2a", "34c1": the number before the letters is the designation's.
        let written = cell(reference);
        let id = &written[..written.bytes().take_while(u8::is_ascii_digit).count()];
        if id.is_empty() {
            return Err(format!("row {}: reference {written:?} does not start with a number", n + 1));
        }
        let entry = entries.entry(id, || {
            let kind = match cell(kind).trim().to_lowercase().as_str() {
                "individual" => EntryKind::Person,
                "vessel" => EntryKind::Vessel,
                _ => EntryKind::Entity,
            };
            (kind, listing_day(cell(listing)))
        });
        // The sheet writes name types in varying case and with stray spaces.
        sheet::NameRows::add_name(entry, cell(name), sheet::fold(cell(name_type)) == "primary name");
        push_name(&mut entry.programs, cell(committees));
        push_name(&mut entry.countries, cell(citizenship));
        let birth = cell(dob);
        if !birth.is_empty() && !entry.identifiers.iter().any(|i| i.value == birth) {
            entry.identifiers.push(Identifier { scheme: "date_of_birth".into(), value: birth.to_string() });
        }
    }
    Ok(entries.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_written_day_is_the_listing_day() {
        let text = "Listed by UN 1267 Committee on 25 January 2001 (amended on 20 December 2005, 9 July 2007)";
        assert_eq!(listing_day(text), NaiveDate::from_ymd_opt(2001, 1, 25));
        assert_eq!(listing_day("Listed on 3 Sep. 2003"), NaiveDate::from_ymd_opt(2003, 9, 3));
        assert_eq!(listing_day("Autonomous listing; see DFAT"), None);
    }
}
