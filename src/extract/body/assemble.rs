//! The article assembled from the blocks of its container and the lead before it, without the
//! furniture among them (widgets, bylines, captions, teasers, link lists, the author's biography).

use ego_tree::NodeId;
use once_cell::sync::Lazy;
use regex::Regex;
use scraper::Html;

use super::blocks::{Block, BlockKind, LINKS_MIN_LINK_DENSITY, TEXT_MAX_LINK_DENSITY, collect_blocks, normalize};
use super::container::choose_containers;
use super::furniture::{END_OF_ARTICLE, TEASER_MAX_CHARS, is_furniture};
use super::skip::Skipper;
use super::teasers::is_teaser_excerpt;
use super::{Announced, MIN_ARTICLE_CHARS, prose_chars};

/// Characters a heading that ends the article has at most: longer, it is a headline of the text.
const END_HEADING_MAX_CHARS: usize = 60;

/// Characters a block of links has at most: longer, it is text with many links in it.
const LINKS_BLOCK_MAX_CHARS: usize = 300;

/// Words a name in the byline has at least to be looked for at a biography's start, and characters
/// the name (or first name) has at least: shorter ones open ordinary sentences.
const BIOGRAPHY_NAME_MIN_WORDS: usize = 2;
const BIOGRAPHY_NAME_MIN_CHARS: usize = 3;

pub(super) fn paragraphs_in_pass(html: &Html, announced: Announced, skipper: &Skipper) -> Vec<(BlockKind, String)> {
    let blocks = collect_blocks(html, skipper);
    let Some(containers) = choose_containers(html, &blocks, skipper) else { return Vec::new() };

    let inside = |node: NodeId| -> bool {
        html.tree
            .get(node)
            .is_some_and(|n| containers.contains(&n.id()) || n.ancestors().any(|a| containers.contains(&a.id())))
    };
    let normalized_title = announced.title.map(normalize);
    let summaries: Vec<String> = announced.summaries.iter().map(|s| normalize(s)).collect();
    let is_summary = |block: &Block| shown_summary(block, &summaries);
    let is_headline = |block: &Block| {
        html.tree.get(block.node).and_then(|n| n.value().as_element().map(|e| e.name() == "h1")).unwrap_or(false)
            || normalized_title.as_deref() == Some(block.normalized())
    };
    let pictures = PictureTexts::of(html, blocks.iter().filter(|b| inside(b.node)));
    let lead = lead_before_container(html, &blocks, containers[0], |b| inside(b.node), is_headline, is_summary);
    // Blocks of links are kept apart: they are the article only when it has no other text (a post
    // that is a list of links).
    let mut paragraphs: Vec<(BlockKind, String, bool)> = Vec::new();
    let mut in_teasers = false;
    for (i, block) in blocks.iter().enumerate() {
        if !inside(block.node) && !lead.contains(&i) {
            tracing::trace!(text = %block.text, "dropped: outside the article container");
            continue;
        }
        let chars = block.chars();
        // After a "Related"/"Read more" heading, short blocks are teasers until real prose resumes.
        // (A heading, not a link: "Don't miss: <a>…</a>" boxes inside the article are links.)
        if chars <= END_HEADING_MAX_CHARS
            && block.link_density() < LINKS_MIN_LINK_DENSITY
            && END_OF_ARTICLE.is_match(&block.text)
        {
            tracing::trace!(text = %block.text, "dropped: heading that ends the article");
            in_teasers = true;
            continue;
        }
        if in_teasers && chars < TEASER_MAX_CHARS && !block.reads_as_prose() {
            tracing::trace!(text = %block.text, "dropped: teaser after the article's end");
            continue;
        }
        in_teasers = false;
        if is_furniture(&block.text) || pictures.describe(block) {
            tracing::trace!(text = %block.text, "dropped: widget, byline, date line, picture credit or caption, filing line or site talk");
            continue;
        }
        let links = block.link_density() > LINKS_MIN_LINK_DENSITY && chars < LINKS_BLOCK_MAX_CHARS;
        // The headline is metadata, not body; of the rest of a header (subtitle, byline, dates,
        // tools), only a lead paragraph written in sentences is.
        if is_headline(block) {
            continue;
        }
        let lead_paragraph = block.kind != BlockKind::Heading && (block.reads_as_sentences() || is_summary(block));
        if !lead_paragraph && in_header(html, block.node) {
            tracing::trace!(text = %block.text, "dropped: header furniture");
            continue;
        }
        if paragraphs.last().is_some_and(|(_, last, _)| *last == block.text) {
            continue;
        }
        paragraphs.push((block.kind, block.text.clone(), links));
    }
    let text_chars: usize =
        paragraphs.iter().filter(|(k, _, links)| *k != BlockKind::Heading && !links).map(|(_, t, _)| t.len()).sum();
    let mut paragraphs: Vec<(BlockKind, String)> = if text_chars >= MIN_ARTICLE_CHARS {
        // A heading whose section holds only links ("More on this", "Weitere Themen", "Notas
        // relacionadas", in any language) introduces them, and goes with them.
        for i in 0..paragraphs.len() {
            if paragraphs[i].0 != BlockKind::Heading {
                continue;
            }
            let mut section = paragraphs[i + 1..].iter().take_while(|(k, _, _)| *k != BlockKind::Heading).peekable();
            if section.peek().is_some() && section.all(|(_, _, links)| *links) {
                paragraphs[i].2 = true;
            }
        }
        paragraphs
            .into_iter()
            .filter(|(_, text, links)| {
                if *links {
                    tracing::trace!(%text, "dropped: links");
                }
                !links
            })
            .map(|(kind, text, _)| (kind, text))
            .collect()
    } else {
        paragraphs.into_iter().map(|(kind, text, _)| (kind, text)).collect()
    };
    // The article's tail: a heading with nothing after it introduces something outside the article
    // ("More news").
    while paragraphs.last().is_some_and(|(kind, _)| *kind == BlockKind::Heading) {
        let (_, text) = paragraphs.pop().expect("checked by the loop");
        tracing::trace!(%text, "dropped: heading at the article's end");
    }
    // Teasers of other articles that close the container: a headline link with a short excerpt.
    let teasers: Vec<&str> = blocks
        .iter()
        .filter(|b| inside(b.node) && is_teaser_excerpt(html, skipper, b))
        .map(|b| b.text.as_str())
        .collect();
    let run = paragraphs
        .iter()
        .rev()
        .take_while(|(kind, text)| *kind == BlockKind::Heading || teasers.contains(&text.as_str()))
        .count();
    let start = paragraphs.len() - run;
    // A short post on a page that lists others looks like them; it stays when it is most of the text.
    if prose_chars(&paragraphs[..start]) >= prose_chars(&paragraphs[start..]) {
        for (_, text) in paragraphs.drain(start..) {
            tracing::trace!(%text, "dropped: teaser at the article's end");
        }
    }
    if let Some(bio) = author_biography(&paragraphs, announced.byline) {
        for (_, text) in paragraphs.drain(bio..) {
            tracing::trace!(%text, "dropped: the author's biography");
        }
    }
    paragraphs
}

