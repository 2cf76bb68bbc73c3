//! OFAC's SDN list as it serves `sdn.csv`: twelve columns, no header (ent_num, name, type, programs,
//! title, call sign, vessel type, tonnage, GRT, flag, owner, remarks), `-0-` for empty. Aliases,
//! dates of birth, nationalities and IMO numbers are written inside the remarks
//! ("DOB 10 Dec 1948; nationality Iran; a.k.a. 'BNC'.").
//!
//! OFAC publishes two companions beside it, read with it when given: `alt.csv` (ent_num, alt_num,
//! alt_type, alt_name, remarks: the entries' other names) and `add.csv` (ent_num, add_num, address,
//! city, country, remarks: their addresses, whose countries the linker compares).

use once_cell::sync::Lazy;
use regex::Regex;

use std::borrow::Cow;
use std::collections::HashMap;

use super::{Companion, CompanionKind, EntryKind, Identifier, ListEntry, push_name};

static ALIAS: Lazy<Regex> = Lazy::new(|| Regex::new(r"(?:^|\s)[afn]\.k\.a\.,?\s+'(.*?)'(?:;|\.?\s*$)").unwrap());
static IMO: Lazy<Regex> = Lazy::new(|| Regex::new(r"\bIMO (\d{7})\b").unwrap());

/// Remarks items that identify an entry: what they start with → identifier scheme.
const REMARK_IDENTIFIERS: [(&str, &str); 3] =
    [("DOB ", "date_of_birth"), ("Passport ", "passport"), ("National ID No. ", "national_id")];

/// OFAC serves Latin-1 (Windows-1252) text; a UTF-8 file reads as itself.
fn text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0,
    }
}

/// The file's rows with their line numbers, each of `columns` fields (`-0-` and blanks read as
/// none); `file` names it in errors.
fn rows(text: &str, file: &str, columns: usize) -> impl Iterator<Item = Result<(usize, Vec<Option<String>>), String>> {
    let reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    reader.into_records().enumerate().filter_map(move |(line, record)| {
        let line = line + 1;
        let record = match record {
            Ok(record) => record,
            Err(e) => return Some(Err(format!("{file} line {line}: {e}"))),
        };
        let fields: Vec<Option<String>> = record
            .iter()
            .map(|v| Some(v.trim()).filter(|v| *v != "-0-" && !v.is_empty()).map(str::to_string))
            .collect();
        // The files end with a DOS end-of-file character on a line of its own.
        if fields.len() == 1 && fields[0].as_deref().is_none_or(|v| v == "\u{1a}") {
            return None;
        }
        if fields.len() != columns {
            return Some(Err(format!("{file} line {line}: {} columns where {file} has {columns}", fields.len())));
        }
        Some(Ok((line, fields)))
    })
}

