//! `newshound serve` and `newshound watch` as users run them: the real binary over a real index, on
//! 127.0.0.1, while `ingest` writes to the same index.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::{Running, ingest_with, read_request_head, respond, start_server, write_config};

fn get(url: &str) -> (u16, Value) {
    let response = reqwest::blocking::get(url).unwrap();
    let status = response.status().as_u16();
    (status, serde_json::from_str(&response.text().unwrap()).unwrap_or(Value::Null))
}

fn values(list: &Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|b| b["value"].as_str().unwrap()).collect()
}

#[test]
fn search_api_filters_facets_entities_designations_and_feed() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    ingest_with(&config, &["corpus/"]);
    let (_server, base) = start_server(&config);

    let (status, results) = get(&format!("{base}/api/search?q=Kim%20Sang%20Man"));
    assert_eq!(status, 200);
    assert_eq!(results["total"], 1);
    let hit = &results["hits"][0];
    assert_eq!(hit["id"], "panamatimes-us-sanctions-north-korea-cyber");
    assert!(hit["snippet"].as_str().unwrap().contains("<b>Kim</b>"));
    assert!(hit["entities"].as_array().unwrap().iter().any(|e| e["canonical"] == "Kim Sang Man"));
    assert_eq!(hit["designations"].as_array().unwrap().len(), 5);
    let facets = &results["facets"];
    assert!(values(&facets["entity_types"]).contains(&"PER"));
    assert!(facets["top_entities"].as_array().unwrap().iter().all(|b| b["count"] == 1), "one article, counted once");
    assert_eq!(values(&facets["authorities"]), ["U.S. Department of the Treasury"]);
    assert_eq!(values(&facets["months"]), ["2024-07"]);

    // Facets count every match, not one page; filters narrow the matches.
    let (_, all) = get(&format!("{base}/api/search?limit=1"));
    assert_eq!(all["total"], 11);
    assert_eq!(all["hits"].as_array().unwrap().len(), 1);
    assert!(values(&all["facets"]["authorities"]).len() >= 5);
    let treasury =
        all["facets"]["top_entities"].as_array().unwrap().iter().find(|b| {
            b["value"] == "ORG:us department of the treasury" && b["name"] == "U.S. Department of the Treasury"
        });
    assert!(treasury.is_some_and(|b| b["count"].as_u64().unwrap() >= 2), "{}", all["facets"]["top_entities"]);
    let (_, page2) = get(&format!("{base}/api/search?limit=5&offset=10"));
    assert_eq!(page2["hits"].as_array().unwrap().len(), 1);
    let (_, eu) = get(&format!("{base}/api/search?authority=European%20Union"));
    assert!(eu["total"].as_u64().unwrap() >= 1);
    assert!(eu["hits"].as_array().unwrap().iter().all(|h| {
        h["designations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["authority"]["name"].as_str().unwrap().contains("European Union"))
    }));
    let (_, by_entity) = get(&format!("{base}/api/search?entity=PER:kim%20sang%20man"));
    assert_eq!(by_entity["total"], 1);
    let (_, by_name) = get(&format!("{base}/api/search?entity=Kim%20Sang%20Man&type=PER"));
    assert_eq!(by_name["total"], 1);
    let (_, in_2024) = get(&format!("{base}/api/search?since=2024-07-01&until=2024-07-31"));
    assert_eq!(in_2024["total"], 1);

    let (status, article) = get(&format!("{base}/api/articles/panamatimes-us-sanctions-north-korea-cyber"));
    assert_eq!(status, 200);
    assert!(article["body"].as_str().unwrap().contains("Kim Sang Man"));

    let (_, entities) = get(&format!("{base}/api/entities?q=kim&type=PER"));
    let kim = entities["entities"].as_array().unwrap().iter().find(|e| e["name"] == "Kim Sang Man").unwrap();
    assert_eq!(kim["articles"], 1);
    assert!(kim["first_mention"].as_str().unwrap().starts_with("2024-07-26"));
    assert_eq!(kim["id"], "PER:kim sang man");
    let (status, detail) = get(&format!("{base}/api/entities/PER:kim%20sang%20man"));
    assert_eq!(status, 200);
    assert_eq!(detail["name"], "Kim Sang Man");
    assert_eq!(detail["mentioned_in"][0]["article_id"], "panamatimes-us-sanctions-north-korea-cyber");
    assert_eq!(detail["designations"][0]["designation"]["target"]["name"], "Kim Sang Man");

    let (_, designations) = get(&format!("{base}/api/designations?since=2025-09-01"));
    let list = designations["designations"].as_array().unwrap();
    assert!(!list.is_empty());
    assert!(list.iter().all(|d| d["first_seen"].as_str().unwrap() >= "2025-09-01"));
    assert!(list.windows(2).all(|w| w[0]["first_seen"].as_str() >= w[1]["first_seen"].as_str()), "newest first");
    assert!(list[0]["reports"][0]["designation"]["evidence"]["text"].as_str().unwrap().len() > 20);

    let feed = reqwest::blocking::get(format!("{base}/designations.atom")).unwrap();
    assert!(feed.headers()["content-type"].to_str().unwrap().starts_with("application/atom+xml"));
    let feed = feed.text().unwrap();
    assert!(feed.contains("<entry>") && feed.contains("Kim Sang Man (person) designated"));
    assert!(feed.contains("panamatimes-us-sanctions-north-korea-cyber.html"));

    let page = reqwest::blocking::get(format!("{base}/")).unwrap().text().unwrap();
    assert!(page.contains("<form id=\"search-form\"") && !page.contains("src=\"http"));
}

