//! Helpers shared by the integration tests and the crawl benchmark: generated articles and a small
//! HTTP server on 127.0.0.1.
// Each test crate uses only some of these.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A distinct news article for number `n`: its sentences are drawn from a word list by a small
/// deterministic generator, so no two articles are near-duplicates.
pub fn generated_article(n: usize) -> String {
    const WORDS: &[&str] = &[
        "ministers",
        "agreed",
        "port",
        "budget",
        "rail",
        "council",
        "harvest",
        "court",
        "tariffs",
        "bank",
        "election",
        "bridge",
        "hospital",
        "exports",
        "strike",
        "festival",
        "museum",
        "police",
        "river",
        "schools",
        "energy",
        "grid",
        "mayor",
        "airport",
        "housing",
        "farmers",
        "drought",
        "league",
        "trial",
        "vaccine",
        "shipyard",
        "refinery",
    ];
    let mut state = n as u64 * 2654435761 + 12345;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        WORDS[(state % WORDS.len() as u64) as usize]
    };
    let paragraphs: String = (0..4)
        .map(|_| {
            let sentence: Vec<&str> = (0..28).map(|_| next()).collect();
            format!("<p>Story {n}: The {}.</p>", sentence.join(" "))
        })
        .collect();
    format!(
        r#"<html><head><title>Story {n} | Daily</title><link rel="canonical" href="https://daily.example/story-{n}"></head><body><article><h1>Story {n}</h1>{paragraphs}<p>Baltic Signal Group {n} was mentioned.</p></article></body></html>"#
    )
}

/// Reads an HTTP request up to the end of its headers; `None` if the client went away first.
pub fn read_request_head(stream: &mut TcpStream) -> Option<String> {
    let mut request = Vec::new();
    let mut buf = [0u8; 2048];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    Some(String::from_utf8_lossy(&request).into_owned())
}

/// Writes one HTTP/1.1 response and closes the connection.
pub fn respond(stream: &mut TcpStream, status: &str, headers: &[(&str, String)], body: &[u8]) {
    let mut head = format!("HTTP/1.1 {status}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// A site of `n` distinct articles listed in a sitemap.
pub fn serve_articles(n: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut request = [0u8; 2048];
                let len = stream.read(&mut request).unwrap_or(0);
                let text = String::from_utf8_lossy(&request[..len]).to_string();
                let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
                let base = format!("http://127.0.0.1:{port}");
                if path == "/robots.txt" {
                    respond(
                        &mut stream,
                        "200 OK",
                        &[],
                        format!("User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n").as_bytes(),
                    );
                } else if path == "/sitemap.xml" {
                    let urls: String = (0..n).map(|i| format!("<url><loc>{base}/a/{i}</loc></url>")).collect();
                    respond(
                        &mut stream,
                        "200 OK",
                        &[("Content-Type", "application/xml".into())],
                        format!("<urlset>{urls}</urlset>").as_bytes(),
                    );
                } else if let Some(i) = path.strip_prefix("/a/").and_then(|i| i.parse::<usize>().ok()) {
                    respond(
                        &mut stream,
                        "200 OK",
                        &[("Content-Type", "text/html".into())],
                        generated_article(i).as_bytes(),
                    );
                } else {
                    respond(&mut stream, "404 Not Found", &[], b"");
                }
            });
        }
    });
    port
}

/// The shipped model folder in the source tree.
pub const SHIPPED_MODEL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/ner");

/// Copies the shipped NER encoder (config, weights, tokenizer; no designation head) into `to`.
pub fn copy_encoder(to: &Path) {
    for name in ["config.json", "model.safetensors", "tokenizer.json"] {
        std::fs::copy(Path::new(SHIPPED_MODEL).join(name), to.join(name)).unwrap();
    }
}

/// A config file in `dir` with the index at `dir/index`, the list store at `dir/lists` (empty unless
/// a test imports into it), the shipped model, and `extra` sections.
pub fn write_config(dir: &Path, extra: &str) -> PathBuf {
    let path = dir.join("config.toml");
    let model = Path::new(SHIPPED_MODEL);
    std::fs::write(
        &path,
        format!(
            "[index]\npath = \"index\"\ncommit_every = 5\n[lists]\npath = \"lists\"\n[annotate]\nner_model = {model:?}\n{extra}"
        ),
    )
    .unwrap();
    path
}

/// `newshound --config CONFIG ingest INPUTS...`, which must succeed.
pub fn ingest_with(config: &Path, inputs: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_newshound"))
        .args(["-q", "--config"])
        .arg(config)
        .arg("ingest")
        .args(inputs)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A running newshound process, stopped when dropped.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `newshound serve` on a free port of 127.0.0.1; returns it with its base URL.
pub fn start_server(config: &Path) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_newshound"))
        .arg("--config")
        .arg(config)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| line.split(" on ").nth(1).filter(|u| u.starts_with("http://127.0.0.1:")).map(str::to_string))
        .expect("serve logs its address");
    // Keep draining its log so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (Running(child), base)
}
