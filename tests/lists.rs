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
    list.parse(&bytes, &[]).unwrap_or_else(|e| panic!("{path}: {e}"))
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
        deltas.push(store.import(ListId::OfacSdn, &bytes, &[], date.parse().unwrap(), Origin::default()).unwrap());
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

mod common;

use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const SNAPSHOT_DATES: [&str; 3] = ["2021-08-18", "2024-04-26", "2024-05-03"];

fn snapshot(date: &str) -> Vec<u8> {
    std::fs::read(shared(&format!("ofac-sdn-history/snapshots/sdn-{date}.csv"))).unwrap()
}

fn newshound(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_newshound")).arg("--config").arg(config).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// How the test server answers `/sdn.csv`.
#[derive(Clone, Copy)]
enum Serving {
    Snapshot(usize),
    /// Announces the whole of the last snapshot and closes after half of it.
    Cut,
    /// An error page with status 200, as misconfigured mirrors send.
    ErrorPage,
}

/// OFAC's download URL played by a server on 127.0.0.1, serving what `serving` says, with
/// `Last-Modified` the snapshot's date and an `ETag` it honours.
fn serve_sdn(serving: Arc<AtomicUsize>) -> String {
    let port = serve(move |request, stream| {
        let mode = match serving.load(Ordering::SeqCst) {
            n @ 0..=2 => Serving::Snapshot(n),
            3 => Serving::Cut,
            _ => Serving::ErrorPage,
        };
        match mode {
            Serving::Snapshot(n) => {
                let etag = format!("\"sdn-{n}\"");
                if request.to_ascii_lowercase().contains(&format!("if-none-match: {etag}")) {
                    common::respond(stream, "304 Not Modified", &[], b"");
                    return;
                }
                let headers = [("ETag", etag), last_modified(n), ("Content-Type", "text/csv".into())];
                common::respond(stream, "200 OK", &headers, &snapshot(SNAPSHOT_DATES[n]));
            }
            Serving::Cut => {
                let whole = snapshot(SNAPSHOT_DATES[2]);
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", whole.len());
                let _ = std::io::Write::write_all(stream, head.as_bytes());
                let _ = std::io::Write::write_all(stream, &whole[..whole.len() / 2]);
            }
            Serving::ErrorPage => {
                common::respond(stream, "200 OK", &[], b"<html><body>Service unavailable</body></html>");
            }
        }
    });
    format!("http://127.0.0.1:{port}/sdn.csv")
}

/// A server on 127.0.0.1 that gives each request's head to `answer`; its port.
fn serve(answer: impl Fn(&str, &mut std::net::TcpStream) + Send + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            if let Some(request) = common::read_request_head(&mut stream) {
                answer(&request, &mut stream);
            }
        }
    });
    port
}

/// The `Last-Modified` header of snapshot `n`: noon of its day.
fn last_modified(n: usize) -> (&'static str, String) {
    let date: NaiveDate = SNAPSHOT_DATES[n].parse().unwrap();
    ("Last-Modified", date.and_hms_opt(12, 0, 0).unwrap().and_utc().to_rfc2822().replace("+0000", "GMT"))
}

fn lists_config(dir: &Path, url: &str) -> PathBuf {
    let path = dir.join("config.toml");
    let config = format!("[lists]\npath = \"lists\"\n[[lists.sources]]\nlist = \"ofac-sdn\"\nurl = \"{url}\"\n");
    std::fs::write(&path, config).unwrap();
    path
}

#[test]
fn updates_from_the_official_url_record_each_delta_and_refuse_bad_downloads() {
    let dir = tempfile::tempdir().unwrap();
    let serving = Arc::new(AtomicUsize::new(0));
    let config = lists_config(dir.path(), &serve_sdn(serving.clone()));
    let update = || newshound(&config, &["lists", "update"]);
    let out = update();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("ofac-sdn 2021-08-18: 0 added, 0 removed"), "{}", text(&out.stdout));
    let out = update();
    assert_eq!(text(&out.stdout), "ofac-sdn: not modified since the last snapshot\n");
    serving.store(1, Ordering::SeqCst);
    assert!(text(&update().stdout).starts_with("ofac-sdn 2024-04-26: "));
    serving.store(2, Ordering::SeqCst);
    let out = update();
    assert!(
        text(&out.stdout).starts_with("ofac-sdn 2024-05-03: 305 added, 8 removed, 0 changed"),
        "{}",
        text(&out.stdout)
    );

    let state = dir.path().join("lists/ofac-sdn/state.json");
    let before = std::fs::read(&state).unwrap();
    for (mode, expected) in [(3, "reading the body failed"), (4, "not a valid list file")] {
        serving.store(mode, Ordering::SeqCst);
        let out = update();
        assert!(!out.status.success());
        let err = text(&out.stderr);
        assert!(err.contains(expected) && err.contains("the previous snapshot stays in force"), "{err}");
        assert_eq!(std::fs::read(&state).unwrap(), before, "a refused download changes nothing");
    }
    let status = newshound(&config, &["lists", "status", "--json"]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["lists"][0]["newest"], "2024-05-03");
    assert_eq!(status["lists"][0]["listed"], 14_965);
}