/// Paragraphs at the article's end among which its author's biography is looked for.
const BIOGRAPHY_TAIL: usize = 3;

/// A paragraph this short can be an author's biography.
const BIOGRAPHY_MAX_CHARS: usize = 600;

/// A name followed by the verb that opens a biography ("Jane is a reporter…", "Max ist Redakteur…").
static BIOGRAPHY_VERB: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"^\s(?:is|was|has|writes|covers|joined|lives|ist|war|hat|schreibt|lebt|est|a|vit|es|vive|è)\s").unwrap()
});

/// Where the biography of the article's author starts, when one of the last paragraphs opens with
/// an author's name, or first name, and the verb of a biography: it is the site's box about them.
fn author_biography(paragraphs: &[(BlockKind, String)], byline: Option<&str>) -> Option<usize> {
    let byline = byline?;
    let names: Vec<&str> = byline
        .split([',', '&', ';'])
        .flat_map(|part| part.split(" and ").flat_map(|p| p.split(" und ")))
        .map(str::trim)
        .filter(|name| name.split_whitespace().count() >= BIOGRAPHY_NAME_MIN_WORDS)
        .collect();
    let opens_with_name = |text: &str| {
        names.iter().any(|name| {
            let first = name.split_whitespace().next().unwrap_or(name);
            [*name, first].iter().any(|n| {
                n.chars().count() >= BIOGRAPHY_NAME_MIN_CHARS
                    && text.strip_prefix(n).is_some_and(|rest| BIOGRAPHY_VERB.is_match(rest))
            })
        })
    };
    let start = paragraphs.len().saturating_sub(BIOGRAPHY_TAIL);
    (start..paragraphs.len()).find(|&i| {
        let (kind, text) = &paragraphs[i];
        *kind == BlockKind::Text && text.chars().count() <= BIOGRAPHY_MAX_CHARS && opens_with_name(text)
    })
}

/// What the page's images say of themselves (`alt`, `title`), normalized: a block repeating it is
/// the image's caption, wherever the layout puts it.
struct PictureTexts(Vec<String>);

/// Shorter image texts ("photo", "logo") say too little to recognise a caption by.
const PICTURE_TEXT_MIN_CHARS: usize = 20;

/// Above this share of the article's blocks, text that repeats the images' is the text they
/// illustrate (a recipe's steps), not captions.
const CAPTIONS_MAX_SHARE: f32 = 0.25;

