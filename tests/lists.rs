//! The list importers on the real published files in `../shared/data/official-lists/` and
//! `../shared/data/ofac-sdn-history/`, against the counts their READMEs give.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use newshound::lists::store::Origin;
use newshound::lists::{EntryKind, ListEntry, ListId, ListStore};

fn shared(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(path)
}

fn read(list: ListId, path: &str) -> Vec<ListEntry> {
    let bytes = std::fs::read(shared(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    list.parse(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn count(entries: &[ListEntry], kind: EntryKind) -> usize {
    entries.iter().filter(|e| e.kind == kind).count()
}

#[test]
fn uk_designations_are_group_ids() {
    for (file, designations) in [("ConList_2023-06-05.xlsx", 3_993), ("ConList_2025-04-14.xlsx", 4_688)] {
        let entries = read(ListId::UkOfsi, &format!("official-lists/uk-ofsi/{file}"));
        assert_eq!(entries.len(), designations, "{file}");
        assert!(entries.iter().all(|e| !e.name.is_empty() && !e.programs.is_empty()), "{file}");
        assert!(entries.iter().filter(|e| e.listed_on.is_some()).count() > designations * 9 / 10, "{file}");
        assert!(count(&entries, EntryKind::Vessel) > 0 && count(&entries, EntryKind::Person) > 2_000, "{file}");
    }
}

#[test]
fn un_entries_are_individuals_and_entities() {
    for (file, individuals, entities) in
        [("consolidated_2020-11-30.xml", 713, 305), ("consolidated_2025-04-19.xml", 684, 193)]
    {
        let entries = read(ListId::UnSc, &format!("official-lists/un/{file}"));
        assert_eq!(
            (count(&entries, EntryKind::Person), count(&entries, EntryKind::Entity)),
            (individuals, entities),
            "{file}"
        );
        assert!(entries.iter().all(|e| e.listed_on.is_some()), "{file}: every UN entry has LISTED_ON");
    }
    let entries = read(ListId::UnSc, "official-lists/un/consolidated_2025-04-19.xml");
    let taliban = entries.iter().find(|e| e.id == "TAi.005").unwrap();
    assert_eq!(taliban.name, "MUHAMMAD TAHER ANWARI");
    assert!(taliban.aliases.contains(&"Mohammad Taher Anwari".to_string()));
    assert_eq!(
        (taliban.programs.as_slice(), taliban.countries.as_slice()),
        (&["Taliban".to_string()][..], &["Afghanistan".to_string()][..])
    );
    assert_eq!(taliban.listed_on, NaiveDate::from_ymd_opt(2001, 2, 23));
}

#[test]
fn canada_gives_one_entry_per_record() {
    let entries = read(ListId::CaSema, "official-lists/canada/sema-lmes_2025-05-25.xml");
    assert_eq!(entries.len(), 4_759);
    assert!(entries.iter().all(|e| e.listed_on.is_some()));
    let ship = entries.iter().find(|e| e.name == "Balitiyskiy III").unwrap();
    assert_eq!(ship.kind, EntryKind::Vessel);
    assert_eq!(ship.identifiers[0].value, "7612448");
    assert!(entries.iter().any(|e| e.name == "Aleksandr Grigoryevich Lukashenko" && e.kind == EntryKind::Person));
    assert_eq!(entries.iter().map(|e| e.listed_on.unwrap()).max(), NaiveDate::from_ymd_opt(2025, 3, 20));
}

#[test]
fn australia_folds_name_types() {
    let entries = read(ListId::AuDfat, "official-lists/australia/regulation8_consolidated_2024-12-17.xlsx");
    // 3,062 primary names; every other row (aka, original script, formerly known as, previously
    // listed as: 6,491) is an alias of one of them.
    assert_eq!(entries.len(), 3_062);
    let aliases: usize = entries.iter().map(|e| e.aliases.len()).sum();
    assert!((6_000..=6_491).contains(&aliases), "{aliases} aliases (duplicates are kept once)");
    let dated = entries.iter().filter(|e| e.listed_on.is_some()).count();
    assert!((900..=1_500).contains(&dated), "{dated} entries with a listing date in their text");
}

#[test]
fn ofac_snapshots_read_whole() {
    let entries = read(ListId::OfacSdn, "ofac-sdn-history/snapshots/sdn-2024-05-03.csv");
    let history = std::fs::read_to_string(shared("ofac-sdn-history/sdn-history.jsonl")).unwrap();
    let last_seen_then = history.lines().filter(|l| l.contains("\"last_seen\": \"2024-05-03\"")).count();
    assert_eq!(entries.len(), last_seen_then);
    assert!(count(&entries, EntryKind::Vessel) > 500 && count(&entries, EntryKind::Aircraft) > 100);
    let file = std::fs::read_to_string(shared("ofac-sdn-history/snapshots/sdn-2024-05-03.csv")).unwrap();
    let lines_with_alias = file.lines().filter(|l| l.contains("a.k.a. '")).count();
    let with_aliases = entries.iter().filter(|e| !e.aliases.is_empty()).count();
    assert!(with_aliases >= lines_with_alias, "{with_aliases} entries with an alias, {lines_with_alias} lines");
}

#[test]
fn three_ofac_snapshots_give_the_recorded_history() {
    let dir = tempfile::tempdir().unwrap();
    let store = ListStore::open(dir.path());
    let mut deltas = Vec::new();
    for date in ["2021-08-18", "2024-04-26", "2024-05-03"] {
        let bytes = std::fs::read(shared(&format!("ofac-sdn-history/snapshots/sdn-{date}.csv"))).unwrap();
        deltas.push(store.import(ListId::OfacSdn, &bytes, date.parse().unwrap(), Origin::default()).unwrap());
    }
    let last = &deltas[2];
    assert_eq!((last.added.len(), last.removed.len()), (305, 8));
    // The history file records, per entry, the first snapshot that held it.
    let history = std::fs::read_to_string(shared("ofac-sdn-history/sdn-history.jsonl")).unwrap();
    let mut expected_added = HashSet::new();
    for line in history.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(first) = v["first_seen"].as_str().filter(|d| ("2024-04-27"..="2024-05-03").contains(d)) {
            expected_added.insert((v["ent_num"].to_string(), first.to_string()));
        }
    }
    let added: HashSet<(String, String)> =
        last.added.iter().map(|e| (e.id.clone(), "2024-05-03".to_string())).collect();
    let expected: HashSet<(String, String)> =
        expected_added.iter().map(|(id, _)| (id.clone(), "2024-05-03".to_string())).collect();
    assert_eq!(added, expected);
    let state = store.state(ListId::OfacSdn).unwrap();
    assert_eq!(state.snapshots.len(), 3);
}