#[test]
fn entities_have_one_key_across_spellings_and_values_stay_out_of_top_entities() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    ingest_with(&config, &["corpus/"]);
    let (_server, base) = start_server(&config);

    let (_, all) = get(&format!("{base}/api/search?limit=1"));
    let top = all["facets"]["top_entities"].as_array().unwrap();
    let keys: Vec<&str> = top.iter().map(|b| b["value"].as_str().unwrap()).collect();
    assert!(keys.iter().all(|k| !k.starts_with("DATE:") && !k.starts_with("MONEY:") && !k.starts_with("PERCENT:")));
    let us = top.iter().find(|b| b["value"] == "LOC:US").expect("the United States under its code");
    assert_eq!(us["name"], "United States");
    // The corpus writes the country as "U.S.", "US", "United States" and "American": one key.
    let (_, countries) = get(&format!("{base}/api/entities?type=LOC&limit=1000"));
    let names: Vec<&str> =
        countries["entities"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    for name in ["United States", "North Korea", "Russia", "United Kingdom", "European Union"] {
        assert_eq!(names.iter().filter(|n| **n == name).count(), 1, "{name} in {names:?}");
    }
    let (_, entities) = get(&format!("{base}/api/entities?limit=1000"));
    let listed = entities["entities"].as_array().unwrap();
    assert!(listed.iter().all(|e| !["DATE", "MONEY", "PERCENT"].contains(&e["label"].as_str().unwrap())));
    assert!(!listed.iter().any(|e| ["U.S.", "US", "American", "Russian"].contains(&e["name"].as_str().unwrap())));

    // Asked for, values are counted under what they say.
    let (_, with_values) = get(&format!("{base}/api/search?values=true&limit=1"));
    let counted = with_values["facets"]["top_entities"].as_array().unwrap();
    assert!(counted.iter().any(|b| b["value"].as_str().unwrap().starts_with("DATE:20")), "{counted:?}");
    let (_, dates) = get(&format!("{base}/api/entities?type=DATE&limit=5"));
    assert!(!dates["entities"].as_array().unwrap().is_empty());

    // A name finds its key: "U.S." finds the articles that write "United States" too.
    let (_, by_abbreviation) = get(&format!("{base}/api/search?entity=U.S.&limit=1"));
    let (_, by_key) = get(&format!("{base}/api/search?entity=LOC:US&limit=1"));
    assert_eq!(by_abbreviation["total"], by_key["total"]);
    assert!(by_key["total"].as_u64().unwrap() >= 3);
    let (status, detail) = get(&format!("{base}/api/entities/LOC:US"));
    assert_eq!(status, 200);
    assert_eq!(detail["name"], "United States");
    let forms: std::collections::HashSet<&str> = detail["mentioned_in"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["mentions"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()))
        .collect();
    assert!(forms.len() >= 2, "several spellings under one key: {forms:?}");
}

#[test]
fn bad_parameters_get_400_with_a_json_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    ingest_with(&config, &["corpus/world-section-front.html", "corpus/eu-council-sanctions-hybrid-threats.html"]);
    let (_server, base) = start_server(&config);
    let long_query = "a".repeat(1001);
    for query in [
        "/api/search?limit=0x10".to_string(),
        "/api/search?limit=100000".to_string(),
        "/api/search?offset=-1".to_string(),
        "/api/search?since=yesterday".to_string(),
        "/api/search?type=PERSON".to_string(),
        "/api/search?unknown=1".to_string(),
        "/api/search?values=maybe".to_string(),
        format!("/api/search?q={long_query}"),
        "/api/entities/no-type".to_string(),
        "/api/designations?since=2024-13-45".to_string(),
    ] {
        let (status, body) = get(&format!("{base}{query}"));
        assert_eq!(status, 400, "{query}");
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()), "{query}: {body}");
    }
    for query in ["/api/articles/no-such-article", "/api/entities/PER:nobody%20at%20all"] {
        let (status, body) = get(&format!("{base}{query}"));
        assert_eq!(status, 404, "{query}");
        assert!(body["error"].is_string());
    }
    // Odd but valid input: a query of only syntax characters is searched, not a server error.
    let (status, _) = get(&format!("{base}/api/search?q=%22%28%3A%5B"));
    assert_eq!(status, 200);
    // Read-only: nothing but GET is routed.
    let post = reqwest::blocking::Client::new().post(format!("{base}/api/search")).send().unwrap();
    assert_eq!(post.status().as_u16(), 405);
}