impl PictureTexts {
    fn of<'b>(html: &Html, article: impl Iterator<Item = &'b Block>) -> Self {
        let mut texts: Vec<String> = html
            .tree
            .root()
            .descendants()
            .filter_map(|n| n.value().as_element().filter(|e| e.name() == "img"))
            .flat_map(|img| [img.attr("alt"), img.attr("title")])
            .flatten()
            .map(normalize)
            .filter(|t| t.len() >= PICTURE_TEXT_MIN_CHARS)
            .collect();
        texts.sort();
        texts.dedup();
        let pictures = PictureTexts(texts);
        let (mut blocks, mut described) = (0usize, 0usize);
        for block in article {
            blocks += 1;
            described += usize::from(pictures.describe(block));
        }
        if described as f32 > CAPTIONS_MAX_SHARE * blocks as f32 { PictureTexts(Vec::new()) } else { pictures }
    }

    /// Whether most of the text is an image's own description.
    fn describe(&self, block: &Block) -> bool {
        if self.0.is_empty() {
            return false;
        }
        let text = block.normalized();
        self.0.iter().any(|t| t.len() * 10 >= text.len() * 6 && text.contains(t.as_str()))
    }
}

fn in_header(html: &Html, node: NodeId) -> bool {
    html.tree.get(node).is_some_and(|n| {
        std::iter::once(n).chain(n.ancestors()).any(|a| a.value().as_element().is_some_and(|e| e.name() == "header"))
    })
}

/// How many blocks of text before the article's container the headline is looked for (blocks of
/// links, such as a "most read" list beside the headline, are not counted).
const LEAD_SEARCH_BLOCKS: usize = 8;

/// A page's summary can be cut short ("…"); this much of it shown as a block makes that block the
/// lead.
const SUMMARY_MIN_CHARS: usize = 40;

/// Words a line needs to be a lead (a deck under the headline, a summary shown before the body)
/// rather than a subtitle, which belongs to the headline.
const LEAD_MIN_WORDS: usize = 12;

/// Whether a block shows one of the page's summaries (both normalized): the same text, or one the
/// start of the other, either at least `SUMMARY_MIN_CHARS` long.
fn shown_summary(block: &Block, summaries: &[String]) -> bool {
    if summaries.is_empty() || block.text.split_whitespace().count() < LEAD_MIN_WORDS {
        return false;
    }
    let shorter = |a: &str, b: &str| a.len().min(b.len());
    let block = block.normalized();
    block.len() >= SUMMARY_MIN_CHARS
        && summaries
            .iter()
            .any(|s| shorter(s, block) >= SUMMARY_MIN_CHARS && (s.starts_with(block) || block.starts_with(s.as_str())))
}

/// How many levels above the article's container the lead and the container meet at most.
const LEAD_MAX_LEVELS: usize = 8;

/// The lead (standfirst, "chapô", "bajada") that layouts put between the headline and the body's
/// container, next to it: the blocks between the two that read as sentences, by their index in
/// `blocks`.
fn lead_before_container(
    html: &Html,
    blocks: &[Block],
    container: NodeId,
    inside: impl Fn(&Block) -> bool,
    is_headline: impl Fn(&Block) -> bool,
    is_summary: impl Fn(&Block) -> bool,
) -> Vec<usize> {
    let Some(first) = blocks.iter().position(&inside) else { return Vec::new() };
    let Some(container) = html.tree.get(container) else { return Vec::new() };
    let near: Vec<NodeId> = container.ancestors().take(LEAD_MAX_LEVELS).map(|a| a.id()).collect();
    let is_near = |b: &Block| html.tree.get(b.node).is_some_and(|n| n.ancestors().any(|a| near.contains(&a.id())));
    // Text after the headline that reads as sentences is the lead; so is the page's own summary
    // shown before the body, however far from the headline.
    let candidates =
        || (0..first).rev().filter(|&i| blocks[i].link_density() <= LINKS_MIN_LINK_DENSITY).take(LEAD_SEARCH_BLOCKS);
    // A page whose <h1> is its logo titles the story with a lesser heading.
    let headline = candidates()
        .find(|&i| is_headline(&blocks[i]))
        .or_else(|| candidates().find(|&i| blocks[i].kind == BlockKind::Heading));
    // The line right under the headline is its deck when it is as long as a sentence, whether or not
    // it ends like one.
    let deck = headline.map(|h| h + 1).filter(|&i| {
        i < first
            && blocks[i].link_density() < TEXT_MAX_LINK_DENSITY
            && blocks[i].text.split_whitespace().count() >= LEAD_MIN_WORDS
    });
    (0..first)
        .filter(|&i| {
            let after_headline = headline.is_some_and(|h| i > h) && blocks[i].reads_as_sentences();
            (after_headline || deck == Some(i) || is_summary(&blocks[i])) && is_near(&blocks[i])
        })
        .collect()
}