/// `alt.csv` and `add.csv` rows for two entries of every snapshot (36, AEROCARIBBEAN AIRLINES;
/// 173, ANGLO-CARIBBEAN CO., LTD.), written in OFAC's published layout: no real companion file
/// could be had here, so the names are made up and only the plumbing is tested.
const ALT_CSV: &str = "36,9001,\"aka\",\"CARIBE SKYLINK\",-0- \n173,9002,\"fka\",\"ANGLO TRADERS OF HAVANA\",-0- \n";
const ADD_CSV: &str = "173,9003,\"1 Test Street\",\"Rotterdam\",\"Netherlands\",-0- \n";
/// An alias of an entry that no snapshot has: an `alt.csv` of another day.
const STRAY_ALT_CSV: &str = "99999999,9004,\"aka\",\"NOBODY\",-0- \n";

/// OFAC's three files played by a server on 127.0.0.1: `sdn.csv` the snapshot `serving` names
/// (with its `ETag`), `alt.csv` the stray one from the second snapshot on.
fn serve_sdn_with_companions(serving: Arc<AtomicUsize>) -> u16 {
    serve(move |request, stream| {
        let n = serving.load(Ordering::SeqCst);
        let path = request.split_whitespace().nth(1).unwrap_or_default().to_string();
        let body = match path.as_str() {
            "/sdn.csv" => snapshot(SNAPSHOT_DATES[n]),
            "/alt.csv" if n == 0 => ALT_CSV.into(),
            "/alt.csv" => STRAY_ALT_CSV.into(),
            "/add.csv" => ADD_CSV.into(),
            _ => return common::respond(stream, "404 Not Found", &[], b""),
        };
        common::respond(stream, "200 OK", &[("ETag", format!("\"{n}{path}\"")), last_modified(n)], &body);
    })
}

