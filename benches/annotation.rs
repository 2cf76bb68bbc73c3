//! What designation extraction adds to annotation: entities alone against entities plus
//! designations, on the same articles, in one run. Run with `cargo bench --bench annotation`.
//!
//! Articles: the shipped corpus, plus the sanctions dev set when `../shared` is present (long press
//! releases, the heaviest case for designation rules).

use std::path::Path;
use std::time::Instant;

use newshound::annotate::Annotator;
use newshound::document::Article;
use newshound::extract::extract;
use newshound::sources::{expand_path, load_file};

const ROUNDS: usize = 7;

fn articles() -> Vec<Article> {
    let mut paths = expand_path(Path::new("corpus")).expect("corpus/ is shipped");
    if let Ok(dev) = expand_path(Path::new("../shared/data/sanctions-dev/sources")) {
        paths.extend(dev);
    }
    paths
        .iter()
        .filter_map(|p| extract(&load_file(p, u64::MAX).ok()?).ok())
        .filter(|a| !a.paragraphs.is_empty())
        .collect()
}

fn median_seconds(annotator: &Annotator, articles: &[Article]) -> f64 {
    let mut times: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            for a in articles {
                std::hint::black_box(annotator.annotate(a).expect("annotates"));
            }
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[ROUNDS / 2]
}

fn main() {
    let articles = articles();
    let chars: usize = articles.iter().map(|a| a.body().len()).sum();
    let full = Annotator::new().expect("annotator loads");
    let entities_only = full.clone().without_designations();
    // Warm up both paths once (lazy regexes, caches).
    median_seconds(&full, &articles[..1]);
    median_seconds(&entities_only, &articles[..1]);
    let base = median_seconds(&entities_only, &articles);
    let with = median_seconds(&full, &articles);
    println!("articles: {}, body bytes: {chars}, rounds: {ROUNDS} (median)", articles.len());
    println!("entities only:             {:8.2} ms per round", base * 1e3);
    println!("entities + designations:   {:8.2} ms per round", with * 1e3);
    println!("designation extraction adds {:.1}% to annotation time", (with / base - 1.0) * 100.0);
}
