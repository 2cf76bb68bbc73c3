//! Finding the article body in a parsed page.
//!
//! The page is flattened into text blocks (one per paragraph-level element), skipping elements that
//! are boilerplate by their tag, ARIA role or class/id (navigation, related links, newsletter boxes,
//! share bars, players). Paragraph blocks then vote for their ancestors, as in Arc90's readability:
//! the ancestor that gathers the most prose, discounted by its share of link text, is the article
//! container. Its blocks, minus link lists and stray widgets, are the body.
//!
//! By stage: [`skip`] decides which elements are left out, [`blocks`] flattens the rest into text
//! blocks, [`container`] chooses the element holding the article, [`assemble`] keeps its blocks
//! (with the lead before it) and drops the furniture among them, which [`furniture`] recognises by
//! its words and [`teasers`] by their build.

mod assemble;
mod blocks;
mod container;
mod furniture;
mod skip;
mod teasers;
#[cfg(test)]
mod tests;

use scraper::Html;

use assemble::paragraphs_in_pass;
use blocks::BlockKind;
use skip::Skipper;

/// Share of the page's text above which class names are not trusted, in the first pass and in the
/// retry for pages where the first pass found (almost) nothing.
const STRICT_SHARE: f32 = 0.5;
const LENIENT_SHARE: f32 = 0.15;

/// Candidate containers need at least this much prose before a page counts as having an article.
const MIN_ARTICLE_CHARS: usize = 80;

/// A strict pass that yields less prose than this is retried leniently.
const RETRY_BELOW_CHARS: usize = 500;

/// How many times the strict pass's prose the lenient retry must find to be taken instead.
const LENIENT_GAIN: usize = 2;

/// What the page's metadata says of its article, which helps tell its headline and lead apart from
/// the rest of the page.
#[derive(Clone, Copy, Default)]
pub struct Announced<'a> {
    pub title: Option<&'a str>,
    /// The page's own summaries of the article (its descriptions).
    pub summaries: &'a [String],
    /// Who the page says wrote it.
    pub byline: Option<&'a str>,
}

/// The article's paragraphs in reading order; empty when the page carries no article.
pub fn extract_paragraphs(html: &Html, announced: Announced) -> Vec<String> {
    let paragraphs = paragraphs_of_page(html, announced);
    if !paragraphs.is_empty() {
        return paragraphs;
    }
    // Pages that build the article with scripts may carry it, for readers without them, as markup
    // inside <noscript> (which a parser with scripting on reads as plain text).
    let Some(markup) = largest_noscript(html) else { return paragraphs };
    tracing::debug!(chars = markup.len(), "no article in the page: reading its <noscript> markup");
    paragraphs_of_page(&Html::parse_document(&markup), announced)
}

/// The markup in the page's longest `<noscript>`, when it holds more than a tracking pixel.
fn largest_noscript(html: &Html) -> Option<String> {
    html.tree
        .root()
        .descendants()
        .filter(|n| n.value().as_element().is_some_and(|e| e.name() == "noscript"))
        .map(|n| n.children().filter_map(|c| c.value().as_text().map(|t| t.to_string())).collect::<String>())
        .max_by_key(String::len)
        .filter(|markup| markup.len() >= RETRY_BELOW_CHARS)
}

fn paragraphs_of_page(html: &Html, announced: Announced) -> Vec<String> {
    let skipper = Skipper::new(html, STRICT_SHARE);
    let strict = paragraphs_in_pass(html, announced, &skipper);
    if prose_chars(&strict) >= RETRY_BELOW_CHARS {
        return into_texts(strict);
    }
    let lenient = paragraphs_in_pass(html, announced, &skipper.with_share(LENIENT_SHARE));
    // Only a much larger lenient result means the strict pass threw the article away.
    let lenient_wins = prose_chars(&lenient) > LENIENT_GAIN * prose_chars(&strict);
    into_texts(if lenient_wins { lenient } else { strict })
}

fn prose_chars(paragraphs: &[(BlockKind, String)]) -> usize {
    paragraphs.iter().filter(|(k, _)| *k != BlockKind::Heading).map(|(_, t)| t.len()).sum()
}

fn into_texts(paragraphs: Vec<(BlockKind, String)>) -> Vec<String> {
    if prose_chars(&paragraphs) < MIN_ARTICLE_CHARS {
        tracing::debug!(chars = prose_chars(&paragraphs), "too little prose for an article: no body");
        return Vec::new();
    }
    paragraphs.into_iter().map(|(_, t)| nfc(t)).collect()
}

/// Text in Unicode's composed form, so that the same word is the same string whichever way the page
/// encoded it.
fn nfc(text: String) -> String {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    if is_nfc_quick(text.chars()) == IsNormalized::Yes { text } else { text.nfc().collect() }
}