#[test]
fn companion_files_give_names_and_countries_and_one_of_another_day_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let serving = Arc::new(AtomicUsize::new(0));
    let base = format!("http://127.0.0.1:{}", serve_sdn_with_companions(serving.clone()));
    let config = dir.path().join("config.toml");
    let source = format!(
        "[lists]\npath = \"lists\"\n[[lists.sources]]\nlist = \"ofac-sdn\"\nurl = \"{base}/sdn.csv\"\ncompanions = [\"{base}/alt.csv\", \"{base}/add.csv\"]\n"
    );
    std::fs::write(&config, source).unwrap();
    let out = newshound(&config, &["lists", "update"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let found = |name: &str| {
        let out = newshound(&config, &["lists", "match", name, "--type", "company"]);
        let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        answer["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["entry_id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(found("Caribe Skylink"), ["36"], "a name only alt.csv gives");
    assert_eq!(found("Anglo Traders of Havana"), ["173"]);
    let store = ListStore::open(&dir.path().join("lists"));
    let state = store.state(ListId::OfacSdn).unwrap();
    assert_eq!(state.entries["173"].entry.countries, ["Netherlands"], "add.csv's country");
    assert_eq!(state.snapshots[0].companions.len(), 2);

    // The next day's sdn.csv with an alt.csv that names an entry it does not have: refused whole.
    let before = std::fs::read(dir.path().join("lists/ofac-sdn/state.json")).unwrap();
    serving.store(1, Ordering::SeqCst);
    let out = newshound(&config, &["lists", "update"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("alt.csv line 1: entry \"99999999\" is not in sdn.csv"), "{err}");
    assert!(err.contains("the previous snapshot stays in force"), "{err}");
    assert_eq!(std::fs::read(dir.path().join("lists/ofac-sdn/state.json")).unwrap(), before);

    // A backfill replays the stored snapshots, the companions with theirs.
    let earlier = shared("ofac-sdn-history/snapshots/sdn-2021-08-18.csv");
    let out = newshound(
        &config,
        &["lists", "import", earlier.to_str().unwrap(), "--list", "ofac-sdn", "--date", "2021-08-01"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(found("Caribe Skylink"), ["36"], "kept through the rebuild");
    let out = newshound(
        &config,
        &[
            "lists",
            "import",
            earlier.to_str().unwrap(),
            "--list",
            "ofac-sdn",
            "--date",
            "2021-08-02",
            "--companion",
            config.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("not a companion file"), "{}", text(&out.stderr));
}

#[test]
fn kill_9_during_an_import_leaves_the_old_state_or_the_new() {
    let dir = tempfile::tempdir().unwrap();
    let config = lists_config(dir.path(), "http://127.0.0.1:9/unused");
    let store = ListStore::open(&dir.path().join("lists"));
    store
        .import(ListId::OfacSdn, &snapshot("2021-08-18"), &[], "2021-08-18".parse().unwrap(), Origin::default())
        .unwrap();
    let file = shared("ofac-sdn-history/snapshots/sdn-2024-04-26.csv");
    for delay_ms in [5, 20, 40, 80, 160] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_newshound"))
            .arg("--config")
            .arg(&config)
            .args(["lists", "import", file.to_str().unwrap(), "--list", "ofac-sdn", "--date", "2024-04-26"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let state = store.state(ListId::OfacSdn).expect("the state reads after a kill");
        let dates: Vec<String> = state.snapshots.iter().map(|s| s.date.to_string()).collect();
        assert!(dates == ["2021-08-18"] || dates == ["2021-08-18", "2024-04-26"], "{dates:?}");
        let listed = state.entries.values().filter(|h| h.removed.is_none()).count();
        assert_eq!(listed, state.snapshots.last().unwrap().entries, "entries agree with the newest snapshot");
    }
    let out =
        newshound(&config, &["lists", "import", file.to_str().unwrap(), "--list", "ofac-sdn", "--date", "2024-04-26"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(store.state(ListId::OfacSdn).unwrap().snapshots.len(), 2);
}

#[test]
fn reported_targets_say_how_they_stand_on_the_lists() {
    let dir = tempfile::tempdir().unwrap();
    let config = lists_config(dir.path(), "http://127.0.0.1:9/unused");
    std::fs::write(
        &config,
        format!("{}[annotate]\nner_model = {:?}\n", std::fs::read_to_string(&config).unwrap(), common::SHIPPED_MODEL),
    )
    .unwrap();
    let store = ListStore::open(&dir.path().join("lists"));
    for date in SNAPSHOT_DATES {
        store.import(ListId::OfacSdn, &snapshot(date), &[], date.parse().unwrap(), Origin::default()).unwrap();
    }
    // The seed article (26 July 2024) reports five targets OFAC listed between the store's first two
    // snapshots: listed before the article, and the store says how closely it knows when.
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed/000_f293cfb5a39cabc5.txt");
    let out = newshound(&config, &["-q", "extract", "--jsonl", seed.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let designations = doc["designations"].as_array().unwrap();
    assert_eq!(designations.len(), 5);
    for d in designations {
        let listing = &d["listing"];
        assert_eq!(listing["status"], "listed_before", "{d}");
        assert_eq!(listing["as_of"], "2024-05-03");
        let best = &listing["matches"][0];
        assert_eq!(
            (&best["list"], &best["added_after"], &best["first_seen"]),
            (&"ofac-sdn".into(), &"2021-08-18".into(), &"2024-04-26".into())
        );
        assert!(best["since"].is_null(), "no day is claimed that the snapshots do not show");
    }
    let kim = designations.iter().find(|d| d["target"]["name"] == "Kim Sang Man").unwrap();
    assert_eq!(kim["listing"]["matches"][0]["entry_id"], "43377");

    // A target no list has: reported, not confirmed, as of the newest snapshot.
    let article = dir.path().join("brief.txt");
    std::fs::write(&article, "Treasury sanctions ship manager\n\nThe U.S. Treasury on Tuesday imposed sanctions on Baltic Freight Lines FZE, a Sharjah-registered ship manager, and its owner Anton Viktorovich Kessler, who are now subject to an asset freeze and a travel ban.\n").unwrap();
    let out = newshound(&config, &["-q", "extract", "--jsonl", article.to_str().unwrap()]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let designations = doc["designations"].as_array().unwrap();
    assert!(!designations.is_empty(), "{doc}");
    for d in designations {
        assert_eq!(
            (&d["listing"]["status"], &d["listing"]["as_of"]),
            (&"not_listed".into(), &"2024-05-03".into()),
            "{d}"
        );
    }
}
