//! OFAC's SDN list as it serves `sdn.csv`: twelve columns, no header (ent_num, name, type, programs,
//! title, call sign, vessel type, tonnage, GRT, flag, owner, remarks), `-0-` for empty. Aliases,
//! dates of birth, nationalities and IMO numbers are written inside the remarks
//! ("DOB 10 Dec 1948; nationality Iran; a.k.a. 'BNC'.").

use once_cell::sync::Lazy;
use regex::Regex;

use super::{EntryKind, Identifier, ListEntry, push_name};

static ALIAS: Lazy<Regex> = Lazy::new(|| Regex::new(r"(?:^|\s)[afn]\.k\.a\.,?\s+'(.*?)'(?:;|\.?\s*$)").unwrap());
static IMO: Lazy<Regex> = Lazy::new(|| Regex::new(r"\bIMO (\d{7})\b").unwrap());

/// Remarks items that identify an entry: what they start with → identifier scheme.
const REMARK_IDENTIFIERS: [(&str, &str); 3] =
    [("DOB ", "date_of_birth"), ("Passport ", "passport"), ("National ID No. ", "national_id")];

pub fn parse(bytes: &[u8]) -> Result<Vec<ListEntry>, String> {
    // OFAC serves Latin-1 (Windows-1252) text; a UTF-8 file reads as itself.
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0,
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut entries = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("line {}: {e}", line + 1))?;
        let field = |i: usize| record.get(i).map(str::trim).filter(|v| *v != "-0-" && !v.is_empty());
        // The file ends with a DOS end-of-file character on a line of its own.
        if record.len() == 1 && field(0).is_none_or(|v| v == "\u{1a}") {
            continue;
        }
        if record.len() != 12 {
            return Err(format!("line {}: {} columns where sdn.csv has 12", line + 1, record.len()));
        }
        let id = field(0).filter(|v| v.bytes().all(|b| b.is_ascii_digit()));
        let (Some(id), Some(name)) = (id, field(1)) else {
            return Err(format!("line {}: no ent_num or no name", line + 1));
        };
        let kind = match field(2) {
            Some("individual") => EntryKind::Person,
            Some("vessel") => EntryKind::Vessel,
            Some("aircraft") => EntryKind::Aircraft,
            None => EntryKind::Entity,
            Some(other) => return Err(format!("line {}: unknown type {other:?}", line + 1)),
        };
        let programs = field(3).map(|p| p.split("] [").map(|p| p.trim().to_string()).collect()).unwrap_or_default();
        let remarks = field(11).unwrap_or_default();
        let mut aliases = Vec::new();
        for alias in ALIAS.captures_iter(remarks) {
            push_name(&mut aliases, &alias[1]);
        }
        let mut identifiers = Vec::new();
        if let Some(call_sign) = field(5) {
            identifiers.push(Identifier { scheme: "call_sign".into(), value: call_sign.into() });
        }
        for imo in IMO.captures_iter(remarks) {
            identifiers.push(Identifier { scheme: "imo".into(), value: imo[1].into() });
        }
        let mut countries = Vec::new();
        for item in remarks.trim_end_matches('.').split(';').map(str::trim) {
            let item = item.strip_prefix("alt. ").unwrap_or(item);
            for (prefix, scheme) in REMARK_IDENTIFIERS {
                if let Some(value) = item.strip_prefix(prefix) {
                    identifiers.push(Identifier { scheme: scheme.into(), value: value.trim().into() });
                }
            }
            if let Some(country) = item.strip_prefix("nationality ").or_else(|| item.strip_prefix("citizen ")) {
                push_name(&mut countries, country);
            }
        }
        if let Some(flag) = field(9) {
            push_name(&mut countries, flag);
        }
        entries.push(ListEntry {
            id: id.to_string(),
            name: name.to_string(),
            aliases,
            kind,
            programs,
            identifiers,
            countries,
            listed_on: None,
        });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remarks_give_aliases_identifiers_and_nationality() {
        let csv = concat!(
            "4243,\"EBANO\",\"vessel\",\"CUBA\",-0- ,\"CL2192\",\"General Cargo\",\"2595\",\"1865\",\"Panama\",-0- ,",
            "\"Vessel Registration Identification IMO 7406784; f.k.a. 'ANA I'; f.k.a. 'SAND SWAN'.\"\n",
            "2676,\"AL ZAWAHIRI, Dr. Ayman\",\"individual\",\"SDGT] [IRGC\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,",
            "\"DOB 19 Jun 1951; POB Giza, Egypt; nationality Egypt; a.k.a. 'ISLAMIC GAMA'AT'.\"\n",
            "\u{1a}\n",
        );
        let entries = parse(csv.as_bytes()).unwrap();
        assert_eq!(entries.len(), 2);
        let vessel = &entries[0];
        assert_eq!(
            (vessel.kind, vessel.aliases.as_slice()),
            (EntryKind::Vessel, &["ANA I".to_string(), "SAND SWAN".into()][..])
        );
        assert!(vessel.identifiers.contains(&Identifier { scheme: "imo".into(), value: "7406784".into() }));
        assert!(vessel.identifiers.contains(&Identifier { scheme: "call_sign".into(), value: "CL2192".into() }));
        assert_eq!(vessel.countries, ["Panama"]);
        let person = &entries[1];
        assert_eq!(
            (person.kind, person.programs.as_slice()),
            (EntryKind::Person, &["SDGT".to_string(), "IRGC".into()][..])
        );
        assert_eq!(person.aliases, ["ISLAMIC GAMA'AT"]);
        assert_eq!(person.countries, ["Egypt"]);
        assert!(
            person.identifiers.contains(&Identifier { scheme: "date_of_birth".into(), value: "19 Jun 1951".into() })
        );
    }

    #[test]
    fn a_cut_line_is_refused_with_its_number() {
        let err = parse(b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\"\n").unwrap_err();
        assert_eq!(err, "line 1: 4 columns where sdn.csv has 12");
    }
}