#[test]
fn the_server_sees_what_an_ingest_commits_while_it_runs() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    ingest_with(&config, &["corpus/eu-council-sanctions-hybrid-threats.html"]);
    let (_server, base) = start_server(&config);
    assert_eq!(get(&format!("{base}/api/search?q=Kim%20Sang%20Man")).1["total"], 0);
    ingest_with(&config, &["corpus/panamatimes-us-sanctions-north-korea-cyber.html"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while get(&format!("{base}/api/search?q=Kim%20Sang%20Man")).1["total"] != 1 {
        assert!(Instant::now() < deadline, "the server never saw the new commit");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn watch_prints_new_designations_and_watchlist_mentions_and_posts_them() {
    // A webhook receiver on 127.0.0.1 that hands each request body to the test.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (bodies, received) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let Some(head) = read_request_head(&mut stream) else { continue };
            let length: usize = head
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
                .unwrap_or(0);
            let body_start = head.find("\r\n\r\n").unwrap() + 4;
            let mut body = head.as_bytes()[body_start..].to_vec();
            while body.len() < length {
                let mut buf = [0u8; 4096];
                let n = stream.read(&mut buf).unwrap();
                body.extend_from_slice(&buf[..n]);
            }
            respond(&mut stream, "204 No Content", &[], b"");
            let _ = bodies.send(String::from_utf8(body).unwrap());
        }
    });

    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[watch]\npoll_secs = 1\nwebhook = \"http://127.0.0.1:{port}/hook\"\nwatchlist = [\"antony blinken\"]\n"
        ),
    );
    // Already indexed before the watch starts: not reported.
    ingest_with(&config, &["corpus/eu-council-sanctions-hybrid-threats.html"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_newshound"))
        .arg("--config")
        .arg(&config)
        .arg("watch")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let _watch = Running(child);
    let (lines, printed) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || stdout.lines().map_while(Result::ok).for_each(|l| drop(lines.send(l))));
    std::thread::sleep(Duration::from_secs(2));
    ingest_with(&config, &["corpus/panamatimes-us-sanctions-north-korea-cyber.html"]);

    let mut events: Vec<Value> = Vec::new();
    while events.len() < 6 {
        let line = printed.recv_timeout(Duration::from_secs(20)).expect("watch printed too few events");
        events.push(serde_json::from_str(&line).expect("each line is JSON"));
    }
    let mut targets: Vec<&str> =
        events.iter().filter(|e| e["event"] == "designation").map(|e| e["target"].as_str().unwrap()).collect();
    targets.sort();
    assert_eq!(
        targets,
        [
            "110th Research Center",
            "Chinyong Information Technology Cooperation Company",
            "Kim Sang Man",
            "Pyongyang University of Automation",
            "Technical Reconnaissance Bureau"
        ]
    );
    let mention = events.iter().find(|e| e["event"] == "mention").expect("a watchlist mention");
    assert_eq!(mention["watch"], "antony blinken");
    assert_eq!(mention["article"]["id"], "panamatimes-us-sanctions-north-korea-cyber");
    for _ in 0..events.len() {
        let posted = received.recv_timeout(Duration::from_secs(10)).expect("each event is posted");
        let posted: Value = serde_json::from_str(&posted).unwrap();
        assert!(events.contains(&posted), "posted {posted} was not printed");
    }
    assert!(printed.recv_timeout(Duration::from_secs(2)).is_err(), "nothing more to report");

    // OFAC's list arrives: its first snapshot adds nothing, the next adds the seed's five targets.
    let store = newshound::lists::ListStore::open(&dir.path().join("lists"));
    for date in ["2021-08-18", "2024-04-26"] {
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../shared/data/ofac-sdn-history/snapshots/sdn-{date}.csv"));
        let bytes = std::fs::read(file).unwrap();
        store
            .import(newshound::lists::ListId::OfacSdn, &bytes, &[], date.parse().unwrap(), Default::default())
            .unwrap();
    }
    let mut listed: Vec<Value> = Vec::new();
    while listed.len() < 5 {
        let line = printed.recv_timeout(Duration::from_secs(20)).expect("watch printed too few listed events");
        listed.push(serde_json::from_str(&line).unwrap());
    }
    assert!(listed.iter().all(|e| e["event"] == "listed" && e["entry"]["list"] == "ofac-sdn"), "{listed:?}");
    let kim = listed.iter().find(|e| e["target"] == "Kim Sang Man").expect("Kim Sang Man listed");
    assert_eq!(
        (&kim["entry"]["entry_id"], &kim["article"]["id"]),
        (&"43377".into(), &"panamatimes-us-sanctions-north-korea-cyber".into())
    );
    assert!(printed.recv_timeout(Duration::from_secs(3)).is_err(), "each addition once");
}
