//! Hostile and broken pages: the extractor returns an article or a clear error, never panics or hangs.

use std::time::{Duration, Instant};

use chrono::Utc;
use newshound::annotate::Annotator;
use newshound::document::{ContentKind, FetchedPage};
use newshound::extract::{ExtractError, extract};
use proptest::prelude::*;

/// Loaded once: the model is read from disk a single time for all cases.
static ANNOTATOR: std::sync::LazyLock<Annotator> = std::sync::LazyLock::new(|| Annotator::new().unwrap());

fn page(bytes: Vec<u8>) -> FetchedPage {
    FetchedPage {
        id: "test".into(),
        url: "https://news.example/story".into(),
        fetched_at: Utc::now(),
        headers: Vec::new(),
        kind: ContentKind::Html,
        bytes,
    }
}

fn paragraph(n: usize) -> String {
    format!(
        "<p>Officials said on Monday that rule {n}, agreed after months of talks, would apply to every company listed in the annex.</p>"
    )
}

#[test]
fn a_50_mb_page_is_extracted() {
    let mut html = String::from("<html><head><title>Big page</title></head><body><article>");
    let mut n = 0;
    while html.len() < 50 * 1024 * 1024 {
        html.push_str(&paragraph(n));
        n += 1;
    }
    html.push_str("</article></body></html>");
    let started = Instant::now();
    let article = extract(&page(html.into_bytes())).unwrap();
    assert!(article.paragraphs.len() > 300_000);
    // Generous bound for an unoptimised test build: what matters is that it finishes.
    assert!(started.elapsed() < Duration::from_secs(300));
}

#[test]
fn ten_thousand_levels_of_nesting_do_not_overflow_the_stack() {
    let depth = 10_000;
    let mut html = String::from("<html><body>");
    for _ in 0..depth {
        html.push_str("<div>text ");
    }
    html.push_str(&paragraph(0));
    for _ in 0..depth {
        html.push_str("</div>");
    }
    html.push_str("</body></html>");
    // The parser caps its own nesting; whatever tree results, extraction completes.
    let article = extract(&page(html.into_bytes())).unwrap();
    ANNOTATOR.annotate(&article).unwrap();
}

#[test]
fn pages_without_body_truncated_or_binary() {
    let no_body =
        format!("<html><head><title>Only head</title></head>{}{}{}", paragraph(1), paragraph(2), paragraph(3));
    let a = extract(&page(no_body.into_bytes())).unwrap();
    assert_eq!(a.paragraphs.len(), 3, "html5ever puts stray content into an implied body");

    let truncated = format!("<html><body><article>{}{}<p>Cut off in the mid", paragraph(1), paragraph(2));
    let a = extract(&page(truncated.into_bytes())).unwrap();
    assert_eq!(a.paragraphs.last().map(String::as_str), Some("Cut off in the mid"));

    let mut binary = b"\x7fELF\x02\x01\x01".to_vec();
    binary.extend((0..4096u32).map(|i| (i * 7919 % 256) as u8));
    assert!(matches!(extract(&page(binary)), Err(ExtractError::Binary(_))));

    let empty_markup = extract(&page(b"<html><body><div></div></body></html>".to_vec())).unwrap();
    assert!(empty_markup.paragraphs.is_empty());
}

/// A corpus page damaged in one of the ways real pages are.
fn mutated(base: &[u8], cut: usize, junk: Vec<u8>, kind: u8) -> Vec<u8> {
    let at = cut % (base.len() + 1);
    let mut out = base.to_vec();
    match kind % 4 {
        0 => out.truncate(at),                        // truncated download
        1 => out.splice(at..at, junk).for_each(drop), // stray bytes
        2 => {
            let end = (at + junk.len() * 50).min(out.len());
            out.drain(at..end); // a chunk lost
        }
        _ => out.splice(at..at, b"<div><table><p><li><a href=".iter().copied()).for_each(drop), // unclosed tags
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn mutated_pages_never_panic(cut in 0usize..200_000, junk in proptest::collection::vec(any::<u8>(), 0..64), kind in any::<u8>(), which in 0usize..3) {
        let sources = [
            "corpus/panamatimes-us-sanctions-north-korea-cyber.html",
            "corpus/maple-leaf-herald-canada-haiti-windows-1252.html",
            "corpus/commerce-entity-list-chip-suppliers.html",
        ];
        let base = std::fs::read(sources[which]).unwrap();
        let bytes = mutated(&base, cut, junk, kind);
        if let Ok(article) = extract(&page(bytes)) {
            let annotations = ANNOTATOR.annotate(&article).unwrap();
            let body_chars = article.body().chars().count();
            prop_assert!(annotations.entities.iter().all(|e| e.start < e.end && e.end <= body_chars));
            prop_assert!(annotations.designations.iter().all(|d| d.evidence.end <= body_chars));
        }
    }
}