/// Which companion a file is, told by its columns: 5 for `alt.csv`, 6 for `add.csv`.
pub fn companion_kind(bytes: &[u8]) -> Result<CompanionKind, String> {
    let text = text(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    match reader.records().next() {
        Some(Ok(record)) if record.len() == 5 => Ok(CompanionKind::OfacAliases),
        Some(Ok(record)) if record.len() == 6 => Ok(CompanionKind::OfacAddresses),
        Some(Ok(record)) => Err(format!("{} columns: neither alt.csv (5) nor add.csv (6)", record.len())),
        Some(Err(e)) => Err(format!("line 1: {e}")),
        None => Err("an empty file".into()),
    }
}

/// `sdn.csv`, with the names of `alt.csv` and the countries of `add.csv` when given.
pub fn parse(bytes: &[u8], companions: &[Companion]) -> Result<Vec<ListEntry>, String> {
    let mut entries = parse_sdn(bytes)?;
    let at: HashMap<String, usize> = entries.iter().enumerate().map(|(i, e)| (e.id.clone(), i)).collect();
    for companion in companions {
        let (file, columns) = match companion.kind {
            CompanionKind::OfacAliases => ("alt.csv", 5),
            CompanionKind::OfacAddresses => ("add.csv", 6),
        };
        for row in rows(&text(&companion.bytes), file, columns) {
            let (line, fields) = row?;
            let id = fields[0].as_deref().unwrap_or_default();
            // Files of two days mixed: refused rather than read as a list with entries missing.
            let entry = at.get(id).map(|&i| &mut entries[i]).ok_or_else(|| {
                format!("{file} line {line}: entry {id:?} is not in sdn.csv (files of different days?)")
            })?;
            match (companion.kind, &fields[3], &fields[4]) {
                (CompanionKind::OfacAliases, Some(name), _) => push_name(&mut entry.aliases, name),
                (CompanionKind::OfacAddresses, _, Some(country)) => push_name(&mut entry.countries, country),
                _ => {}
            }
        }
    }
    Ok(entries)
}

fn parse_sdn(bytes: &[u8]) -> Result<Vec<ListEntry>, String> {
    let mut entries = Vec::new();
    for row in rows(&text(bytes), "sdn.csv", 12) {
        let (line, fields) = row?;
        let field = |i: usize| fields[i].as_deref();
        let id = field(0).filter(|v| v.bytes().all(|b| b.is_ascii_digit()));
        let (Some(id), Some(name)) = (id, field(1)) else {
            return Err(format!("sdn.csv line {line}: no ent_num or no name"));
        };
        let kind = match field(2) {
            Some("individual") => EntryKind::Person,
            Some("vessel") => EntryKind::Vessel,
            Some("aircraft") => EntryKind::Aircraft,
            None => EntryKind::Entity,
            Some(other) => return Err(format!("sdn.csv line {line}: unknown type {other:?}")),
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
        let entries = parse(csv.as_bytes(), &[]).unwrap();
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
        let err = parse(b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\"\n", &[]).unwrap_err();
        assert_eq!(err, "sdn.csv line 1: 4 columns where sdn.csv has 12");
    }

    const SDN: &str = concat!(
        "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n",
        "173,\"ANGLO-CARIBBEAN CO., LTD.\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n",
    );

    fn companion(rows: &str) -> Companion {
        Companion { kind: companion_kind(rows.as_bytes()).unwrap(), bytes: rows.as_bytes().to_vec() }
    }

    #[test]
    fn companions_add_names_and_countries() {
        let alt = companion("36,12,\"aka\",\"AERO-CARIBBEAN\",-0- \n173,13,\"fka\",\"CARIBBEAN ANGLO CO\",-0- \n");
        let add = companion(concat!(
            "36,25,-0- ,\"Havana\",\"Cuba\",-0- \n",
            "173,129,\"Ibex House, The Minories\",\"London EC3N 1DY\",\"United Kingdom\",-0- \n",
            "\u{1a}\n",
        ));
        assert_eq!((alt.kind, add.kind), (CompanionKind::OfacAliases, CompanionKind::OfacAddresses));
        let entries = parse(SDN.as_bytes(), &[alt, add]).unwrap();
        assert_eq!(
            (entries[0].aliases.as_slice(), entries[0].countries.as_slice()),
            (&["AERO-CARIBBEAN".to_string()][..], &["Cuba".to_string()][..])
        );
        assert_eq!(entries[1].aliases, ["CARIBBEAN ANGLO CO"]);
        assert_eq!(entries[1].countries, ["United Kingdom"]);
    }

    #[test]
    fn companions_of_another_day_or_shape_are_refused() {
        let stray = companion("999,12,\"aka\",\"SOMEONE ELSE\",-0- \n");
        let err = parse(SDN.as_bytes(), &[stray]).unwrap_err();
        assert_eq!(err, "alt.csv line 1: entry \"999\" is not in sdn.csv (files of different days?)");
        let cut = Companion { kind: CompanionKind::OfacAliases, bytes: b"36,12,\"aka\"\n".to_vec() };
        assert_eq!(parse(SDN.as_bytes(), &[cut]).unwrap_err(), "alt.csv line 1: 3 columns where alt.csv has 5");
        assert_eq!(companion_kind(b"1,2,3\n").unwrap_err(), "3 columns: neither alt.csv (5) nor add.csv (6)");
    }
}
