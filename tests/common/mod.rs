//! Helpers shared by the integration tests.

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
