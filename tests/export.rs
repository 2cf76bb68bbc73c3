//! `newshound export`: FollowTheMoney entities that the followthemoney package itself accepts
//! (installed by `.ci/run` into target/ftm-venv), with ids that stay the same from one export to
//! the next; and newshound's own JSON lines.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;
use common::{ingest_with, serve_articles, write_config};

/// The Python that has followthemoney: `FTM_PYTHON`, else the virtual environment `.ci/run` makes.
fn ftm_python() -> PathBuf {
    let python = std::env::var_os("FTM_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ftm-venv/bin/python"));
    assert!(python.exists(), "{} is missing: run .ci/run, which installs followthemoney there", python.display());
    python
}

fn export(config: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_newshound"))
        .args(["-q", "--config"])
        .arg(config)
        .arg("export")
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn entities(lines: &str) -> Vec<Value> {
    lines.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn of_schema<'a>(entities: &'a [Value], schema: &str) -> Vec<&'a Value> {
    entities.iter().filter(|e| e["schema"] == schema).collect()
}

fn first_value<'a>(entity: &'a Value, property: &str) -> &'a str {
    entity["properties"][property][0].as_str().unwrap_or_default()
}

#[test]
fn ftm_export_validates_with_followthemoney_and_keeps_its_ids() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    let store = newshound::lists::ListStore::open(&dir.path().join("lists"));
    let sdn =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/ofac-sdn-history/snapshots/sdn-2024-05-03.csv");
    let origin = newshound::lists::store::Origin::default();
    let date = "2024-05-03".parse().unwrap();
    store.import(newshound::lists::ListId::OfacSdn, &std::fs::read(sdn).unwrap(), &[], date, origin).unwrap();
    let port = serve_articles(2);
    let web_pages = [format!("http://127.0.0.1:{port}/a/0"), format!("http://127.0.0.1:{port}/a/1")];
    let mut inputs = vec!["corpus/"];
    inputs.extend(web_pages.iter().map(String::as_str));
    ingest_with(&config, &inputs);

    let first = export(&config, &["--format", "ftm"]);
    let path = dir.path().join("export.ftm.jsonl");
    std::fs::write(&path, &first).unwrap();
    let check = Command::new(ftm_python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ftm/validate.py"))
        .arg(&path)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "followthemoney rejects the export:\n{report}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let summary: Value = serde_json::from_str(&report).unwrap();
    for schema in ["Article", "Mention", "Person", "Organization", "Company", "PublicBody", "Sanction", "Vessel"] {
        assert!(summary["schemata"][schema].as_u64().unwrap_or(0) > 0, "no {schema} in {summary}");
    }

    let all = entities(&first);
    assert_eq!(of_schema(&all, "Article").len(), 13, "11 corpus articles and 2 web pages");
    let urls: Vec<&str> = of_schema(&all, "Article").iter().map(|a| first_value(a, "sourceUrl")).collect();
    // A page's canonical URL is where it lives; local files have none to give.
    assert!(urls.contains(&"https://daily.example/story-0"), "{urls:?}");
    // Kim Sang Man: a Person, sanctioned by the Treasury, mentioned in the seed article.
    let kim = all.iter().find(|e| e["schema"] == "Person" && first_value(e, "name") == "Kim Sang Man").unwrap();
    let sanction = of_schema(&all, "Sanction").into_iter().find(|s| s["properties"]["entity"][0] == kim["id"]).unwrap();
    assert_eq!(first_value(sanction, "authority"), "U.S. Department of the Treasury");
    assert_eq!(first_value(sanction, "startDate"), "2024-07-23");
    assert!(first_value(sanction, "reason").contains("Kim Sang Man"));
    assert!(first_value(sanction, "summary").starts_with("on ofac-sdn (entry 43377)"), "{sanction}");
    // And as OFAC's list records it.
    let listed = of_schema(&all, "Sanction")
        .into_iter()
        .find(|s| s["properties"]["entity"][0] == kim["id"] && first_value(s, "authorityId") == "43377")
        .expect("the list entry as a sanction");
    assert_eq!((first_value(listed, "authority"), first_value(listed, "program")), ("US Treasury OFAC", "DPRK4"));
    assert!(of_schema(&all, "Mention").iter().any(|m| m["properties"]["resolved"][0] == kim["id"]));
    assert!(
        of_schema(&all, "PublicBody")
            .iter()
            .any(|b| first_value(b, "name") == "U.S. Department of the Treasury" && first_value(b, "country") == "us")
    );
    assert!(of_schema(&all, "Vessel").iter().any(|v| first_value(v, "imoNumber").starts_with("IMO")));

    // The same index exported again, and the same pages ingested again: the same entities, ids included.
    assert_eq!(export(&config, &["--format", "ftm"]), first);
    ingest_with(&config, &inputs);
    assert_eq!(export(&config, &["--format", "ftm"]), first);

    // Incremental: nothing was ingested after tomorrow.
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
    assert_eq!(export(&config, &["--since", &tomorrow]), "");

    let documents = export(&config, &["--format", "jsonl"]);
    let documents = entities(&documents);
    assert_eq!(documents.len(), 13);
    assert!(documents.iter().all(|d| d["body"].is_string() && d["key"].is_string()));
}

#[test]
fn export_of_a_missing_index_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_newshound"))
        .args(["export", "--index"])
        .arg(dir.path().join("nowhere"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nowhere"));
}
