//! The `newshound` binary end to end: ingest into a real index, search it, bad inputs, URLs from a
//! real HTTP server on 127.0.0.1, and a `kill -9` in the middle of an ingest.

use std::io::Write;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use newshound::index::NewsIndex;

mod common;
use common::generated_article;
use serde_json::Value;

fn newshound(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_newshound")).args(args).output().expect("binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn search_json(index: &Path, query: &str) -> Value {
    let out = newshound(&["search", query, "--index", index.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).expect("search --json prints JSON")
}

#[test]
fn ingesting_the_corpus_twice_keeps_one_copy_of_each_article() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let index_arg = index.to_str().unwrap();
    for _ in 0..2 {
        let out = newshound(&["ingest", "corpus/", "--index", index_arg]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("ingested 11 documents"), "{}", stdout(&out));
        assert!(stdout(&out).contains("world-section-front.html"), "section page reported as skipped");
    }
    assert_eq!(NewsIndex::open(&index).unwrap().document_count().unwrap(), 11);

    let results = search_json(&index, "Kim Sang Man");
    assert_eq!(results["total"], 1);
    let hit = &results["hits"][0];
    assert_eq!(hit["id"], "panamatimes-us-sanctions-north-korea-cyber");
    assert!(hit["snippet"].as_str().unwrap().contains("<b>Kim</b>"));
    let names: Vec<&str> =
        hit["designations"].as_array().unwrap().iter().map(|d| d["target"]["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "Pyongyang University of Automation",
            "Chinyong Information Technology Cooperation Company",
            "Technical Reconnaissance Bureau",
            "110th Research Center",
            "Kim Sang Man"
        ]
    );
    assert!(hit["entities"].as_array().unwrap().iter().any(|e| e["label"] == "PER" && e["text"] == "Antony Blinken"));

    // Entity names are searchable; words that appear in no article find nothing.
    assert_eq!(search_json(&index, "Ituri Liberation Front")["total"], 1);
    assert_eq!(search_json(&index, "zanzibarquux")["total"], 0);
    let readable = newshound(&["search", "Entity List", "--index", index_arg, "--limit", "3"]);
    assert!(stdout(&readable).contains("Commerce adds 11 firms to Entity List over chip diversion"));
}

#[test]
fn extract_prints_the_documented_fields() {
    let out = newshound(&[
        "extract",
        "--jsonl",
        "corpus/uk-sanctions-ransomware-gang.html",
        "corpus/city-marathon-record-unrelated.html",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    for field in ["id", "url", "title", "byline", "published", "language", "body", "entities", "designations"] {
        assert!(lines[0].get(field).is_some(), "missing {field}");
    }
    assert_eq!(lines[0]["id"], "uk-sanctions-ransomware-gang");
    assert_eq!(lines[0]["published"], "2025-02-11T10:05:00Z");
    let d = &lines[0]["designations"][0];
    for field in ["authority", "action", "target", "program", "date", "evidence", "confidence"] {
        assert!(d.get(field).is_some(), "designation missing {field}");
    }
    assert_eq!(d["authority"]["country"], "GB");
    assert!(d["evidence"]["text"].as_str().unwrap().contains("Viktor Melnikov"));

    let bare = newshound(&["extract", "--jsonl", "--no-annotate", "corpus/city-marathon-record-unrelated.html"]);
    let doc: Value = serde_json::from_str(stdout(&bare).lines().next().unwrap()).unwrap();
    assert!(doc.get("entities").is_none() && doc.get("designations").is_none());
    assert!(doc["body"].as_str().unwrap().contains("\n\nOrganisers added four extra water stations"));
}

#[test]
fn bad_inputs_are_reported_and_the_rest_is_ingested() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let index_arg = index.to_str().unwrap();
    let empty = dir.path().join("empty.html");
    std::fs::write(&empty, "").unwrap();
    let binary = dir.path().join("photo.html");
    std::fs::write(&binary, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0").unwrap();
    let latin1 = dir.path().join("latin1.txt");
    let text = "Le Conseil a adopté mardi des mesures restrictives à l'encontre de deux sociétés établies à Genève, a-t-il annoncé.\n";
    std::fs::write(&latin1, encoding_rs::WINDOWS_1252.encode(text).0).unwrap();

    let out = newshound(&[
        "ingest",
        "corpus/uk-sanctions-ransomware-gang.html",
        dir.path().join("missing.html").to_str().unwrap(),
        empty.to_str().unwrap(),
        binary.to_str().unwrap(),
        latin1.to_str().unwrap(),
        "--index",
        index_arg,
    ]);
    assert!(out.status.success(), "some input was ingested, so the run succeeds: {}", stderr(&out));
    let report = format!("{}{}", stdout(&out), stderr(&out));
    assert!(report.contains("missing.html: no such file or directory"), "{report}");
    assert!(report.contains("empty.html: empty file"), "{report}");
    assert!(report.contains("photo.html: not a text or HTML page: looks like a PNG image"), "{report}");
    assert!(stdout(&out).contains("ingested 2 documents"), "{report}");
    let found = search_json(&index, "Genève");
    assert_eq!(found["total"], 1, "non-UTF-8 text decoded: {found}");

    // A run where nothing can be ingested fails, and leaves what was stored alone.
    let out = newshound(&["ingest", empty.to_str().unwrap(), binary.to_str().unwrap(), "--index", index_arg]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(NewsIndex::open(&index).unwrap().document_count().unwrap(), 2);
    assert_eq!(search_json(&index, "Melnikov")["total"], 1);
}

/// A small HTTP/1.1 server on an ephemeral 127.0.0.1 port, serving fixed routes.
fn serve(routes: fn(&str) -> (u16, Vec<(&'static str, String)>, Vec<u8>)) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Some(request) = common::read_request_head(&mut stream) else { continue };
            let line = request.lines().next().unwrap_or_default().to_string();
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            let (status, headers, body) = routes(&path);
            let mut response =
                format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
            for (k, v) in headers {
                response.push_str(&format!("{k}: {v}\r\n"));
            }
            response.push_str("\r\n");
            let _ = stream.write_all(response.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    port
}

#[test]
fn urls_are_fetched_and_failures_named() {
    let port = serve(|path| match path {
        "/news/uk" => (
            200,
            vec![("Content-Type", "text/html; charset=utf-8".into())],
            std::fs::read("corpus/uk-sanctions-ransomware-gang.html").unwrap(),
        ),
        "/loop" => (302, vec![("Location", "/loop".into())], Vec::new()),
        "/photo" => (200, vec![("Content-Type", "text/html".into())], b"\x89PNG\r\n\x1a\n\0\0".to_vec()),
        "/feed.pdf" => (200, vec![("Content-Type", "application/pdf".into())], b"%PDF-1.4".to_vec()),
        _ => (404, vec![], b"not found".to_vec()),
    });
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let base = format!("http://127.0.0.1:{port}");
    let urls: Vec<String> =
        ["/news/uk", "/missing", "/loop", "/photo", "/feed.pdf"].iter().map(|p| format!("{base}{p}")).collect();
    let mut args = vec!["ingest"];
    args.extend(urls.iter().map(String::as_str));
    args.extend(["--index", index.to_str().unwrap()]);
    let out = newshound(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(report.contains("ingested 1 documents"), "{report}");
    assert!(report.contains(&format!("{base}/missing: HTTP 404")), "{report}");
    assert!(report.contains(&format!("{base}/loop: too many redirects")), "{report}");
    assert!(report.contains(&format!("{base}/photo: not a text or HTML page")), "{report}");
    assert!(report.contains(&format!("{base}/feed.pdf: not an HTML page (content-type application/pdf)")), "{report}");
    let hit = &search_json(&index, "Oleg Zaitsev")["hits"][0];
    assert_eq!(hit["id"], format!("{base}/news/uk"));
}

#[test]
fn kill_9_mid_ingest_keeps_committed_batches_and_a_rerun_completes() {
    const PAGES: usize = 600;
    const BATCH: usize = 20;
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    for i in 0..PAGES {
        std::fs::write(pages.join(format!("story-{i:04}.html")), generated_article(i)).unwrap();
    }
    let index = dir.path().join("index");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, format!("[index]\npath = \"index\"\ncommit_every = {BATCH}\n")).unwrap();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_newshound"))
            .args(["ingest", pages.to_str().unwrap(), "--config", config.to_str().unwrap(), "--quiet"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut child = run();
    let started = Instant::now();
    let mut committed = 0;
    while started.elapsed() < Duration::from_secs(120) {
        if let Ok(count) = NewsIndex::open(&index).and_then(|i| i.document_count()) {
            committed = count;
            if committed > 0 {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(committed > 0, "no batch was committed before the kill");

    let after_kill = NewsIndex::open(&index).unwrap().document_count().unwrap() as usize;
    assert!(after_kill >= committed as usize && after_kill % BATCH == 0, "whole batches survive: {after_kill}");

    let status = run().wait().unwrap();
    assert!(status.success());
    assert_eq!(
        NewsIndex::open(&index).unwrap().document_count().unwrap() as usize,
        PAGES,
        "no page lost or duplicated"
    );
    assert_eq!(search_json(&index, "\"Baltic Signal Group 123\"")["total"], 1);
}

#[test]
fn designations_are_queryable_with_first_seen() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let index_arg = index.to_str().unwrap();
    for _ in 0..2 {
        assert!(newshound(&["ingest", "corpus/", "--index", index_arg]).status.success());
    }
    let query = |args: &[&str]| -> Value {
        let mut all = vec!["designations", "--index", index_arg, "--json"];
        all.extend_from_slice(args);
        let out = newshound(&all);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let names = |v: &Value| -> Vec<String> {
        v["targets"].as_array().unwrap().iter().map(|t| t["target"].as_str().unwrap().to_string()).collect()
    };

    // Re-ingesting did not duplicate any report.
    let all = query(&[]);
    assert!(all["targets"].as_array().unwrap().iter().all(|t| t["reports"].as_array().unwrap().len() == 1));
    let kim = query(&["--target", "Kim Sang Man"]);
    assert_eq!(names(&kim), ["Kim Sang Man"]);
    assert_eq!(kim["targets"][0]["first_seen"], "2024-07-26T14:15:00Z");
    assert_eq!(kim["targets"][0]["reports"][0]["designation"]["authority"]["country"], "US");

    let eu = names(&query(&["--authority", "EU"]));
    assert_eq!(
        eu,
        [
            "Baltic Signal Group",
            "Dmitri Orlov",
            "Irina Saveleva",
            "Severny Logistics LLC",
            "Volga Applied Research Institute"
        ]
    );
    assert_eq!(names(&query(&["--program", "Entity List"])).len(), 3);
    // New since a date: only targets first reported on or after it, newest first.
    let recent = names(&query(&["--since", "2025-09-01"]));
    assert_eq!(recent[..3], ["AMBER STAR", "Aegean Star Shipping", "OCEAN MARLIN"]);
    assert!(!recent.contains(&"Kim Sang Man".to_string()));

    // A later article reporting the same target adds a report; first_seen stays with the first.
    let later = dir.path().join("later.html");
    let page = r#"<html><head><title>Seoul follows Washington on North Korean hackers</title>
        <meta property="article:published_time" content="2024-08-02T09:15:00-05:00">
        <link rel="canonical" href="https://seoul.example/news/follow-up"></head><body><article>
        <p>South Korea on Friday announced its own measures against North Korean cyber units, a week after the United States acted against the same network of hackers and front companies.</p>
        <p>Also sanctioned was Kim Sang Man, who Seoul said was based in Vladivostok and paid IT workers sent abroad by Pyongyang to earn foreign currency.</p>
        <p>Officials in Seoul said the workers used stolen identities to find jobs with foreign companies, and that their wages funded weapons programs.</p>
        </article></body></html>"#;
    std::fs::write(&later, page).unwrap();
    assert!(newshound(&["ingest", later.to_str().unwrap(), "--index", index_arg]).status.success());
    let kim = query(&["--target", "Kim Sang Man"]);
    assert_eq!(kim["targets"][0]["reports"].as_array().unwrap().len(), 2);
    assert_eq!(kim["targets"][0]["first_seen"], "2024-07-26T14:15:00Z");
    assert!(names(&query(&["--since", "2024-08-01", "--target", "Kim Sang Man"])).is_empty());
}

/// Writes a CC-NEWS-style WARC file: each record its own gzip member; a request record, HTML
/// responses, a PDF response and a 404 among them.
fn write_warc(path: &Path) {
    use std::io::Write;
    use warc::{RecordBuilder, RecordType, WarcHeader, WarcWriter};
    let html_response = |page: &str| {
        let body = std::fs::read(page).unwrap();
        let mut http = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        http.extend(body);
        http
    };
    let records = [
        (RecordType::Request, "https://news.example/uk", b"GET /uk HTTP/1.1\r\nHost: news.example\r\n\r\n".to_vec()),
        (RecordType::Response, "https://news.example/uk", html_response("corpus/uk-sanctions-ransomware-gang.html")),
        (
            RecordType::Response,
            "https://news.example/report.pdf",
            b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4".to_vec(),
        ),
        (
            RecordType::Response,
            "https://news.example/gone",
            b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n<p>gone</p>".to_vec(),
        ),
        (
            RecordType::Response,
            "https://news.example/japan",
            html_response("corpus/tokyo-herald-japan-sanctions-crypto-hackers.html"),
        ),
    ];
    let mut file = std::fs::File::create(path).unwrap();
    for (kind, uri, body) in records {
        let record = RecordBuilder::default()
            .warc_type(kind)
            .header(WarcHeader::TargetURI, uri)
            .header(WarcHeader::ContentType, "application/http; msgtype=response")
            .body(body)
            .build()
            .unwrap();
        let mut member = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        WarcWriter::new(&mut member).write(&record).unwrap();
        file.write_all(&member.finish().unwrap()).unwrap();
    }
}

#[test]
fn warc_archives_stream_their_html_responses() {
    let dir = tempfile::tempdir().unwrap();
    let warc = dir.path().join("CC-NEWS-20250811000000-00001.warc.gz");
    write_warc(&warc);
    let index = dir.path().join("index");
    let out = newshound(&["ingest", warc.to_str().unwrap(), "--index", index.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("ingested 2 documents"), "{}", stdout(&out));
    let hit = &search_json(&index, "Oleg Zaitsev")["hits"][0];
    assert_eq!(hit["url"], "https://news.example/uk");
    assert_eq!(search_json(&index, "Kumo Shadow Team")["total"], 1);

    // A damaged archive is reported with the record that broke, and what came before is kept.
    let bytes = std::fs::read(&warc).unwrap();
    let broken = dir.path().join("broken.warc");
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(&bytes[..]), &mut plain).unwrap();
    let cut = plain.windows(8).rposition(|w| w == b"WARC/1.0").unwrap() + 1000;
    std::fs::write(&broken, &plain[..cut]).unwrap();
    let out = newshound(&["extract", "--jsonl", "--no-annotate", broken.to_str().unwrap()]);
    assert_eq!(stdout(&out).lines().count(), 1, "the complete UK response before the damage");
    assert!(stderr(&out).contains("broken.warc: record 5 is damaged"), "{}", stderr(&out));
}

#[test]
fn syndicated_copies_are_not_stored_twice() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string("corpus/uk-sanctions-ransomware-gang.html").unwrap();
    let copy = original
        .replace(
            "https://northerncourier.example/news/uk/uk-sanctions-ransomware-gang",
            "https://wire.example/stories/ransomware-sanctions",
        )
        .replace("The Northern Courier", "Wire Syndicate")
        .replace("<p>Industry groups said", "<p>(Distributed by Wire Syndicate.)</p><p>Industry groups said");
    std::fs::write(dir.path().join("a-original.html"), &original).unwrap();
    std::fs::write(dir.path().join("b-copy.html"), &copy).unwrap();
    let index = dir.path().join("index");
    let out = newshound(&["ingest", dir.path().to_str().unwrap(), "--index", index.to_str().unwrap()]);
    let report = stdout(&out);
    assert!(report.contains("ingested 1 documents"), "{report}");
    assert!(report.contains("b-copy.html: near-duplicate of a-original"), "{report}");
    // Across runs too: the copy alone, later, is still recognised.
    let out =
        newshound(&["ingest", dir.path().join("b-copy.html").to_str().unwrap(), "--index", index.to_str().unwrap()]);
    assert!(stdout(&out).contains("near-duplicate of a-original"), "{}", stdout(&out));
    assert_eq!(NewsIndex::open(&index).unwrap().document_count().unwrap(), 1);
}

#[test]
fn help_lists_the_options_each_command_uses_with_their_meaning() {
    let extract = stdout(&newshound(&["extract", "--help"]));
    assert!(!extract.contains("--index"), "extract never touches the index:\n{extract}");
    assert!(extract.contains("--model") && extract.contains("NEWSHOUND_MODEL"), "{extract}");
    for command in ["search", "designations"] {
        let help = stdout(&newshound(&[command, "--help"]));
        assert!(help.contains("--index"), "{help}");
        for option in ["--json", "--limit"] {
            let line = help.lines().find(|l| l.trim_start().starts_with(option)).unwrap_or_default();
            // Words of help after the option and its value name, not counting "[default: …]".
            let text = line.trim_start().trim_start_matches(option).split('[').next().unwrap_or_default();
            let described = text.split_whitespace().any(|w| !w.starts_with('<') && w.chars().any(char::is_lowercase));
            assert!(described, "{command} {option} has no help text:\n{help}");
        }
    }
}
